"""Reads of outcomes, one module per concern; import them from here."""

from outcomes.selectors.interventions import intervention_list_visible_to, programme_list

__all__ = ["intervention_list_visible_to", "programme_list"]
