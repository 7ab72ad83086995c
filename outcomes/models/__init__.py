"""Models of outcomes, one module per concern; import them from here."""

from outcomes.models.imports import FINISHED_STATES, ImportKind, ImportRun, ImportState
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

__all__ = [
    "FINISHED_STATES",
    "PROVEN_OUTCOMES",
    "AdoptionWindow",
    "CrimeUnitCost",
    "Disposal",
    "ImportKind",
    "ImportRun",
    "ImportState",
    "Intervention",
    "InterventionOutcome",
    "MetricKind",
    "MetricSnapshot",
    "OffenceCategory",
    "OffenceOutcome",
    "OffenceRecord",
    "Programme",
    "ProgrammeType",
    "derived_dates",
]
