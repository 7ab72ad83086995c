"""Proven reoffending (DESIGN.md, after the Ministry of Justice measure), as one aggregate query per window.

The query picks each person's index offence (earliest index event in the window, ties to the smallest
``record_id`` in code-point order), counts their proven reoffences with a correlated subquery over stored
dates, derives the age band in SQL, and groups by every breakdown dimension at once. The grouped rows are
bounded by the code lists (not by people), and Python only adds them up into the top level and the five
breakdowns, so the number of queries is the same for ten people or ten million.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Collate, ExtractDay, ExtractMonth, ExtractYear

from iom.models import Cohort, District, Ethnicity, Gender, Membership
from outcomes.metrics.rates import rate, wilson_interval
from outcomes.models import PROVEN_OUTCOMES, OffenceCategory, OffenceRecord

SUPPRESSION_THRESHOLD = 5
AGE_BANDS = ("under_18", "18_24", "25_34", "35_49", "50_plus")
DIMENSIONS: dict[str, tuple[str, Sequence[str]]] = {
    # breakdown key: (grouped column, codes in the order of DESIGN.md's formats)
    "gender": ("person__gender", Gender.values),
    "ethnicity": ("person__ethnicity", Ethnicity.values),
    "age_band": ("age_band", AGE_BANDS),
    "district": ("person__district", District.values),
    "index_offence_category": ("offence_category", OffenceCategory.values),
}
FIGURES = (
    "measurable",
    "reoffenders",
    "proven_reoffences",
    "binary_rate",
    "binary_rate_ci95",
    "frequency_per_offender",
    "frequency_per_reoffender",
)
QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")


def _code_point_order(field: str):
    """``record_id`` in plain code-point order: PostgreSQL's "C" collation; SQLite compares bytes already."""
    return Collate(F(field), "C") if connection.vendor == "postgresql" else F(field)


def cohort_overlap(*, cohort: Cohort, date_from: datetime.date, date_to: datetime.date) -> Exists:
    """Whether the outer row's person had a membership of ``cohort`` overlapping the window by a day or more.

    ``exited_on`` is the member's last day (inclusive) and an open membership runs on.
    """
    return Exists(
        Membership.objects.filter(person_id=OuterRef("person_id"), cohort=cohort, adopted_on__lte=date_to).filter(
            Q(exited_on__isnull=True) | Q(exited_on__gte=date_from)
        )
    )


def index_offences(
    *, index_from: datetime.date, index_to: datetime.date, cohort: Cohort | None = None
) -> QuerySet[OffenceRecord]:
    """One record per person in the measure: the one giving their index date in the window."""
    in_window = OffenceRecord.objects.filter(index_date__gte=index_from, index_date__lte=index_to)
    if cohort is not None:
        in_window = in_window.filter(cohort_overlap(cohort=cohort, date_from=index_from, date_to=index_to))
    first = (
        OffenceRecord.objects.filter(
            person_id=OuterRef("person_id"), index_date__gte=index_from, index_date__lte=index_to
        )
        .order_by("index_date", _code_point_order("record_id"))
        .values("pk")[:1]
    )
    return in_window.filter(pk=Subquery(first))


def _proven_reoffences() -> Coalesce:
    """Proven reoffences of the outer index record's person: committed after the index date and by the
    follow-up end, proven (conviction or caution) by the waiting end, and not a breach."""
    reoffences = (
        OffenceRecord.objects.filter(
            person_id=OuterRef("person_id"),
            offence_date__gt=OuterRef("index_date"),
            offence_date__lte=OuterRef("follow_up_end"),
            outcome__in=PROVEN_OUTCOMES,
            outcome_date__lte=OuterRef("waiting_end"),
        )
        .exclude(offence_category=OffenceCategory.BREACH)
        .order_by()
        .values("person_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(reoffences, output_field=IntegerField()), Value(0))


def _with_age_band(records: QuerySet[OffenceRecord]) -> QuerySet[OffenceRecord]:
    """Annotate the age band: completed years on the index date, from stored dates in SQL (a birthday still to
    come that year takes one off, so a 29 February birthday comes on 1 March in other years)."""
    records = records.annotate(
        index_month=ExtractMonth("index_date"),
        index_day=ExtractDay("index_date"),
        birth_month=ExtractMonth("person__date_of_birth"),
        birth_day=ExtractDay("person__date_of_birth"),
    )
    birthday_to_come = Case(
        When(
            Q(index_month__lt=F("birth_month")) | Q(index_month=F("birth_month"), index_day__lt=F("birth_day")),
            then=Value(1),
        ),
        default=Value(0),
    )
    records = records.annotate(
        age_at_index=ExtractYear("index_date") - ExtractYear("person__date_of_birth") - birthday_to_come
    )
    return records.annotate(
        age_band=Case(
            When(age_at_index__lt=18, then=Value("under_18")),
            When(age_at_index__lt=25, then=Value("18_24")),
            When(age_at_index__lt=35, then=Value("25_34")),
            When(age_at_index__lt=50, then=Value("35_49")),
            default=Value("50_plus"),
        )
    )


def _grouped_rows(
    *, index_from: datetime.date, index_to: datetime.date, as_of: datetime.date, cohort: Cohort | None
) -> list[dict[str, Any]]:
    """Index people counted by every breakdown value and measurability at once (rows bounded by the codes)."""
    records = _with_age_band(index_offences(index_from=index_from, index_to=index_to, cohort=cohort)).annotate(
        is_measurable=Case(When(waiting_end__lte=as_of, then=Value(1)), default=Value(0)),
        reoffences=_proven_reoffences(),
    )
    columns = [column for column, _codes in DIMENSIONS.values()]
    return list(
        records.order_by()
        .values(*columns, "is_measurable")
        .annotate(
            people=Count("pk"),
            reoffenders=Count("pk", filter=Q(reoffences__gt=0)),
            proven_reoffences=Sum("reoffences"),
        )
    )


def _figures(*, value: Any = None, measurable: int, reoffenders: int, proven: int, with_value: bool) -> dict:
    cell: dict[str, Any] = {"value": value} if with_value else {}
    if measurable < SUPPRESSION_THRESHOLD:
        cell.update(dict.fromkeys(FIGURES))
        cell["suppressed"] = True
        return cell
    cell.update(
        {
            "measurable": measurable,
            "reoffenders": reoffenders,
            "proven_reoffences": proven,
            "binary_rate": rate(reoffenders, measurable),
            "binary_rate_ci95": wilson_interval(reoffenders, measurable),
            "frequency_per_offender": rate(proven, measurable),
            "frequency_per_reoffender": rate(proven, reoffenders),
            "suppressed": False,
        }
    )
    return cell


def _breakdown(rows: Iterable[Mapping[str, Any]], column: str, codes: Sequence[str]) -> list[dict[str, Any]]:
    """One cell per value among measurable people, in the formats' order, the ``null`` cell last."""
    totals: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        total = totals[row[column]]
        total[0] += row["people"]
        total[1] += row["reoffenders"]
        total[2] += row["proven_reoffences"] or 0
    order = {code: position for position, code in enumerate(codes)}
    values = sorted(totals, key=lambda value: (value is None, order.get(value, len(order)), str(value)))
    return [
        _figures(
            value=value,
            measurable=totals[value][0],
            reoffenders=totals[value][1],
            proven=totals[value][2],
            with_value=True,
        )
        for value in values
    ]


def reoffending(
    *,
    index_from: datetime.date,
    index_to: datetime.date,
    as_of: datetime.date,
    cohort: Cohort | None = None,
    with_breakdowns: bool = True,
) -> dict[str, Any]:
    """The proven reoffending measure of the people whose index date falls in ``index_from``..``index_to``.

    Returns the response object of DESIGN.md "Metric API" (dates as ISO strings, rates as numbers).
    """
    rows = _grouped_rows(index_from=index_from, index_to=index_to, as_of=as_of, cohort=cohort)
    measurable_rows = [row for row in rows if row["is_measurable"]]
    everyone = sum(row["people"] for row in rows)
    measurable = sum(row["people"] for row in measurable_rows)
    result: dict[str, Any] = {
        "index_from": index_from.isoformat(),
        "index_to": index_to.isoformat(),
        "as_of": as_of.isoformat(),
        "cohort": cohort.slug if cohort is not None else None,
        "people_with_index_event": everyone,
        "not_yet_measurable": everyone - measurable,
    }
    result.update(
        _figures(
            measurable=measurable,
            reoffenders=sum(row["reoffenders"] for row in measurable_rows),
            proven=sum(row["proven_reoffences"] or 0 for row in measurable_rows),
            with_value=False,
        )
    )
    if with_breakdowns:
        result["breakdowns"] = {
            key: _breakdown(measurable_rows, column, codes) for key, (column, codes) in DIMENSIONS.items()
        }
    return result


def parse_quarter(text: str) -> tuple[datetime.date, datetime.date]:
    """``"2018Q1"`` → (2018-01-01, 2018-03-31); ValueError for anything else."""
    match = QUARTER_PATTERN.match(text or "")
    if not match:
        raise ValueError(f"Enter a quarter as YYYYQn, for example 2018Q1 (not {text!r}).")
    year, quarter = int(match.group(1)), int(match.group(2))
    first = datetime.date(year, 3 * quarter - 2, 1)
    following = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return first, following - datetime.timedelta(days=1)


def quarters_between(from_quarter: str, to_quarter: str) -> list[tuple[str, datetime.date, datetime.date]]:
    """Each calendar quarter from ``from_quarter`` to ``to_quarter`` inclusive, as (label, first day, last day)."""
    start, _ = parse_quarter(from_quarter)
    end, _ = parse_quarter(to_quarter)
    quarters = []
    day = start
    while day <= end:
        first, last = parse_quarter(f"{day.year}Q{(day.month - 1) // 3 + 1}")
        quarters.append((f"{first.year}Q{(first.month - 1) // 3 + 1}", first, last))
        day = last + datetime.timedelta(days=1)
    return quarters


def reoffending_quarterly(
    *, from_quarter: str, to_quarter: str, as_of: datetime.date, cohort: Cohort | None = None
) -> dict[str, Any]:
    """The measure for each calendar-quarter index window, for trend charts: one query per quarter."""
    quarters = []
    for label, first, last in quarters_between(from_quarter, to_quarter):
        figures = reoffending(index_from=first, index_to=last, as_of=as_of, cohort=cohort, with_breakdowns=False)
        quarters.append({"quarter": label, **figures})
    return {"quarters": quarters}
