"""Proven reoffending (docs/metrics.md, after the Ministry of Justice measure), as one aggregate query.

The query picks each person's index offence in each window (earliest index event, ties to the smallest
``record_id`` in code-point order), counts their proven reoffences with a correlated subquery over stored
dates, derives the age band in SQL, and groups by every breakdown dimension at once. The grouped rows are
bounded by the code lists (not by people), and Python only adds them up into the top level and the five
breakdowns, so the number of queries is the same for ten people or ten million: one for the measure, one for
a whole quarterly series.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection

from iom.models import Cohort, District, Ethnicity, Gender, Membership, Person
from outcomes.metrics.rates import rate, wilson_interval
from outcomes.models import PROVEN_OUTCOMES, OffenceCategory, OffenceRecord

SUPPRESSION_THRESHOLD = 5
# The age bands as (upper limit in completed years, band), the last band open-ended: the SQL and Python both
# read this one table, so a band stored at erasure is the band the query would have given.
AGE_BAND_LIMITS = ((18, "under_18"), (25, "18_24"), (35, "25_34"), (50, "35_49"))
OLDEST_BAND = "50_plus"
AGE_BANDS = (*(band for _limit, band in AGE_BAND_LIMITS), OLDEST_BAND)
AGE_BAND_LABELS = {
    "under_18": "Under 18",
    "18_24": "18 to 24",
    "25_34": "25 to 34",
    "35_49": "35 to 49",
    "50_plus": "50 or over",
}
DIMENSIONS: dict[str, tuple[str, Sequence[str]]] = {
    # breakdown key: (grouped column, codes in the order of docs/data-formats.md)
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
COUNTS = ("people", "reoffenders", "proven_reoffences")


# One statement for any number of index windows (one for the measure, one per quarter for the series), the same
# on SQLite and PostgreSQL but for the two fragments in _VENDOR. Each person's index offence in a window is the
# first by index date and then record_id (ROW_NUMBER over person and window); their proven reoffences are counted
# against the stored follow-up and waiting ends; the rows are grouped by window, measurability and (for the
# measure) the five breakdowns, so the result is bounded by the code lists, not by people.
_SQL = """
WITH windows(label, first_day, last_day) AS (VALUES {windows}),
candidates AS (
    SELECT w.label, r.id, r.person_id, r.record_id, r.index_date, r.follow_up_end, r.waiting_end, r.offence_category,
        r.index_age_band
    FROM {offence} r JOIN windows w ON r.index_date >= w.first_day AND r.index_date <= w.last_day
    {cohort}
),
ranked AS (
    SELECT c.*, ROW_NUMBER() OVER (
        PARTITION BY c.label, c.person_id ORDER BY c.index_date, c.record_id {collate}
    ) AS position
    FROM candidates c
),
firsts AS (
    SELECT f.*, (
        SELECT COUNT(*) FROM {offence} o
        WHERE o.person_id = f.person_id AND o.offence_date > f.index_date AND o.offence_date <= f.follow_up_end
            AND o.outcome IN (%s, %s) AND o.outcome_date <= f.waiting_end AND o.offence_category <> %s
    ) AS reoffences
    FROM ranked f WHERE f.position = 1
)
SELECT f.label, CASE WHEN f.waiting_end <= %s THEN 1 ELSE 0 END AS is_measurable{dimensions},
    COUNT(*), SUM(CASE WHEN f.reoffences > 0 THEN 1 ELSE 0 END), SUM(f.reoffences)
FROM firsts f JOIN {person} p ON p.id = f.person_id
GROUP BY {group_by}
"""
_COHORT = """WHERE EXISTS (
        SELECT 1 FROM {membership} m
        WHERE m.person_id = r.person_id AND m.cohort_id = %s AND m.adopted_on <= w.last_day
            AND (m.exited_on IS NULL OR m.exited_on >= w.first_day)
    )"""
# Completed years as (YYYYMMDD of the index date - YYYYMMDD of birth) // 10000: a birthday on 29 February comes
# on 1 March in other years (20010228 - 20000229 = 9999: not yet one). Plain code-point order for record_id.
_VENDOR = {
    "postgresql": {"yyyymmdd": "CAST(TO_CHAR({}, 'YYYYMMDD') AS INTEGER)", "collate": 'COLLATE "C"'},
    "sqlite": {"yyyymmdd": "CAST(strftime('%%Y%%m%%d', {}) AS INTEGER)", "collate": "COLLATE BINARY"},
}
_AGE_BANDS_SQL = (
    "CASE "
    + " ".join(f"WHEN {{age}} < {limit} THEN '{band}'" for limit, band in AGE_BAND_LIMITS)
    + f" ELSE '{OLDEST_BAND}' END"
)
# An erased person has no date of birth: erasure stored each record's band on its index date instead
# (outcomes/services/retention.py, with age_band below), so their cells stay where they were.
_AGE_BAND_SQL = "CASE WHEN p.date_of_birth IS NULL THEN NULLIF(f.index_age_band, '') ELSE {bands} END"


def age_band(age: int) -> str:
    """The band of an age in completed years, exactly as ``_AGE_BANDS_SQL`` gives it."""
    return next((band for limit, band in AGE_BAND_LIMITS if age < limit), OLDEST_BAND)


_DIMENSION_SQL = {
    "person__gender": "p.gender",
    "person__ethnicity": "p.ethnicity",
    "age_band": None,  # built from _AGE_BANDS_SQL
    "person__district": "p.district",
    "offence_category": "f.offence_category",
}


def _grouped_rows(
    *,
    windows: Sequence[tuple[str, datetime.date, datetime.date]],
    as_of: datetime.date,
    cohort: Cohort | None,
    with_breakdowns: bool,
) -> list[dict[str, Any]]:
    """Index people counted by window, measurability and (``with_breakdowns``) every breakdown value at once."""
    vendor = _VENDOR[connection.vendor]
    quote = connection.ops.quote_name
    day = connection.ops.adapt_datefield_value
    age = f"(({vendor['yyyymmdd'].format('f.index_date')} - {vendor['yyyymmdd'].format('p.date_of_birth')}) / 10000)"
    columns = [column for column, _codes in DIMENSIONS.values()] if with_breakdowns else []
    age_band_sql = _AGE_BAND_SQL.format(bands=_AGE_BANDS_SQL.format(age=age))
    expressions = [_DIMENSION_SQL[column] or age_band_sql for column in columns]
    sql = _SQL.format(
        windows=", ".join(["(%s, %s, %s)"] * len(windows)),
        offence=quote(OffenceRecord._meta.db_table),
        person=quote(Person._meta.db_table),
        cohort=_COHORT.format(membership=quote(Membership._meta.db_table)) if cohort is not None else "",
        collate=vendor["collate"],
        dimensions="".join(f", {expression}" for expression in expressions),
        group_by=", ".join(str(position) for position in range(1, 3 + len(columns))),
    )
    params: list[Any] = [value for label, first, last in windows for value in (label, day(first), day(last))]
    if cohort is not None:
        params.append(cohort.pk)
    params += [*PROVEN_OUTCOMES, OffenceCategory.BREACH.value, day(as_of)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    names = ["window", "is_measurable", *columns]
    # PostgreSQL sums integers as numeric (Decimal): the counts are made ints again here.
    return [
        {**dict(zip(names, row, strict=False)), **dict(zip(COUNTS, map(int, row[len(names) :]), strict=True))}
        for row in fetched
    ]


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


def _measure(
    rows: Sequence[Mapping[str, Any]],
    *,
    index_from: datetime.date,
    index_to: datetime.date,
    as_of: datetime.date,
    cohort: Cohort | None,
    with_breakdowns: bool,
) -> dict[str, Any]:
    """One window's response object from its grouped rows."""
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


def reoffending(
    *,
    index_from: datetime.date,
    index_to: datetime.date,
    as_of: datetime.date,
    cohort: Cohort | None = None,
    with_breakdowns: bool = True,
) -> dict[str, Any]:
    """The proven reoffending measure of the people whose index date falls in ``index_from``..``index_to``.

    Returns the response object of docs/metrics.md "Metric API" (dates as ISO strings, rates as numbers).
    """
    rows = _grouped_rows(
        windows=[("all", index_from, index_to)], as_of=as_of, cohort=cohort, with_breakdowns=with_breakdowns
    )
    return _measure(
        rows, index_from=index_from, index_to=index_to, as_of=as_of, cohort=cohort, with_breakdowns=with_breakdowns
    )


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
    """The measure for each calendar-quarter index window, for trend charts: one query for all the quarters."""
    windows = quarters_between(from_quarter, to_quarter)
    rows = _grouped_rows(windows=windows, as_of=as_of, cohort=cohort, with_breakdowns=False)
    by_window: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_window[row["window"]].append(row)
    quarters = [
        {
            "quarter": label,
            **_measure(
                by_window[label], index_from=first, index_to=last, as_of=as_of, cohort=cohort, with_breakdowns=False
            ),
        }
        for label, first, last in windows
    ]
    return {"quarters": quarters}
