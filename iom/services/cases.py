"""Writes to cases: open, allocate, status, pathway assessments, the action plan and notes."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from iom import access
from iom.changes import create_audited, update_audited
from iom.models import (
    Action,
    ActionStatus,
    Case,
    CaseNote,
    CaseStatus,
    NeedLevel,
    NoteType,
    Pathway,
    PathwayAssessment,
    Person,
    Rag,
    Sensitivity,
    Team,
    User,
)
from iom.policy import LEAD_CASES, MANAGE_OFFENDERS, SCHEME_WIDE
from iom.services._validation import cleaned_copy, not_in_future, today
from iom.unset import KEEP, Keep, given


def _works_in(user: User, team: Team) -> bool:
    """In ``team``, or a manager of its scheme: who sees the team's cases without a grant."""
    if SCHEME_WIDE.covers(user):
        return user.teams.filter(scheme_id=team.scheme_id).exists()
    return user.teams.filter(pk=team.pk).exists()


def _sees_team_cases(user: User, team: Team, case: Case | None) -> bool:
    """Whoever is named on a case must be able to open it: in its team, a manager of its scheme, or granted."""
    if case is not None:
        return access.case_list_visible_to(user=user).filter(pk=case.pk).exists()
    return _works_in(user, team)


def _allocation_errors(
    *, team: Team, lead_officer: User | None, offender_manager: User | None, case: Case | None = None
) -> dict[str, str]:
    """Lead officers are police, offender managers probation, both active and able to see the case."""
    errors = {}
    for field, user, rule, label in (
        ("lead_officer", lead_officer, LEAD_CASES, "police IOM officer"),
        ("offender_manager", offender_manager, MANAGE_OFFENDERS, "probation offender manager"),
    ):
        if user is None:
            continue
        if not rule.covers(user):
            errors[field] = f"{user} is not a {label}."
        elif not user.is_active or not _sees_team_cases(user, team, case):
            errors[field] = f"{user} cannot see this case: choose someone in {team} (or give them access first)."
    return errors


def case_open(
    *,
    acting_user: User,
    person: Person,
    team: Team,
    lead_officer: User | None = None,
    offender_manager: User | None = None,
    opened_on: datetime.date | None = None,
) -> Case:
    """Open a case for ``person`` in ``team``; at most one open case per person per team."""
    access.ensure_works_cases(user=acting_user)
    if person.erased_at is not None:
        exc = PermissionDenied(access.ERASED_REFUSAL)
        access.refuse(user=acting_user, obj=person, person_id=person.pk, exc=exc, details={"attempted": "open case"})
    if not _works_in(acting_user, team):
        raise ValidationError({"team": "Choose a team you work in (managers: a team in your scheme)."})
    opened_on = opened_on or today()
    not_in_future("opened_on", opened_on, "The opening date")
    errors = _allocation_errors(team=team, lead_officer=lead_officer, offender_manager=offender_manager)
    if Case.objects.filter(person=person, team=team).exclude(status=CaseStatus.CLOSED).exists():
        errors["team"] = f"{person.full_name} already has an open case in {team}."
    if errors:
        raise ValidationError(errors)
    case = Case(
        person=person, team=team, lead_officer=lead_officer, offender_manager=offender_manager, opened_on=opened_on
    )
    create_audited(
        acting_user=acting_user,
        instance=case,
        fields=("team", "lead_officer", "offender_manager", "status"),
        person=person,
    )
    return case


def case_allocate(
    *, acting_user: User, case: Case, version: int, lead_officer: User | None, offender_manager: User | None
) -> Case:
    """Name the lead police officer and the offender manager."""
    access.ensure_can_change_case(user=acting_user, case=case, attempted="allocate")
    errors = _allocation_errors(team=case.team, lead_officer=lead_officer, offender_manager=offender_manager, case=case)
    if errors:
        raise ValidationError(errors)
    allocation = {"lead_officer": lead_officer, "offender_manager": offender_manager}
    _write_allocation(acting_user=acting_user, case=case, version=version, allocation=allocation)
    return case


def case_set_status(*, acting_user: User, case: Case, version: int, status: str) -> Case:
    """Pause, resume or close a case; closing dates it today, reopening clears the date."""
    access.ensure_can_change_case(user=acting_user, case=case, attempted="status")
    errors = _status_errors(case=case, status=status)
    if errors:
        raise ValidationError(errors)
    _write_status(acting_user=acting_user, case=case, version=version, status=status)
    return case


def _status_errors(*, case: Case, status: str) -> dict[str, str]:
    if status not in CaseStatus.values:
        return {"status": f"Choose one of: {', '.join(CaseStatus.values)}."}
    if status != CaseStatus.CLOSED and case.status == CaseStatus.CLOSED:
        clash = Case.objects.filter(person_id=case.person_id, team_id=case.team_id).exclude(status=CaseStatus.CLOSED)
        if clash.exists():
            return {"status": "This person already has another open case in this team."}
    return {}


def _write_allocation(*, acting_user: User, case: Case, version: int, allocation: dict[str, User | None]) -> None:
    """Write a checked allocation (both people) at ``version``, audited against the case's person."""
    update_audited(acting_user=acting_user, instance=case, version=version, values=allocation, person=case.person_id)


def _write_status(*, acting_user: User, case: Case, version: int, status: str) -> None:
    """Write a checked ``status`` at ``version``: closing dates the case today, reopening clears the date, and
    the status it already has keeps its date."""
    closed_on = today() if status == CaseStatus.CLOSED else None
    if status == case.status:
        closed_on = case.closed_on
    values = {"status": status, "closed_on": closed_on}
    update_audited(acting_user=acting_user, instance=case, version=version, values=values, person=case.person_id)


def case_update(
    *,
    acting_user: User,
    case: Case,
    version: int,
    lead_officer: User | Keep | None = KEEP,
    offender_manager: User | Keep | None = KEEP,
    status: str | None = None,
) -> Case:
    """Change a case's allocation and its status together, or not at all.

    One form (and one PATCH) changes both; a refused status change must not leave the new allocation behind,
    so both are checked before anything is written (every error at once) and both are written in one
    transaction. Each is written and audited as :func:`case_allocate` and :func:`case_set_status` write it:
    the allocation at ``version``, then the status at the version that left. Pass only what changes: a person
    left as :data:`KEEP` stays as they are (name either and the allocation is written), a ``status`` of
    ``None`` leaves the status, and nothing given writes nothing.
    """
    allocating = lead_officer is not KEEP or offender_manager is not KEEP
    if not allocating and status is None:
        return case
    access.ensure_can_change_case(user=acting_user, case=case, attempted="allocate" if allocating else "status")
    allocation: dict[str, User | None] = {
        "lead_officer": case.lead_officer if lead_officer is KEEP else lead_officer,
        "offender_manager": case.offender_manager if offender_manager is KEEP else offender_manager,
    }
    errors = _allocation_errors(team=case.team, case=case, **allocation) if allocating else {}
    if status is not None:
        errors.update(_status_errors(case=case, status=status))
    if errors:
        raise ValidationError(errors)
    allocated = False
    try:
        with transaction.atomic():
            if allocating:
                _write_allocation(acting_user=acting_user, case=case, version=version, allocation=allocation)
                allocated, version = True, case.version
            if status is not None:
                _write_status(acting_user=acting_user, case=case, version=version, status=status)
    except Exception:
        if allocated:
            case.refresh_from_db()  # the allocation was rolled back with the status: say so to the caller
        raise
    return case


def pathway_assess(
    *,
    acting_user: User,
    case: Case,
    pathway: str,
    need_level: str,
    rag: str,
    assessed_on: datetime.date | None = None,
    notes: str = "",
) -> PathwayAssessment:
    """Add a dated assessment; earlier ones stay as the pathway's history."""
    access.ensure_can_change_case(user=acting_user, case=case, attempted="assess pathway")
    errors = {}
    if pathway not in Pathway.values:
        errors["pathway"] = "Choose one of the seven resettlement pathways."
    if need_level not in NeedLevel.values:
        errors["need_level"] = "Choose a need level: none, low, medium or high."
    if rag not in Rag.values:
        errors["rag"] = "Choose a RAG status: red, amber or green."
    if errors:
        raise ValidationError(errors)
    assessed_on = assessed_on or today()
    not_in_future("assessed_on", assessed_on, "The assessment date")
    if assessed_on < case.opened_on:
        raise ValidationError({"assessed_on": "The assessment date cannot be before the case was opened."})
    assessment = PathwayAssessment(
        case=case,
        pathway=pathway,
        need_level=need_level,
        rag=rag,
        assessed_on=assessed_on,
        assessed_by=acting_user,
        notes=notes.strip(),
    )
    create_audited(
        acting_user=acting_user, instance=assessment, fields=("pathway", "need_level", "rag"), person=case.person_id
    )
    return assessment


ACTION_FIELDS = ("pathway", "description", "owner", "due_on")


def _check_owner(owner: User, case: Case) -> None:
    if not access.case_list_visible_to(user=owner).filter(pk=case.pk).exists():
        raise ValidationError({"owner": f"{owner} cannot see this case, so cannot own its actions."})


def action_add(
    *,
    acting_user: User,
    case: Case,
    description: str,
    owner: User,
    due_on: datetime.date,
    pathway: str | None = None,
) -> Action:
    access.ensure_can_change_case(user=acting_user, case=case, attempted="add action")
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"case": "This case is closed; reopen it before adding actions."})
    action = cleaned_copy(
        Action(case=case, created_by=acting_user),
        {"description": (description or "").strip(), "owner": owner, "due_on": due_on, "pathway": pathway or None},
    )
    _check_owner(owner, case)
    create_audited(acting_user=acting_user, instance=action, fields=ACTION_FIELDS, person=case.person_id)
    return action


def _ensure_open(action: Action, verb: str) -> None:
    """A done or cancelled action is the plan's history: only an open one moves on."""
    if action.status != ActionStatus.OPEN:
        raise ValidationError({"status": f"Only open actions can be {verb}; this one is {action.status}."})


def action_update(
    *,
    acting_user: User,
    action: Action,
    version: int,
    pathway: str | Keep | None = KEEP,
    description: str | Keep = KEEP,
    owner: User | Keep = KEEP,
    due_on: datetime.date | Keep = KEEP,
) -> Action:
    """Change an open action at ``version``; only the fields given (not :data:`KEEP`) are written."""
    access.ensure_can_change_case(user=acting_user, case=action.case, attempted="change action")
    _ensure_open(action, "changed")
    if description is not KEEP:
        description = (description or "").strip()
    if pathway == "":
        pathway = None
    values = given(pathway=pathway, description=description, owner=owner, due_on=due_on)
    cleaned_copy(action, values)
    if owner is not KEEP:
        _check_owner(owner, action.case)
    update_audited(
        acting_user=acting_user, instance=action, version=version, values=values, person=action.case.person_id
    )
    return action


def action_complete(*, acting_user: User, action: Action, version: int, done_on: datetime.date | None = None) -> Action:
    access.ensure_can_change_case(user=acting_user, case=action.case, attempted="complete action")
    _ensure_open(action, "completed")
    done_on = done_on or today()
    not_in_future("done_on", done_on, "The completion date")
    if done_on < timezone.localtime(action.created_at).date():
        raise ValidationError({"done_on": "The completion date cannot be before the action was set."})
    update_audited(
        acting_user=acting_user,
        instance=action,
        version=version,
        values={"status": ActionStatus.DONE, "done_on": done_on},
        person=action.case.person_id,
    )
    return action


def action_cancel(*, acting_user: User, action: Action, version: int) -> Action:
    access.ensure_can_change_case(user=acting_user, case=action.case, attempted="cancel action")
    _ensure_open(action, "cancelled")
    update_audited(
        acting_user=acting_user,
        instance=action,
        version=version,
        values={"status": ActionStatus.CANCELLED},
        person=action.case.person_id,
    )
    return action


def note_add(
    *,
    acting_user: User,
    case: Case,
    note_type: str,
    text: str,
    occurred_on: datetime.date | None = None,
    sensitivity: str = Sensitivity.NORMAL,
) -> CaseNote:
    """Add a note. Notes are evidence: the service has no edit or delete."""
    access.ensure_can_change_case(user=acting_user, case=case, attempted="add note")
    errors = {}
    if note_type not in NoteType.values:
        errors["note_type"] = f"Choose one of: {', '.join(NoteType.values)}."
    if sensitivity not in Sensitivity.values:
        errors["sensitivity"] = "Choose normal or restricted."
    if not (text or "").strip():
        errors["text"] = "Enter the note."
    if errors:
        raise ValidationError(errors)
    occurred_on = occurred_on or today()
    not_in_future("occurred_on", occurred_on, "The note's date")
    note = CaseNote(
        case=case,
        note_type=note_type,
        occurred_on=occurred_on,
        text=text.strip(),
        sensitivity=sensitivity,
        author=acting_user,
    )
    # The note's text is case content: the audit names the note, not its words.
    create_audited(
        acting_user=acting_user,
        instance=note,
        person=case.person_id,
        details={"note_type": note_type, "sensitivity": sensitivity},
    )
    return note
