"""Writes to people: create (with the first case when an officer creates them) and locked edits."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from iom import access
from iom.audit import audit_record, field_changes, snapshot
from iom.changes import update_audited
from iom.models import AuditAction, Flag, Person, Team, User
from iom.policy import LEAD_OWN_NEW_CASES, MANAGE_OWN_NEW_CASES, SCHEME_WIDE
from iom.services._validation import cleaned_copy, reject_unknown, today
from iom.services.cases import case_open

PERSON_FIELDS = (
    "pnc_id",
    "crn",
    "first_name",
    "last_name",
    "aliases",
    "date_of_birth",
    "gender",
    "ethnicity",
    "district",
    "risk_of_serious_harm",
)


def _normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for name in ("pnc_id", "crn"):
        if name in values and isinstance(values[name], str):
            values[name] = values[name].strip().upper() or None
    for name in ("first_name", "last_name"):
        if name in values and isinstance(values[name], str):
            values[name] = values[name].strip()
    if "aliases" in values:
        aliases = values["aliases"]
        if isinstance(aliases, list | tuple):
            aliases = "\n".join(aliases)
        values["aliases"] = "\n".join(line.strip() for line in (aliases or "").splitlines() if line.strip())
    for name in ("gender", "ethnicity", "district", "risk_of_serious_harm"):
        if values.get(name) == "":
            values[name] = None
    return values


def _check_dates(values: Mapping[str, Any]) -> None:
    date_of_birth = values.get("date_of_birth")
    if date_of_birth is not None and date_of_birth > today():
        raise ValidationError({"date_of_birth": "Date of birth must be in the past."})


def _check_flags(flags: Sequence[Flag] | None) -> None:
    if flags and any(not flag.active for flag in flags):
        raise ValidationError({"flags": "Choose flags that are in use."})


def person_create(
    *, acting_user: User, data: Mapping[str, Any], flags: Sequence[Flag] | None = None, team: Team | None = None
) -> Person:
    """Record a new person. Officers and offender managers open a case in their team at the same time,
    otherwise they could not see the person they have just recorded."""
    access.ensure_works_cases(user=acting_user)
    reject_unknown(data, PERSON_FIELDS)
    values = _normalise(data)
    team = _team_for_new_person(acting_user=acting_user, team=team)
    _check_dates(values)
    _check_flags(flags)
    person = cleaned_copy(Person(), values)
    with transaction.atomic():
        person.save()
        if flags:
            person.flags.set(flags)
        audit_record(
            user=acting_user,
            action=AuditAction.CREATE,
            obj=person,
            changes=field_changes({}, snapshot(person, PERSON_FIELDS)),
        )
        if team is not None:
            case_open(
                acting_user=acting_user,
                person=person,
                team=team,
                lead_officer=acting_user if LEAD_OWN_NEW_CASES.allows(acting_user) else None,
                offender_manager=acting_user if MANAGE_OWN_NEW_CASES.allows(acting_user) else None,
            )
    return person


def _team_for_new_person(*, acting_user: User, team: Team | None) -> Team | None:
    user_teams = list(acting_user.teams.all())
    if team is None:
        if SCHEME_WIDE.allows(acting_user):
            return None
        if len(user_teams) == 1:
            return user_teams[0]
        raise ValidationError({"team": "Choose the team that will manage this person."})
    if SCHEME_WIDE.allows(acting_user):
        if team.scheme_id not in {user_team.scheme_id for user_team in user_teams}:
            raise ValidationError({"team": "Choose a team in your scheme."})
    elif team not in user_teams:
        raise ValidationError({"team": "Choose one of your own teams."})
    return team


def person_update(
    *,
    acting_user: User,
    person: Person,
    version: int,
    data: Mapping[str, Any],
    flags: Sequence[Flag] | None = None,
) -> Person:
    """Change a person's record if nobody else has since ``version``; audited with old and new values."""
    access.ensure_can_change_person(user=acting_user, person=person)
    reject_unknown(data, PERSON_FIELDS)
    values = _normalise(data)
    _check_dates(values)
    _check_flags(flags)
    cleaned_copy(person, values)
    if flags is not None:
        values["flags"] = flags
    update_audited(acting_user=acting_user, instance=person, version=version, values=values)
    return person
