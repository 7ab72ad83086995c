"""Reads of the Plan scorecard (docs/metrics.md "Plan scorecard"): each measure's actuals per period and its status,
and the later performance framework's view of the same figures as trends without targets.

Readers are IOM managers, analysts and administrators (docs/roles.md "The API at a glance";
administrators keep the Plan's reference data). Everything here is an aggregate: no person is named.

Where a period's value comes from:
- entered measures: the actual an IOM manager entered for that financial year, if any;
- ``iom_reoffending``: the proven reoffending binary rate of people with an index event in that financial
  year (``outcomes.metrics.reoffending``, as of today), as a per cent; suppressed or not yet measurable is
  no data;
- ``gateway_employers``: employers who have taken on an ex-offender, all-time up to the end of that year
  (``referrals.selectors.gateway_figures``): the Plan's goal is cumulative.

Queries: three for the objectives, measures and actuals, however many there are, plus one call of a computed
source per distinct (source, cohort, financial year), shared between measures and baselines.
"""

import datetime
import decimal
from decimal import Decimal
from typing import Any, Protocol

from django.db import models
from django.db.models import Prefetch
from django.http import Http404

from iom.models import User
from iom.services._validation import today as london_today
from outcomes import financial_years, metrics
from outcomes.models import MeasureKind, MeasureSource, PlanActual, PlanMeasure, PlanObjective
from outcomes.rules import READ_PLAN
from referrals import selectors as referral_selectors

ENTERED, COMPUTED = "entered", "computed"
VALUE_SOURCES = [(ENTERED, "Entered"), (COMPUTED, "Computed")]
_HUNDRED = Decimal(100)
_DOWN_IS_BETTER = frozenset({MeasureKind.REDUCE_BY_PCT, MeasureKind.REDUCE, MeasureKind.AT_MOST})
_NEEDS_BASELINE = frozenset({MeasureKind.REDUCE_BY_PCT, MeasureKind.REDUCE})


class MeasureStatus(models.TextChoices):
    MET = "met", "Met"
    ON_TRACK = "on_track", "On track"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"


def reads_plan(user: User | None) -> bool:
    return READ_PLAN.allows(user)


def ensure_reads_plan(*, user: User) -> None:
    READ_PLAN.ensure(user)


# --- Single records, for the edit pages and the API ------------------------------------------------------------


def plan_measure_get(*, user: User, code: str) -> PlanMeasure:
    """The measure with ``code``; 404 when there is none."""
    ensure_reads_plan(user=user)
    measure = PlanMeasure.objects.select_related("objective", "cohort").filter(code=code).first()
    if measure is None:
        raise Http404("No such measure.")
    return measure


def plan_actual_get(*, user: User, measure: PlanMeasure, period: int | None) -> PlanActual:
    """The entered actual of ``measure`` for ``period``; 404 when none was entered."""
    ensure_reads_plan(user=user)
    actual = None
    if period is not None:
        actual = PlanActual.objects.select_related("entered_by").filter(measure=measure, period=period).first()
    if actual is None:
        raise Http404("No actual has been entered for that year.")
    actual.measure = measure
    return actual


# --- Status ------------------------------------------------------------------------------------------------------


def _meets_target(*, kind: str, target: Decimal | None, baseline: Decimal | None, latest: Decimal) -> bool:
    # A figure the kind needs but the measure lacks is not met (the database requires a target of every kind but
    # reduce; measure_status reports a missing baseline as no data before asking).
    if kind == MeasureKind.REDUCE_BY_PCT:
        # (baseline - latest) / baseline >= target / 100, without dividing (exact at the boundary).
        return baseline is not None and target is not None and (baseline - latest) * _HUNDRED >= target * baseline
    if kind in (MeasureKind.REACH_RATE, MeasureKind.AT_LEAST):
        return target is not None and latest >= target
    if kind == MeasureKind.AT_MOST:
        return target is not None and latest <= target
    return baseline is not None and latest < baseline  # REDUCE


def measure_status(
    *, kind: str, target: Decimal | None, baseline: Decimal | None, values: list[Decimal], ended: bool
) -> str:
    """The scorecard's judgement of a measure from its values (oldest first, periods without data left out).

    The latest value is judged against the target, which applies to the measure's last period:
    - ``no_data``: no value yet; or the kind is judged against a baseline (reduce_by_pct, reduce) and none
      is known.
    - ``met``: the latest value meets the target —
      reduce_by_pct: down on the baseline by at least the target per cent ((baseline - latest) / baseline
      * 100 >= target; exactly the target is met); reach_rate and at_least: latest ≥ target; at_most:
      latest ≤ target; reduce (qualitative "reduced"): latest strictly below the baseline (equal is not
      reduced).
    - ``on_track``: not met, the measure's last period has not ended, and the latest value moved the right
      way — down for reduce_by_pct, reduce and at_most, up for reach_rate and at_least — strictly, from the
      value before it (the previous period with data, or the baseline when it is the first).
    - ``off_track``: anything else — not met once the period has ended, or not moving the right way, or
      nothing to compare the only value with.
    """
    if not values or (kind in _NEEDS_BASELINE and baseline is None):
        return MeasureStatus.NO_DATA
    latest = values[-1]
    if _meets_target(kind=kind, target=target, baseline=baseline, latest=latest):
        return MeasureStatus.MET
    previous = values[-2] if len(values) > 1 else baseline
    if not ended and previous is not None:
        improving = latest < previous if kind in _DOWN_IS_BETTER else latest > previous
        if improving:
            return MeasureStatus.ON_TRACK
    return MeasureStatus.OFF_TRACK


def _change_pct(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """(new - old) / old * 100 to 1 decimal place, half up; ``None`` without both values or when old is 0."""
    if old is None or new is None or old == 0:
        return None
    return ((new - old) * _HUNDRED / old).quantize(Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)


# --- Computed sources --------------------------------------------------------------------------------------------


class _ComputedValues:
    """The computed sources, each asked once per (source, cohort, year) however many measures share it."""

    def __init__(self, *, today: datetime.date):
        self.today = today
        self._cache: dict[tuple[str, int | None, int], Decimal | None] = {}

    def value(self, measure: PlanMeasure, year: int) -> Decimal | None:
        key = (measure.computed, measure.cohort_id, year)
        if key not in self._cache:
            self._cache[key] = self._compute(measure, year)
        return self._cache[key]

    def _compute(self, measure: PlanMeasure, year: int) -> Decimal | None:
        if measure.computed == MeasureSource.IOM_REOFFENDING:
            rate = metrics.reoffending(
                index_from=financial_years.start(year),
                index_to=financial_years.end(year),
                as_of=self.today,
                cohort=measure.cohort,
                with_breakdowns=False,
            )["binary_rate"]
            # The binary rate has 4 decimal places; as a per cent it has 2, exactly.
            return None if rate is None else (Decimal(str(rate)) * _HUNDRED).quantize(Decimal("0.01"))
        if measure.computed == MeasureSource.GATEWAY_EMPLOYERS:
            figures = referral_selectors.gateway_figures(date_from=None, date_to=financial_years.end(year))
            return Decimal(figures["employers_with_placement_started"])
        raise ValueError(f"Unknown computed source {measure.computed!r} on measure {measure.code}.")


# --- The scorecard and the framework ------------------------------------------------------------------------------


def _objectives() -> list[PlanObjective]:
    actuals = PlanActual.objects.order_by("period")
    measures = (
        PlanMeasure.objects.select_related("cohort")
        .prefetch_related(Prefetch("actuals", queryset=actuals))
        .order_by("position", "code")
    )
    return list(PlanObjective.objects.prefetch_related(Prefetch("measures", queryset=measures)))


def _points(measure: PlanMeasure, *, computed: _ComputedValues, today: datetime.date) -> list[dict[str, Any]]:
    """One point per financial year of the measure that has started, with its value or ``None`` (no data)."""
    last = min(measure.period_to, financial_years.of(today))
    entered = {actual.period: actual for actual in measure.actuals.all()}
    points = []
    for year in range(measure.period_from, last + 1):
        point: dict[str, Any] = {"period": year, "value": None, "source": None, "note": "", "version": None}
        if measure.computed:
            point["value"] = computed.value(measure, year)
            point["source"] = COMPUTED if point["value"] is not None else None
        elif year in entered:
            actual = entered[year]
            point.update(value=actual.value, source=ENTERED, note=actual.note, version=actual.version)
        points.append(point)
    return points


def _baseline(measure: PlanMeasure, *, computed: _ComputedValues) -> tuple[Decimal | None, str | None]:
    """The entered baseline; else, for a computed measure, its source's value for the baseline period."""
    if measure.baseline is not None:
        return measure.baseline, ENTERED
    if measure.computed and measure.baseline_period is not None:
        value = computed.value(measure, measure.baseline_period)
        return value, (COMPUTED if value is not None else None)
    return None, None


def _measure_score(measure: PlanMeasure, *, computed: _ComputedValues, today: datetime.date) -> dict[str, Any]:
    points = _points(measure, computed=computed, today=today)
    baseline, baseline_source = _baseline(measure, computed=computed)
    with_data = [point for point in points if point["value"] is not None]
    latest = with_data[-1] if with_data else None
    ended = today > financial_years.end(measure.period_to)
    return {
        "code": measure.code,
        "title": measure.title,
        "kind": measure.kind,
        "unit": measure.unit,
        "computed": measure.computed,
        "cohort": measure.cohort.slug if measure.cohort is not None else None,
        "baseline": baseline,
        "baseline_source": baseline_source,
        "baseline_period": measure.baseline_period,
        "target": measure.target,
        "period_from": measure.period_from,
        "period_to": measure.period_to,
        "ended": ended,
        "version": measure.version,
        "actuals": points,
        "latest": None if latest is None else {"period": latest["period"], "value": latest["value"]},
        "change_from_baseline_pct": _change_pct(baseline, latest["value"] if latest else None),
        "status": measure_status(
            kind=measure.kind,
            target=measure.target,
            baseline=baseline,
            values=[point["value"] for point in with_data],
            ended=ended,
        ),
    }


class _MeasureView(Protocol):
    def __call__(self, measure: PlanMeasure, *, computed: _ComputedValues, today: datetime.date) -> dict[str, Any]: ...


def _plan_report(*, user: User, today: datetime.date | None, measure_view: _MeasureView, points: str) -> dict[str, Any]:
    """What the scorecard and the framework share: every objective with each of its measures as ``measure_view``
    shows it, and every financial year found in the measures' ``points``."""
    ensure_reads_plan(user=user)
    today = today or london_today()
    computed = _ComputedValues(today=today)
    objectives: list[dict[str, Any]] = [
        {
            "code": objective.code,
            "position": objective.position,
            "title": objective.title,
            "measures": [measure_view(measure, computed=computed, today=today) for measure in objective.measures.all()],
        }
        for objective in _objectives()
    ]
    periods = sorted({point["period"] for o in objectives for m in o["measures"] for point in m[points]})
    return {"as_of": today, "periods": periods, "objectives": objectives}


def plan_scorecard(*, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """Every objective with its measures: baseline, target, a value per financial year that has started
    (entered, computed or ``None``), the latest value, the change from the baseline and the status
    (:func:`measure_status`). ``today`` (Europe/London by default) decides which years have started and
    ended and is the ``as_of`` of the reoffending figures."""
    return _plan_report(user=user, today=today, measure_view=_measure_score, points="actuals")


def _trend(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each year's value with its change from the last earlier year that has data."""
    trend, previous = [], None
    for point in points:
        value = point["value"]
        change = change_pct = direction = None
        if value is not None and previous is not None:
            change = value - previous
            change_pct = _change_pct(previous, value)
            direction = "up" if change > 0 else "down" if change < 0 else "level"
        trend.append(
            {
                "period": point["period"],
                "value": value,
                "source": point["source"],
                "change": change,
                "change_pct": change_pct,
                "direction": direction,
            }
        )
        if value is not None:
            previous = value
    return trend


def _measure_trend(measure: PlanMeasure, *, computed: _ComputedValues, today: datetime.date) -> dict[str, Any]:
    return {
        "code": measure.code,
        "title": measure.title,
        "unit": measure.unit,
        "computed": measure.computed,
        "cohort": measure.cohort.slug if measure.cohort is not None else None,
        "trend": _trend(_points(measure, computed=computed, today=today)),
    }


def plan_framework(*, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """The performance framework's view, as the Commissioner's later framework reported: each measure's values
    over the years with the change from one year to the next, and no baseline, target or status."""
    return _plan_report(user=user, today=today, measure_view=_measure_trend, points="trend")
