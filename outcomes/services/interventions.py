"""Writes to interventions: record one delivered to a person on a case, and update it as it goes on."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from iom import access
from iom.changes import create_audited, update_audited
from iom.models import Case, Organisation, User
from iom.services._validation import today, values_after
from iom.unset import KEEP, Keep, given
from outcomes.models import Intervention, InterventionOutcome, Programme
from referrals.models import Referral

AUDITED_FIELDS = (
    "programme",
    "provider",
    "referral",
    "started_on",
    "ended_on",
    "sessions_planned",
    "sessions_attended",
    "outcome",
)


def _intervention_errors(*, case: Case, values: dict[str, Any]) -> dict[str, str]:
    """Every rule an intervention must meet, as field errors, so a form shows them all at once."""
    errors: dict[str, str] = {}
    on = today()
    started_on: datetime.date | None = values["started_on"]
    ended_on: datetime.date | None = values["ended_on"]
    outcome = values["outcome"]
    if started_on is None:
        errors["started_on"] = "Enter the date the intervention started."
    elif started_on > on:
        errors["started_on"] = "The start date cannot be in the future."
    if ended_on is not None and ended_on > on:
        errors["ended_on"] = "The end date cannot be in the future."
    elif ended_on is not None and started_on is not None and ended_on < started_on:
        errors["ended_on"] = "The end date cannot be before the start date."
    if outcome not in InterventionOutcome.values:
        errors["outcome"] = f"Choose one of: {', '.join(InterventionOutcome.values)}."
    elif outcome == InterventionOutcome.ONGOING and ended_on is not None:
        errors["outcome"] = "An intervention with an end date is not ongoing: choose how it ended."
    elif outcome != InterventionOutcome.ONGOING and ended_on is None:
        errors["ended_on"] = "Enter the date the intervention ended, or record it as ongoing."
    planned, attended = values["sessions_planned"], values["sessions_attended"]
    for field, number in (("sessions_planned", planned), ("sessions_attended", attended)):
        if number is not None and not 0 <= number <= 32767:
            errors[field] = "Enter a whole number of sessions, 0 or more."
    in_range = "sessions_planned" not in errors and "sessions_attended" not in errors
    if in_range and planned is not None and attended is not None and attended > planned:
        errors["sessions_attended"] = f"Sessions attended cannot be more than the {planned} planned."
    referral: Referral | None = values["referral"]
    if referral is not None and referral.case_id != case.pk:
        errors["referral"] = "Choose a referral from this case."
    if not isinstance(values["provider"], Organisation):
        errors["provider"] = "Choose the organisation that delivers it."
    return errors


def intervention_record(
    *,
    acting_user: User,
    case: Case,
    programme: Programme,
    started_on: datetime.date,
    sessions_planned: int | None = None,
    sessions_attended: int | None = None,
    ended_on: datetime.date | None = None,
    outcome: str = InterventionOutcome.ONGOING,
    provider: Organisation | None = None,
    referral: Referral | None = None,
) -> Intervention:
    """Record an intervention on ``case``; the provider defaults to the programme's."""
    access.ensure_can_change_case(user=acting_user, case=case, attempted="record intervention")
    values = {
        "programme": programme,
        "provider": provider or programme.provider,
        "referral": referral,
        "started_on": started_on,
        "ended_on": ended_on,
        "sessions_planned": sessions_planned,
        "sessions_attended": sessions_attended,
        "outcome": outcome,
    }
    errors = _intervention_errors(case=case, values=values)
    if not programme.active:
        errors["programme"] = f"{programme.name} is no longer offered: choose an active programme."
    if errors:
        raise ValidationError(errors)
    intervention = Intervention(case=case, recorded_by=acting_user, **values)
    create_audited(acting_user=acting_user, instance=intervention, fields=AUDITED_FIELDS, person=case.person_id)
    return intervention


def intervention_update(
    *,
    acting_user: User,
    intervention: Intervention,
    version: int,
    provider: Organisation | Keep | None = KEEP,
    referral: Referral | Keep | None = KEEP,
    started_on: datetime.date | Keep = KEEP,
    ended_on: datetime.date | Keep | None = KEEP,
    sessions_planned: int | Keep | None = KEEP,
    sessions_attended: int | Keep | None = KEEP,
    outcome: str | Keep = KEEP,
) -> Intervention:
    """Change an intervention as it goes on (attendance, end date, outcome); a stale ``version`` is a conflict.

    Only the fields given are written; every rule is checked on the result. A ``provider`` of ``None`` is the
    programme's own.
    """
    case = intervention.case
    access.ensure_can_change_case(user=acting_user, case=case, attempted="change intervention")
    if provider is None:
        provider = intervention.programme.provider
    values = given(
        provider=provider,
        referral=referral,
        started_on=started_on,
        ended_on=ended_on,
        sessions_planned=sessions_planned,
        sessions_attended=sessions_attended,
        outcome=outcome,
    )
    errors = _intervention_errors(case=case, values=values_after(intervention, AUDITED_FIELDS, values))
    if errors:
        raise ValidationError(errors)
    update_audited(
        acting_user=acting_user, instance=intervention, version=version, values=values, person=case.person_id
    )
    return intervention
