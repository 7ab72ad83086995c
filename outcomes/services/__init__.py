"""Writes of outcomes, one module per concern; import them from here."""

from outcomes.services.interventions import intervention_record, intervention_update

__all__ = ["intervention_record", "intervention_update"]
