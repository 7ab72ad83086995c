"""Reads of outcomes, one module per concern; import them from here."""

from outcomes.selectors.interventions import intervention_list_visible_to, programme_list
from outcomes.selectors.plan import plan_actual_get, plan_framework, plan_measure_get, plan_scorecard

__all__ = [
    "intervention_list_visible_to",
    "plan_actual_get",
    "plan_framework",
    "plan_measure_get",
    "plan_scorecard",
    "programme_list",
]
