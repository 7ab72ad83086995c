"""Models of outcomes, one module per concern; import them from here."""

from outcomes.models.imports import FINISHED_STATES, RUNNING_STATES, ImportKind, ImportRun, ImportState
from outcomes.models.interventions import Intervention, InterventionOutcome, Programme, ProgrammeType
from outcomes.models.metrics import AdoptionWindow, CrimeUnitCost, MetricKind, MetricSnapshot
from outcomes.models.offences import (
    PROVEN_OUTCOMES,
    Disposal,
    OffenceCategory,
    OffenceOutcome,
    OffenceRecord,
    derived_dates,
)
from outcomes.models.plan import MeasureKind, MeasureSource, MeasureUnit, PlanActual, PlanMeasure, PlanObjective
from outcomes.models.retention import RetentionDecision, RetentionDecisionKind, RetentionSchedule

__all__ = [
    "FINISHED_STATES",
    "PROVEN_OUTCOMES",
    "RUNNING_STATES",
    "AdoptionWindow",
    "CrimeUnitCost",
    "Disposal",
    "ImportKind",
    "ImportRun",
    "ImportState",
    "Intervention",
    "InterventionOutcome",
    "MeasureKind",
    "MeasureSource",
    "MeasureUnit",
    "MetricKind",
    "MetricSnapshot",
    "OffenceCategory",
    "OffenceOutcome",
    "OffenceRecord",
    "PlanActual",
    "PlanMeasure",
    "PlanObjective",
    "Programme",
    "ProgrammeType",
    "RetentionDecision",
    "RetentionDecisionKind",
    "RetentionSchedule",
    "derived_dates",
]
