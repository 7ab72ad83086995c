"""Pre/post adoption (docs/metrics.md, the national IOM tool's view): offences in the year before and the year after
each member's first adoption into a cohort, and what they cost.

The windows of an adoption date are calendar arithmetic, done in Python once per distinct date and kept in
:class:`~outcomes.models.AdoptionWindow`; the counting is one grouped SQL statement over stored dates
(plain SQL: the ORM would repeat each correlated subquery for every reference to a window date).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import connection

from iom.dates import add_months, one_year_after, one_year_before, six_months_after
from iom.models import Cohort, Membership
from outcomes.metrics.rates import round_half_up
from outcomes.models import PROVEN_OUTCOMES, AdoptionWindow, CrimeUnitCost, OffenceCategory, OffenceRecord

SUPPRESSION_THRESHOLD = 5
FIGURES = (
    "members",
    "offences_before",
    "offences_after",
    "change_pct",
    "cost_before",
    "cost_after",
    "cost_change",
    "uncosted_offences",
    "by_category",
)


def adoption_window(adopted_on: datetime.date) -> AdoptionWindow:
    """The windows of one adoption date. *Before* runs from a year before to the day before; *after* from the
    adoption date to the day before a year after; each counts outcomes up to six months after its last day."""
    before_last = adopted_on - datetime.timedelta(days=1)
    after_until = one_year_after(adopted_on)
    return AdoptionWindow(
        adopted_on=adopted_on,
        before_from=one_year_before(adopted_on),
        before_cutoff=six_months_after(before_last),
        after_until=after_until,
        after_cutoff=six_months_after(after_until - datetime.timedelta(days=1)),
        measurable_on=add_months(adopted_on, 18),
    )


def ensure_adoption_windows(*, cohort: Cohort) -> None:
    """Add the windows of adoption dates not seen before (one row per date, so at most a few thousand)."""
    missing = (
        Membership.objects.filter(cohort=cohort)
        .exclude(adopted_on__in=AdoptionWindow.objects.values("adopted_on"))
        .order_by()  # the model's ordering would put the id into the DISTINCT: one row per date, not per member
        .values_list("adopted_on", flat=True)
        .distinct()
    )
    windows = [adoption_window(day) for day in missing]
    if windows:
        AdoptionWindow.objects.bulk_create(windows, ignore_conflicts=True)


# One statement, the same on SQLite and PostgreSQL: each member's first adoption, joined to the stored windows
# of that date, then their proven, non-breach offences counted into *before* and *after* by category.
_MEMBERS_CTE = """
WITH firsts AS (
    SELECT person_id, MIN(adopted_on) AS adopted_on FROM {membership} WHERE cohort_id = %s GROUP BY person_id
), members AS (
    SELECT f.person_id, f.adopted_on, w.before_from, w.before_cutoff, w.after_until, w.after_cutoff
    FROM firsts f JOIN {window} w ON w.adopted_on = f.adopted_on
    WHERE w.measurable_on <= %s
)
"""
_MEMBERS_SQL = _MEMBERS_CTE + "SELECT COUNT(*) FROM members"  # noqa: S608 (table names only, values are parameters)
_COUNTS_SQL = (
    _MEMBERS_CTE
    + """
SELECT o.offence_category,
    SUM(CASE WHEN o.offence_date < m.adopted_on AND o.outcome_date <= m.before_cutoff THEN 1 ELSE 0 END),
    SUM(CASE WHEN o.offence_date >= m.adopted_on AND o.outcome_date <= m.after_cutoff THEN 1 ELSE 0 END)
FROM members m JOIN {offence} o ON o.person_id = m.person_id
WHERE o.offence_date >= m.before_from AND o.offence_date < m.after_until
    AND o.outcome IN (%s, %s) AND o.offence_category <> %s
GROUP BY o.offence_category
"""
)


def _run(sql: str, params: list[Any]) -> list[tuple]:
    tables = {
        "membership": connection.ops.quote_name(Membership._meta.db_table),
        "window": connection.ops.quote_name(AdoptionWindow._meta.db_table),
        "offence": connection.ops.quote_name(OffenceRecord._meta.db_table),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**tables), params)
        return cursor.fetchall()


def _members_and_counts(*, cohort: Cohort, as_of: datetime.date) -> tuple[int, dict[str, tuple[int, int]]]:
    """The number of members and ``{category: (before, after)}``."""
    params: list[Any] = [cohort.pk, connection.ops.adapt_datefield_value(as_of)]
    ((members,),) = _run(_MEMBERS_SQL, params)
    if members < SUPPRESSION_THRESHOLD:
        return members, {}
    rows = _run(_COUNTS_SQL, [*params, *PROVEN_OUTCOMES, OffenceCategory.BREACH.value])
    return members, {category: (int(before), int(after)) for category, before, after in rows}


def _pounds(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pre_post(*, cohort: Cohort, as_of: datetime.date) -> dict[str, Any]:
    """The pre/post adoption figures of ``cohort`` as of ``as_of`` (the response of docs/metrics.md "Metric API")."""
    ensure_adoption_windows(cohort=cohort)
    members, counts = _members_and_counts(cohort=cohort, as_of=as_of)
    result: dict[str, Any] = {"cohort": cohort.slug, "as_of": as_of.isoformat()}
    if members < SUPPRESSION_THRESHOLD:
        result.update(dict.fromkeys(FIGURES))
        result["suppressed"] = True
        return result
    costs = dict(CrimeUnitCost.objects.values_list("category", "unit_cost"))
    by_category = []
    total_before = total_after = uncosted = 0
    cost_before = cost_after = Decimal(0)
    for category in OffenceCategory.values:
        before, after = counts.get(category, (0, 0))
        if not (before or after):
            continue
        total_before += before
        total_after += after
        unit = costs.get(category)
        if unit is None:
            uncosted += before + after
            category_before = category_after = None
        else:
            cost_before += unit * before
            cost_after += unit * after
            category_before, category_after = _pounds(unit * before), _pounds(unit * after)
        by_category.append(
            {
                "category": category,
                "before": before,
                "after": after,
                "cost_before": category_before,
                "cost_after": category_after,
            }
        )
    result.update(
        {
            "members": members,
            "offences_before": total_before,
            "offences_after": total_after,
            "change_pct": (
                round_half_up(Fraction(total_after - total_before, total_before) * 100, 1) if total_before else None
            ),
            "cost_before": _pounds(cost_before),
            "cost_after": _pounds(cost_after),
            "cost_change": _pounds(cost_after) - _pounds(cost_before),
            "uncosted_offences": uncosted,
            "by_category": by_category,
            "suppressed": False,
        }
    )
    return result
