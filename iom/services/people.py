"""Writes to people: create (with the first case when an officer creates them) and locked edits."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from iom import access
from iom.audit import audit_record, field_changes, snapshot
from iom.changes import update_audited
from iom.models import AuditAction, Flag, Person, Team, User
from iom.policy import LEAD_OWN_NEW_CASES, MANAGE_OWN_NEW_CASES, SCHEME_WIDE
from iom.services._validation import cleaned_copy, today
from iom.services.cases import case_open
from iom.unset import KEEP, Keep, given

MAX_REASON_LENGTH = 1000
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


def _code(value: str | None) -> str | None:
    """PNC IDs and CRNs are kept upper-case, and ``None`` when blank."""
    return (value.strip().upper() or None) if isinstance(value, str) else value


def _aliases(aliases: str | Sequence[str]) -> str:
    """One alias per line, trimmed, without blank lines; a list (the API's) is one alias per item."""
    text = aliases if isinstance(aliases, str) else "\n".join(aliases)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _person_values(
    *,
    pnc_id: str | Keep,
    crn: str | Keep | None,
    first_name: str | Keep,
    last_name: str | Keep,
    aliases: str | Sequence[str] | Keep,
    date_of_birth: datetime.date | Keep,
    gender: str | Keep | None,
    ethnicity: str | Keep | None,
    district: str | Keep | None,
    risk_of_serious_harm: str | Keep | None,
) -> dict[str, object]:
    """The given fields as they are stored: codes upper-case, names trimmed, a blank choice ``None``."""
    return given(
        pnc_id=pnc_id if pnc_id is KEEP else _code(pnc_id),
        crn=crn if crn is KEEP else _code(crn),
        first_name=first_name if first_name is KEEP else first_name.strip(),
        last_name=last_name if last_name is KEEP else last_name.strip(),
        aliases=aliases if aliases is KEEP else _aliases(aliases),
        date_of_birth=date_of_birth,
        gender=gender if gender is KEEP else gender or None,
        ethnicity=ethnicity if ethnicity is KEEP else ethnicity or None,
        district=district if district is KEEP else district or None,
        risk_of_serious_harm=risk_of_serious_harm if risk_of_serious_harm is KEEP else risk_of_serious_harm or None,
    )


def _check_date_of_birth(date_of_birth: datetime.date | Keep) -> None:
    if date_of_birth is not KEEP and date_of_birth > today():
        raise ValidationError({"date_of_birth": "Date of birth must be in the past."})


def _check_flags(flags: Sequence[Flag] | None) -> None:
    if flags and any(not flag.active for flag in flags):
        raise ValidationError({"flags": "Choose flags that are in use."})


def person_create(
    *,
    acting_user: User,
    pnc_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    crn: str | None = None,
    aliases: str | Sequence[str] = "",
    gender: str | None = None,
    ethnicity: str | None = None,
    district: str | None = None,
    risk_of_serious_harm: str | None = None,
    flags: Sequence[Flag] | None = None,
    team: Team | None = None,
) -> Person:
    """Record a new person. Officers and offender managers open a case in their team at the same time,
    otherwise they could not see the person they have just recorded."""
    access.ensure_works_cases(user=acting_user)
    values = _person_values(
        pnc_id=pnc_id,
        crn=crn,
        first_name=first_name,
        last_name=last_name,
        aliases=aliases,
        date_of_birth=date_of_birth,
        gender=gender,
        ethnicity=ethnicity,
        district=district,
        risk_of_serious_harm=risk_of_serious_harm,
    )
    team = _team_for_new_person(acting_user=acting_user, team=team)
    _check_date_of_birth(date_of_birth)
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
    pnc_id: str | Keep = KEEP,
    crn: str | Keep | None = KEEP,
    first_name: str | Keep = KEEP,
    last_name: str | Keep = KEEP,
    aliases: str | Sequence[str] | Keep = KEEP,
    date_of_birth: datetime.date | Keep = KEEP,
    gender: str | Keep | None = KEEP,
    ethnicity: str | Keep | None = KEEP,
    district: str | Keep | None = KEEP,
    risk_of_serious_harm: str | Keep | None = KEEP,
    flags: Sequence[Flag] | None = None,
    reason: str = "",
) -> Person:
    """Change a person's record if nobody else has since ``version``; audited with old and new values.

    Only the fields given are changed: a field left as :data:`~iom.unset.KEEP`, or ``flags`` left as ``None``,
    stays as it is. ``reason`` says why (a correction keeps its history: who, when, old and new value and why);
    it is the audit row's justification, shown in the person's corrections (``person_corrections``). The page
    asks for it every time; the API records it when given.
    """
    access.ensure_can_change_person(user=acting_user, person=person)
    values = _person_values(
        pnc_id=pnc_id,
        crn=crn,
        first_name=first_name,
        last_name=last_name,
        aliases=aliases,
        date_of_birth=date_of_birth,
        gender=gender,
        ethnicity=ethnicity,
        district=district,
        risk_of_serious_harm=risk_of_serious_harm,
    )
    _check_date_of_birth(date_of_birth)
    _check_flags(flags)
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Enter the reason in {MAX_REASON_LENGTH} characters or fewer."})
    cleaned_copy(person, values)
    if flags is not None:
        values["flags"] = flags
    update_audited(
        acting_user=acting_user, instance=person, version=version, values=values, justification=reason.strip()
    )
    return person
