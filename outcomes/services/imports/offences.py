"""offences files: ``record_id`` (key from the source system), the person, the offence, and how it was proved.

Each record's index event, follow-up end and waiting end are derived here, as the rows are written (bulk writes
skip ``save()``), with the same function the model uses.
"""

from iom.models import Person
from outcomes.models import PROVEN_OUTCOMES, Disposal, OffenceCategory, OffenceOutcome, OffenceRecord, derived_dates
from outcomes.services.imports.plan import Change, ImportPlan
from outcomes.services.imports.reader import Columns, CsvFile, Row, changed_fields, repeated_keys

COLUMNS = Columns(
    required=("record_id", "pnc_id", "offence_date", "offence_category", "outcome"),
    optional=("outcome_date", "disposal", "release_date"),
)
MODEL = OffenceRecord
STORED = (
    "person_id",
    "offence_date",
    "offence_category",
    "outcome",
    "outcome_date",
    "disposal",
    "release_date",
    "index_date",
    "follow_up_end",
    "waiting_end",
)
OPTIONAL = ("outcome_date", "disposal", "release_date")
# Django's ``Choices.values`` builds a new list on every access: read the codes once.
CATEGORIES = tuple(OffenceCategory.values)
OUTCOMES = tuple(OffenceOutcome.values)
DISPOSALS = tuple(Disposal.values)


def _check(row: Row, record: dict) -> None:
    """The rules between a record's cells, on the merged record (a missing column keeps the stored value)."""
    outcome, disposal = record["outcome"], record["disposal"]
    outcome_date, release_date = record["outcome_date"], record["release_date"]
    if outcome in PROVEN_OUTCOMES and outcome_date is None:
        row.error("outcome_date", f"the date of the {outcome} (required when the outcome is {outcome})")
    if outcome not in PROVEN_OUTCOMES and outcome_date is not None:
        row.error("outcome_date", f"no outcome date when the outcome is {outcome}")
    if outcome == OffenceOutcome.CONVICTION and disposal is None:
        row.error("disposal", f"the disposal of the conviction: one of {', '.join(DISPOSALS)}")
    if outcome != OffenceOutcome.CONVICTION and disposal is not None:
        row.error("disposal", f"no disposal when the outcome is {outcome} (only a conviction has one)")
    if release_date is not None and disposal != Disposal.CUSTODY:
        row.error("release_date", "no release date unless the disposal is custody")
    offence_date = record["offence_date"]
    if outcome_date is not None and offence_date is not None and outcome_date < offence_date:
        row.error("outcome_date", f"an outcome date on or after the offence date {offence_date}")
    if release_date is not None and outcome_date is not None and release_date < outcome_date:
        row.error("release_date", f"a release date on or after the outcome date {outcome_date}")


def plan(csv: CsvFile) -> ImportPlan:
    record_ids = {row.cells.get("record_id") for row in csv.rows}
    pnc_ids = {row.cells.get("pnc_id") for row in csv.rows}
    people = {
        pnc_id: pk
        for pnc_id, pk in Person.objects.values_list("pnc_id", "pk").iterator(chunk_size=10_000)
        if pnc_id in pnc_ids
    }
    stored = {
        record["record_id"]: record
        for record in OffenceRecord.objects.values("pk", "record_id", *STORED).iterator(chunk_size=10_000)
        if record["record_id"] in record_ids
    }
    repeated_keys(csv.rows, lambda row: row.cells.get("record_id"), "record_id")
    present = tuple(name for name in OPTIONAL if name in csv.header)
    result = ImportPlan(update_fields=(*STORED[:4], *present, *STORED[7:]))
    for row in csv.tracked():
        record_id = row.text("record_id", required=True, max_length=100)
        pnc_id = row.text("pnc_id", required=True)
        person_id = people.get(pnc_id) if pnc_id else None
        if pnc_id is not None and person_id is None:
            row.error("pnc_id", f"the PNC ID of a person already recorded ({pnc_id} is not: import people first)")
        values = {
            "person_id": person_id,
            "offence_date": row.date("offence_date", required=True),
            "offence_category": row.code("offence_category", CATEGORIES, required=True),
            "outcome": row.code("outcome", OUTCOMES, required=True),
        }
        for name in present:
            values[name] = row.code(name, DISPOSALS) if name == "disposal" else row.date(name)
        current = stored.get(record_id) if record_id else None
        if current is not None and person_id is not None and current["person_id"] != person_id:
            row.error("pnc_id", f"the person record {record_id} already belongs to (a record cannot move to another)")
        merged = dict.fromkeys(OPTIONAL) if current is None else {name: current[name] for name in OPTIONAL}
        merged.update(values)
        outcome = merged["outcome"]  # None only when the cell was refused (an error on the row)
        if outcome is not None:
            _check(row, merged)
        if outcome is None or record_id is None or row.errors:
            continue  # once the file has an error nothing is written: stop planning, keep checking
        merged["index_date"], merged["follow_up_end"], merged["waiting_end"] = derived_dates(
            outcome=outcome,
            disposal=merged["disposal"],
            outcome_date=merged["outcome_date"],
            release_date=merged["release_date"],
        )
        if current is None:
            result.creates.append({"record_id": record_id, **merged})
            continue
        new = {name: merged[name] for name in result.update_fields}
        changes = changed_fields(current, new)
        if changes:
            result.updates.append(Change(pk=current["pk"], values=new, changes=changes, person_id=person_id))
        else:
            result.unchanged += 1
    return result
