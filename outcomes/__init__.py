"""Interventions, offence records, reoffending metrics and the Plan scorecard (built with the outcomes issue)."""
