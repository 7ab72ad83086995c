"""memberships files: ``pnc_id``, ``cohort`` and ``adopted_on`` (together the key), ``exited_on``, ``exit_reason``.

A membership never changes its adoption date (another date is another membership); recording or clearing an exit
is a change. After the file is applied no person may have overlapping memberships of one cohort.
"""

import datetime
from collections import defaultdict
from typing import TypedDict

from iom.models import Cohort, Membership, Person
from outcomes.services.imports.plan import Change, ImportPlan
from outcomes.services.imports.reader import Columns, CsvFile, Row, changed_fields, repeated_keys

COLUMNS = Columns(required=("pnc_id", "cohort", "adopted_on"), optional=("exited_on", "exit_reason"))
MODEL = Membership
Interval = tuple[datetime.date, datetime.date | None]


class Stored(TypedDict):
    """A membership already recorded, as read for comparison with the file."""

    pk: int
    person_id: int
    cohort_id: int
    adopted_on: datetime.date
    exited_on: datetime.date | None
    exit_reason: str


def _key(row: Row) -> tuple | None:
    key = (row.cells.get("pnc_id"), row.cells.get("cohort"), row.cells.get("adopted_on"))
    return key if all(key) else None


def _overlaps(first: Interval, second: Interval) -> bool:
    """``exited_on`` is the member's last day; an open membership runs on."""
    (start_a, end_a), (start_b, end_b) = first, second
    return (end_a is None or start_b <= end_a) and (end_b is None or start_a <= end_b)


def plan(csv: CsvFile) -> ImportPlan:
    pnc_ids = {row.cells.get("pnc_id") for row in csv.rows}
    people = {
        pnc_id: pk
        for pnc_id, pk in Person.objects.values_list("pnc_id", "pk").iterator(chunk_size=5000)
        if pnc_id in pnc_ids
    }
    cohorts = dict(Cohort.objects.values_list("slug", "pk"))
    stored: dict[tuple[int, int], dict[datetime.date, Stored]] = defaultdict(dict)
    person_ids = set(people.values())
    for membership in Membership.objects.values(
        "pk", "person_id", "cohort_id", "adopted_on", "exited_on", "exit_reason"
    ).iterator(chunk_size=5000):
        if membership["person_id"] in person_ids:
            stored[membership["person_id"], membership["cohort_id"]][membership["adopted_on"]] = membership

    repeated_keys(csv.rows, _key, "adopted_on")
    result = ImportPlan(update_fields=tuple(name for name in ("exited_on", "exit_reason") if name in csv.header))
    final: dict[tuple[int, int], dict[datetime.date, tuple[Interval, int | None]]] = defaultdict(dict)
    for pair, recorded in stored.items():
        for adopted, earlier in recorded.items():
            final[pair][adopted] = ((adopted, earlier["exited_on"]), None)

    for row in csv.tracked():
        pnc_id = row.text("pnc_id", required=True)
        person_id = people.get(pnc_id) if pnc_id else None
        if pnc_id is not None and person_id is None:
            row.error("pnc_id", f"the PNC ID of a person already recorded ({pnc_id} is not: import people first)")
        slug = row.text("cohort", required=True)
        cohort_id = cohorts.get(slug) if slug else None
        if slug is not None and cohort_id is None:
            row.error("cohort", f"the slug of an existing cohort ({slug!r} is not one: import cohorts first)")
        adopted_on = row.date("adopted_on", required=True)
        if person_id is None or cohort_id is None or adopted_on is None:
            continue
        current = stored[person_id, cohort_id].get(adopted_on)
        # The file's columns, over what is recorded (or an open membership when nothing is).
        exited_on = current["exited_on"] if current is not None else None
        exit_reason = current["exit_reason"] if current is not None else ""
        values: dict[str, object] = {}
        if row.has("exited_on"):
            exited_on = values["exited_on"] = row.date("exited_on")
        if row.has("exit_reason"):
            exit_reason = values["exit_reason"] = row.text("exit_reason") or ""
        if exited_on is not None:
            if exited_on < adopted_on:
                row.error("exited_on", f"an exit date on or after the adoption date {adopted_on}")
            if not exit_reason:
                row.error("exit_reason", "the reason for the exit (an exit date needs one)")
        final[person_id, cohort_id][adopted_on] = ((adopted_on, exited_on), row.number)
        if current is None:
            result.creates.append(
                {
                    "person_id": person_id,
                    "cohort_id": cohort_id,
                    "adopted_on": adopted_on,
                    "exited_on": exited_on,
                    "exit_reason": exit_reason,
                }
            )
            continue
        changes = changed_fields(current, values)
        if changes:
            result.updates.append(Change(pk=current["pk"], values=values, changes=changes, person_id=person_id))
        else:
            result.unchanged += 1

    rows_by_number = {row.number: row for row in csv.rows}
    for intervals in final.values():
        _report_overlaps(intervals, rows_by_number)
    return result


def _describe(interval: Interval, number: int | None) -> str:
    start, end = interval
    span = f"from {start} to {end}" if end else f"from {start}, open"
    return f"{span}, {'row ' + str(number) if number is not None else 'already recorded'}"


def _report_overlaps(memberships: dict[datetime.date, tuple[Interval, int | None]], rows: dict[int, Row]) -> None:
    """Report each file row whose membership overlaps another of the same person and cohort."""
    ordered = sorted(memberships.values(), key=lambda item: item[0][0])
    for position, (interval, number) in enumerate(ordered):
        for other, other_number in ordered[position + 1 :]:
            if not _overlaps(interval, other):
                continue
            for mine, theirs, theirs_number in ((number, other, other_number), (other_number, interval, number)):
                if mine is not None:
                    rows[mine].error(
                        "adopted_on",
                        "a membership that does not overlap another of this person in this cohort "
                        f"({_describe(theirs, theirs_number)})",
                    )
