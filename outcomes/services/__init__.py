"""Writes of outcomes, one module per concern; import them from here."""

from outcomes.services.interventions import intervention_record, intervention_update
from outcomes.services.plan import plan_actual_change, plan_actual_record, plan_measure_update

__all__ = [
    "intervention_record",
    "intervention_update",
    "plan_actual_change",
    "plan_actual_record",
    "plan_measure_update",
]
