"""Helpers shared by the Plan scorecard tests (tests/outcomes/test_plan_*.py, tests/web/plan/test_pages_plan.py,
tests/api/test_api_plan.py).

The computed reoffending source calls ``outcomes.metrics.reoffending``; tests of the scorecard itself replace
it with :func:`fake_reoffending` so they judge the scorecard's rules, not the metric's (which has its own
tests). ``test_plan_selectors`` also runs the real metric end to end.
"""

import datetime
from decimal import Decimal
from typing import Any

from outcomes import metrics
from outcomes.models import MeasureKind, MeasureUnit, PlanActual, PlanMeasure, PlanObjective

SEEDED_CODES = [
    "priority-crime",
    "serious-violence-detection-rate",
    "asb-incidents",
    "night-time-economy-violent-and-sexual-crime",
    "prolific-offender-reoffending",
    "gateway-employers",
    "serious-sexual-offence-detection-rate",
    "public-satisfaction",
    "domestic-abuse-detection-rate",
    "ksi-road-collisions",
]
# Far enough on that every seeded measure has ended; the selectors take ``today`` for the rules about time.
AFTER_THE_PLAN = datetime.date(2026, 6, 1)


def fake_reoffending(monkeypatch, rates: dict[int, float | None]) -> list[dict[str, Any]]:
    """Replace the metric with one giving ``rates[financial year]`` (``None`` when absent); return its calls."""
    calls: list[dict[str, Any]] = []

    def reoffending(*, index_from, index_to, as_of, cohort=None, with_breakdowns=True):
        calls.append(
            {
                "index_from": index_from,
                "index_to": index_to,
                "as_of": as_of,
                "cohort": cohort,
                "with_breakdowns": with_breakdowns,
            }
        )
        return {"binary_rate": rates.get(index_from.year), "suppressed": rates.get(index_from.year) is None}

    monkeypatch.setattr(metrics, "reoffending", reoffending)
    return calls


def make_measure(**values: Any) -> PlanMeasure:
    """An entered count measure over 2013/14 to 2015/16, at most 100, unless told otherwise."""
    defaults: dict[str, Any] = {
        "objective": PlanObjective.objects.get(code="reduce-reoffending"),
        "position": 50,
        "title": "A test measure",
        "kind": MeasureKind.AT_MOST,
        "unit": MeasureUnit.COUNT,
        "target": Decimal(100),
        "period_from": 2013,
        "period_to": 2015,
    }
    defaults.update(values)
    defaults.setdefault("code", f"test-{PlanMeasure.objects.count()}")
    return PlanMeasure.objects.create(**defaults)


def enter(measure: PlanMeasure, user, **values_by_year: Any) -> None:
    """Store actuals directly, e.g. ``enter(m, manager, y2013=120, y2014=110)``."""
    for key, value in values_by_year.items():
        PlanActual.objects.create(measure=measure, period=int(key[1:]), value=Decimal(str(value)), entered_by=user)


def seeded(code: str) -> PlanMeasure:
    return PlanMeasure.objects.get(code=code)
