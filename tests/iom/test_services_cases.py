import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404

from iom import access, services
from iom.errors import ConflictError
from iom.models import (
    Action,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Case,
    CaseNote,
    CaseStatus,
    PathwayAssessment,
    Role,
)
from iom.selectors import pathway_current
from iom.services import cases as cases_module
from tests.iom import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_assessments_are_kept_as_history_and_the_newest_is_current(officer, case):
    services.pathway_assess(
        acting_user=officer,
        case=case,
        pathway="accommodation",
        need_level="high",
        rag="red",
        assessed_on=TODAY - datetime.timedelta(days=60),
    )
    services.pathway_assess(acting_user=officer, case=case, pathway="accommodation", need_level="medium", rag="amber")
    services.pathway_assess(acting_user=officer, case=case, pathway="health", need_level="low", rag="green")
    assert PathwayAssessment.objects.filter(case=case).count() == 3
    current = {a.pathway: a.rag for a in pathway_current(case=case)}
    assert current == {"accommodation": "amber", "health": "green"}


def test_an_assessment_with_bad_codes_names_each_field_and_writes_nothing(officer, case):
    with pytest.raises(ValidationError) as excinfo:
        services.pathway_assess(acting_user=officer, case=case, pathway="housing", need_level="huge", rag="blue")
    assert set(excinfo.value.message_dict) == {"pathway", "need_level", "rag"}
    assert not PathwayAssessment.objects.exists()


def test_add_and_complete_an_action(officer, probation, case):
    action = services.action_add(
        acting_user=officer,
        case=case,
        description="Book housing appointment",
        owner=probation,
        due_on=TODAY + datetime.timedelta(days=3),
        pathway="accommodation",
    )
    services.action_complete(acting_user=probation, action=action, version=action.version)
    action.refresh_from_db()
    assert action.status == "done"
    assert action.done_on == TODAY
    with pytest.raises(ValidationError):
        services.action_complete(acting_user=probation, action=action, version=action.version)


def test_an_action_owner_must_be_able_to_see_the_case(officer, officer2, case):
    with pytest.raises(ValidationError) as excinfo:
        services.action_add(acting_user=officer, case=case, description="x", owner=officer2, due_on=TODAY)
    assert "owner" in excinfo.value.message_dict
    assert not Action.objects.exists()


def test_a_stale_action_edit_is_a_conflict(officer, probation, case):
    action = factories.ActionFactory(case=case, owner=officer)
    services.action_update(acting_user=probation, action=action, version=1, description="Theirs")
    stale = Action.objects.get(pk=action.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.action_update(acting_user=officer, action=stale, version=1, description="Mine")
    assert Action.objects.get(pk=action.pk).description == "Theirs"


def test_allocation_checks_the_roles_of_the_people_named(officer, probation, case):
    with pytest.raises(ValidationError) as excinfo:
        services.case_allocate(
            acting_user=officer, case=case, version=case.version, lead_officer=probation, offender_manager=officer
        )
    assert set(excinfo.value.message_dict) == {"lead_officer", "offender_manager"}
    services.case_allocate(
        acting_user=officer, case=case, version=case.version, lead_officer=officer, offender_manager=None
    )
    case.refresh_from_db()
    assert case.offender_manager is None
    assert case.version == 2


@pytest.fixture
def other_officer(police, norwich):
    return factories.UserFactory(username="other_officer", role=Role.IOM_OFFICER, organisation=police, teams=[norwich])


def _case_changes() -> list[dict]:
    """The case's audited changes, oldest first."""
    changes = AuditEvent.objects.filter(object_type="case", action=AuditAction.CHANGE).order_by("pk")
    return list(changes.values_list("changes", flat=True))


def test_case_update_writes_the_allocation_then_the_status_each_audited(officer, other_officer, case):
    services.case_update(
        acting_user=officer, case=case, version=case.version, lead_officer=other_officer, status=CaseStatus.PAUSED
    )
    case.refresh_from_db()
    assert (case.lead_officer, case.status, case.version) == (other_officer, CaseStatus.PAUSED, 3)
    assert _case_changes() == [
        {"lead_officer": [officer.pk, other_officer.pk]},
        {"status": [CaseStatus.ACTIVE, CaseStatus.PAUSED]},
    ]


def test_a_refused_status_change_leaves_the_allocation_unchanged(officer, other_officer, probation, case):
    """Reopening is refused while the person has another open case in the team: the new lead officer is not kept."""
    services.case_set_status(acting_user=officer, case=case, version=case.version, status=CaseStatus.CLOSED)
    factories.CaseFactory(person=case.person, team=case.team)
    case.refresh_from_db()
    version, changes = case.version, _case_changes()
    with pytest.raises(ValidationError) as excinfo:
        services.case_update(
            acting_user=officer,
            case=case,
            version=version,
            lead_officer=other_officer,
            offender_manager=None,
            status=CaseStatus.ACTIVE,
        )
    assert excinfo.value.message_dict == {"status": ["This person already has another open case in this team."]}
    stored = Case.objects.get(pk=case.pk)
    assert (stored.lead_officer, stored.offender_manager, stored.version) == (officer, probation, version)
    assert (case.lead_officer, case.offender_manager) == (officer, probation)
    assert _case_changes() == changes


def test_a_status_write_that_fails_after_the_allocation_rolls_the_allocation_back(
    officer, other_officer, probation, case, monkeypatch
):
    """Someone saves the case between the two writes: the status write conflicts and the allocation goes too."""
    real_update = cases_module.update_audited

    def someone_saves_before_the_status(**kwargs):
        if "status" in kwargs["values"]:
            Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        real_update(**kwargs)

    monkeypatch.setattr(cases_module, "update_audited", someone_saves_before_the_status)
    with pytest.raises(ConflictError):
        services.case_update(
            acting_user=officer, case=case, version=case.version, lead_officer=other_officer, status=CaseStatus.PAUSED
        )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.lead_officer, stored.status, stored.version) == (officer, CaseStatus.ACTIVE, 1)
    assert (case.lead_officer, case.version) == (officer, 1)  # the caller's copy says what is stored
    assert _case_changes() == []


def test_case_update_reports_allocation_and_status_errors_together_and_writes_nothing(officer, probation, case):
    with pytest.raises(ValidationError) as excinfo:
        services.case_update(
            acting_user=officer, case=case, version=case.version, lead_officer=probation, status="archived"
        )
    assert set(excinfo.value.message_dict) == {"lead_officer", "status"}
    assert Case.objects.get(pk=case.pk).version == 1


def test_case_update_keeps_what_it_is_not_given(officer, probation, case):
    services.case_update(acting_user=officer, case=case, version=case.version, offender_manager=None)
    case.refresh_from_db()
    assert (case.lead_officer, case.offender_manager, case.status) == (officer, None, CaseStatus.ACTIVE)
    assert services.case_update(acting_user=officer, case=case, version=case.version) is case
    assert Case.objects.get(pk=case.pk).version == 2


def test_case_update_refuses_and_audits_someone_who_cannot_change_the_case(officer2, other_officer, case):
    with pytest.raises(Http404):
        services.case_update(
            acting_user=officer2, case=case, version=case.version, lead_officer=other_officer, status="paused"
        )
    refused = AuditEvent.objects.get(outcome=AuditOutcome.REFUSED)
    assert (refused.object_type, refused.details) == ("case", {"attempted": "allocate"})
    assert Case.objects.get(pk=case.pk).version == 1


def test_closing_a_case_dates_it_and_blocks_new_actions(officer, case):
    services.case_set_status(acting_user=officer, case=case, version=case.version, status=CaseStatus.CLOSED)
    case.refresh_from_db()
    assert case.closed_on == TODAY
    with pytest.raises(ValidationError):
        services.action_add(acting_user=officer, case=case, description="x", owner=officer, due_on=TODAY)


def test_notes_need_text_and_a_known_type(officer, case):
    with pytest.raises(ValidationError) as excinfo:
        services.note_add(acting_user=officer, case=case, note_type="gossip", text="  ")
    assert set(excinfo.value.message_dict) == {"note_type", "text"}
    note = services.note_add(acting_user=officer, case=case, note_type="home_visit", text="Seen at home.")
    event = AuditEvent.objects.get(object_type="casenote")
    assert event.object_id == str(note.pk)
    assert "Seen at home" not in str(event.changes) + str(event.details)


def test_restricted_notes_are_only_for_police_and_probation_on_the_case(officer, probation, officer2, case):
    note = services.note_add(
        acting_user=officer, case=case, note_type="intelligence", text="x", sensitivity="restricted"
    )
    assert access.note_list_visible_to(user=probation).filter(pk=note.pk).exists()
    assert not access.note_list_visible_to(user=officer2).filter(pk=note.pk).exists()
    assert CaseNote.objects.count() == 1


def test_grants_give_and_remove_access_to_one_case(officer, officer2, case):
    assert not access.case_list_visible_to(user=officer2).filter(pk=case.pk).exists()
    services.case_grant(acting_user=officer, case=case, grantee=officer2, permission="view_case", reason="Leave cover")
    assert access.case_list_visible_to(user=officer2).filter(pk=case.pk).exists()
    assert access.person_list_visible_to(user=officer2).filter(pk=case.person_id).exists()
    with pytest.raises(PermissionDenied):
        services.note_add(acting_user=officer2, case=case, note_type="contact", text="x")
    services.case_grant(acting_user=officer, case=case, grantee=officer2, permission="change_case", reason="Transfer")
    services.note_add(acting_user=officer2, case=case, note_type="contact", text="Cover visit")
    services.case_revoke(acting_user=officer, case=case, grantee=officer2, permission="view_case")
    assert not access.case_list_visible_to(user=officer2).filter(pk=case.pk).exists()
    actions = list(AuditEvent.objects.filter(action__startswith="permission").values_list("action", flat=True))
    assert sorted(actions) == ["permission_granted", "permission_granted", "permission_revoked"]


def test_grants_never_go_to_partners_or_employers(officer, partner, employer, case):
    for user in (partner, employer):
        with pytest.raises(ValidationError) as excinfo:
            services.case_grant(acting_user=officer, case=case, grantee=user, permission="view_case", reason="x")
        assert "grantee" in excinfo.value.message_dict
    assert not case.user_grants.exists()


def test_a_grant_holder_cannot_grant_onwards(officer, officer2, manager, case, police, yarmouth):
    colleague = factories.UserFactory(username="colleague", organisation=police, teams=[yarmouth])
    services.case_grant(acting_user=officer, case=case, grantee=officer2, permission="change_case", reason="Cover")
    with pytest.raises(PermissionDenied):
        services.case_grant(acting_user=officer2, case=case, grantee=colleague, permission="view_case", reason="x")


def test_invisible_cases_are_not_found_for_writes(officer2, case):
    with pytest.raises(Http404):
        services.pathway_assess(acting_user=officer2, case=case, pathway="health", need_level="low", rag="green")
