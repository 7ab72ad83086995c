"""Opening a record outside one's teams (break-glass) and the managers' review: the services and the visibility.

``person`` is on a Norwich case led by ``officer``; ``officer2`` works in Great Yarmouth (same Norfolk scheme,
other team) and cannot see them; ``manager`` manages the Norfolk scheme; ``outsider_manager`` manages Suffolk.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from iom import access, selectors, services
from iom.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    BreakGlassAccess,
    BreakGlassReview,
    Notification,
    Role,
    Sensitivity,
)
from iom.services.break_glass import break_glass_open, break_glass_review
from tests.iom import factories

pytestmark = pytest.mark.django_db

REASON = "Arrested in Great Yarmouth overnight; checking risk and markers before interview"
NOT_CASEWORK = ["partner", "coordinator", "employer", "analyst", "admin"]


def open_for(user, person, reason: str = REASON) -> BreakGlassAccess:
    opening = break_glass_open(acting_user=user, identifier=person.pnc_id, reason=reason)
    assert opening.created and opening.access is not None
    return opening.access


def break_glass_rows() -> int:
    return AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS, outcome=AuditOutcome.DONE).count()


@pytest.fixture
def suffolk_officer(police, suffolk_team):
    return factories.UserFactory(
        username="suffolkofficer", role=Role.IOM_OFFICER, organisation=police, teams=[suffolk_team]
    )


# --- Opening ----------------------------------------------------------------------------------------------------


def test_an_officer_opens_a_person_outside_their_teams_for_the_set_hours_and_it_is_audited(officer2, person, settings):
    settings.BREAK_GLASS_HOURS = 12
    before = timezone.now()
    opened = open_for(officer2, person)

    assert (opened.user, opened.person, opened.reason) == (officer2, person, REASON)
    assert before + datetime.timedelta(hours=12) <= opened.expires_at <= timezone.now() + datetime.timedelta(hours=12)
    assert opened.reviewed_at is None
    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS)
    assert (event.user, event.person_id, event.justification) == (officer2, person.pk, REASON)
    assert (event.object_type, event.object_id, event.outcome) == ("breakglassaccess", str(opened.pk), "done")
    assert event.details["by"] == "pnc_id"


def test_a_person_is_opened_by_their_crn_too_typed_in_any_case(officer2, person):
    person.crn = "X123456"
    person.save(update_fields=["crn"])
    opening = break_glass_open(acting_user=officer2, identifier=" x123456 ", reason=REASON)
    assert opening.created and opening.person == person
    assert AuditEvent.objects.get(action=AuditAction.BREAK_GLASS).details["by"] == "crn"


@pytest.mark.parametrize(
    "reason",
    ["", "   ", "Urgent", "Checking", "Needed for the interview", "x" * 40, "Checking risk " + "very " * 300],
)
def test_a_reason_that_is_not_a_real_sentence_is_refused_and_nothing_is_written(officer2, person, reason):
    with pytest.raises(ValidationError) as excinfo:
        break_glass_open(acting_user=officer2, identifier=person.pnc_id, reason=reason)
    assert set(excinfo.value.message_dict) == {"reason"}
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS).exists()


@pytest.mark.parametrize("identifier", ["", "Smith", "2013/0012345", "2013/0012345A", "X12345", "%"])
def test_anything_but_an_exact_pnc_id_or_crn_is_refused_so_it_cannot_search(officer2, person, identifier):
    with pytest.raises(ValidationError) as excinfo:
        break_glass_open(acting_user=officer2, identifier=identifier, reason=REASON)
    assert set(excinfo.value.message_dict) == {"identifier"}
    assert not BreakGlassAccess.objects.exists()


def test_an_identifier_no_person_has_is_a_clear_error_and_records_nothing(officer2, person):
    with pytest.raises(ValidationError) as excinfo:
        break_glass_open(acting_user=officer2, identifier="2013/0012345Q", reason=REASON)
    assert excinfo.value.message_dict == {"identifier": ["No person has this PNC ID or CRN. Check it and try again."]}
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_erased_person_cannot_be_opened(officer2, person):
    type(person).objects.filter(pk=person.pk).update(erased_at=timezone.now())
    with pytest.raises(ValidationError):
        break_glass_open(acting_user=officer2, identifier=person.pnc_id, reason=REASON)
    assert not BreakGlassAccess.objects.exists()


@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_may_not_open_a_record_and_the_refusal_is_audited(all_roles, person, role):
    with pytest.raises(PermissionDenied):
        break_glass_open(acting_user=all_roles[role], identifier=person.pnc_id, reason=REASON)
    assert not BreakGlassAccess.objects.exists()
    refused = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS)
    assert (refused.outcome, refused.user, refused.person_id) == (AuditOutcome.REFUSED, all_roles[role], None)


@pytest.mark.parametrize("role", ["officer", "probation", "manager"])
def test_a_person_already_visible_needs_no_opening_and_none_is_recorded(all_roles, person, role):
    opening = break_glass_open(acting_user=all_roles[role], identifier=person.pnc_id, reason=REASON)
    assert (opening.person, opening.access, opening.created) == (person, None, False)
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_record_still_open_is_not_opened_a_second_time(officer2, person):
    first = open_for(officer2, person)
    again = break_glass_open(acting_user=officer2, identifier=person.pnc_id, reason=REASON + " again")
    assert (again.access, again.created) == (first, False)
    assert BreakGlassAccess.objects.count() == 1
    assert break_glass_rows() == 1


def test_offender_managers_and_managers_of_another_scheme_may_open_a_record_too(
    person, outsider_manager, probation_org, yarmouth
):
    yarmouth_probation = factories.UserFactory(
        username="yprobation", role=Role.OFFENDER_MANAGER, organisation=probation_org, teams=[yarmouth]
    )
    assert open_for(yarmouth_probation, person).person == person
    assert open_for(outsider_manager, person).person == person


# --- What an opened record shows, and to whom -------------------------------------------------------------------


def test_the_person_and_their_cases_are_readable_on_detail_only_while_open(officer2, person, case):
    with pytest.raises(Http404):
        selectors.person_read(user=officer2, pk=person.pk)
    opened = open_for(officer2, person)

    read = selectors.person_read(user=officer2, pk=person.pk)
    assert (read.person, read.opened) == (person, opened)
    assert selectors.case_find(user=officer2, pk=case.pk) == (case, opened)
    assert selectors.case_read(user=officer2, pk=case.pk) == case
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, user=officer2)
    assert [event.details for event in views] == [{"break_glass": opened.pk}] * 2
    assert all(event.person_id == person.pk for event in views)


def test_the_other_detail_reads_stay_with_the_teams(officer2, person, case):
    """Every page but the person's own (corrections, subject access, managing access) reads through person_get and
    case_get, which an opened record does not reach."""
    open_for(officer2, person)
    with pytest.raises(Http404):
        selectors.person_get(user=officer2, pk=person.pk)
    with pytest.raises(Http404):
        selectors.case_get(user=officer2, pk=case.pk)


def test_lists_and_searches_never_include_an_opened_person(officer2, person, case):
    factories.NoteFactory(case=case, author=officer2)
    open_for(officer2, person)
    assert not access.person_list_visible_to(user=officer2).filter(pk=person.pk).exists()
    assert not access.case_list_visible_to(user=officer2).filter(pk=case.pk).exists()
    assert not selectors.person_search(user=officer2, query=person.pnc_id).exists()
    assert not selectors.note_list(user=officer2).exists()
    assert not selectors.action_list(user=officer2).exists()
    assert not selectors.membership_list(user=officer2).exists()


def test_inside_the_detail_read_restricted_notes_stay_hidden_and_the_rest_show(officer, officer2, person, case):
    ordinary = factories.NoteFactory(case=case, author=officer, sensitivity=Sensitivity.NORMAL)
    factories.NoteFactory(case=case, author=officer, sensitivity=Sensitivity.RESTRICTED)
    opened = open_for(officer2, person)
    with access.reading_opened_record(opened):
        assert list(selectors.note_list(user=officer2)) == [ordinary]
        assert list(access.case_list_visible_to(user=officer2)) == [case]
    # The case's own team still reads both.
    assert selectors.note_list(user=officer).count() == 2


def test_an_opened_person_without_a_case_is_readable_too(officer2):
    unmanaged = factories.PersonFactory()
    opened = open_for(officer2, unmanaged)
    assert selectors.person_read(user=officer2, pk=unmanaged.pk).opened == opened


def test_writing_stays_with_the_case_team(officer2, person, case):
    opened = open_for(officer2, person)
    with pytest.raises(Http404):
        services.note_add(acting_user=officer2, case=case, text="A note", note_type="contact")
    with access.reading_opened_record(opened):
        assert not access.case_list_changeable_by(user=officer2).exists()
        assert not access.person_list_changeable_by(user=officer2).exists()
        with pytest.raises(PermissionDenied):
            access.ensure_can_change_case(user=officer2, case=case)
    assert not case.notes.exists()


def test_an_access_of_someone_else_widens_nobody_elses_reads(officer2, person, suffolk_officer):
    opened = open_for(officer2, person)
    with access.reading_opened_record(opened):
        assert not access.person_list_visible_to(user=suffolk_officer).exists()
        assert not access.case_list_visible_to(user=suffolk_officer).exists()


def test_an_expired_access_shows_nothing(officer2, person, case):
    opened = open_for(officer2, person)
    BreakGlassAccess.objects.filter(pk=opened.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(Http404):
        selectors.person_read(user=officer2, pk=person.pk)
    with pytest.raises(Http404):
        selectors.case_find(user=officer2, pk=case.pk)
    opened.refresh_from_db()
    with access.reading_opened_record(opened):
        assert not access.person_list_visible_to(user=officer2).exists()
    # Once closed the record may be opened again, with a new reason: a new access, a new review.
    assert open_for(officer2, person, reason=REASON + " (second arrest)") != opened


# --- Review -----------------------------------------------------------------------------------------------------


def test_a_manager_reviews_an_opening_as_appropriate_and_it_is_audited(manager, officer2, person):
    opened = open_for(officer2, person)
    assert list(selectors.break_glass_queue(user=manager)) == [opened]
    assert selectors.break_glass_waiting_count(user=manager) == 1

    reviewed = break_glass_review(acting_user=manager, opened=opened, review=BreakGlassReview.APPROPRIATE)

    assert (reviewed.review, reviewed.reviewed_by, reviewed.review_note) == ("appropriate", manager, "")
    assert reviewed.reviewed_at is not None and reviewed.expires_at == opened.expires_at
    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS_REVIEWED)
    assert (event.user, event.person_id, event.object_id) == (manager, person.pk, str(opened.pk))
    assert event.changes == {"review": ["", "appropriate"]}
    assert event.details == {"opened_by": "officer2", "ended": False}
    assert selectors.break_glass_waiting_count(user=manager) == 0
    assert not Notification.objects.exists()


def test_an_inappropriate_opening_needs_a_note(manager, officer2, person):
    opened = open_for(officer2, person)
    with pytest.raises(ValidationError) as excinfo:
        break_glass_review(acting_user=manager, opened=opened, review=BreakGlassReview.INAPPROPRIATE, note=" ")
    assert set(excinfo.value.message_dict) == {"note"}
    opened.refresh_from_db()
    assert opened.reviewed_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_REVIEWED).exists()


def test_only_an_inappropriate_opening_is_ended_early(manager, officer2, person):
    opened = open_for(officer2, person)
    with pytest.raises(ValidationError) as excinfo:
        break_glass_review(acting_user=manager, opened=opened, review=BreakGlassReview.APPROPRIATE, end_now=True)
    assert set(excinfo.value.message_dict) == {"end_now"}


def test_an_inappropriate_opening_ended_at_once_closes_the_record_and_tells_the_officer(manager, officer2, person):
    opened = open_for(officer2, person)
    note = "Not an emergency: ask the Norwich team next time."
    reviewed = break_glass_review(
        acting_user=manager, opened=opened, review=BreakGlassReview.INAPPROPRIATE, note=note, end_now=True
    )

    assert reviewed.expires_at <= timezone.now()
    with pytest.raises(Http404):
        selectors.person_read(user=officer2, pk=person.pk)
    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS_REVIEWED)
    assert event.justification == note
    assert event.changes["review"] == ["", "inappropriate"] and event.details["ended"] is True
    assert set(event.changes) == {"review", "expires_at"}
    notice = Notification.objects.get(user=officer2)
    assert "not appropriate" in notice.title and "ended your access" in notice.body
    assert person.full_name not in notice.title + notice.body


def test_an_inappropriate_opening_may_be_left_to_run_out(manager, officer2, person):
    opened = open_for(officer2, person)
    break_glass_review(acting_user=manager, opened=opened, review=BreakGlassReview.INAPPROPRIATE, note="Weak reason.")
    assert selectors.person_read(user=officer2, pk=person.pk).opened == opened


def test_the_opener_never_reviews_their_own_opening(manager, outsider_manager, suffolk_team):
    suffolk_person = factories.CaseFactory(team=suffolk_team).person
    opened = open_for(manager, suffolk_person)
    assert opened in selectors.break_glass_queue(user=manager)  # their own, as scheme staff: shown, not theirs to judge
    with pytest.raises(PermissionDenied):
        break_glass_review(acting_user=manager, opened=opened, review=BreakGlassReview.APPROPRIATE)
    opened.refresh_from_db()
    assert opened.reviewed_at is None
    refused = AuditEvent.objects.get(outcome=AuditOutcome.REFUSED)
    assert (refused.user, refused.person_id) == (manager, suffolk_person.pk)
    # The person's own scheme's manager does review it.
    break_glass_review(acting_user=outsider_manager, opened=opened, review=BreakGlassReview.APPROPRIATE)


def test_an_opening_is_reviewed_once(manager, officer2, person, police, norwich):
    second_manager = factories.UserFactory(
        username="manager2", role=Role.IOM_MANAGER, organisation=police, teams=[norwich]
    )
    opened = open_for(officer2, person)
    break_glass_review(acting_user=manager, opened=opened, review=BreakGlassReview.APPROPRIATE)
    with pytest.raises(ValidationError) as excinfo:
        break_glass_review(acting_user=second_manager, opened=opened, review=BreakGlassReview.INAPPROPRIATE, note="No")
    assert set(excinfo.value.message_dict) == {"review"}
    assert AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_REVIEWED).count() == 1


def test_a_manager_who_does_not_see_the_opening_gets_404(outsider_manager, officer2, person):
    opened = open_for(officer2, person)
    assert not selectors.break_glass_queue(user=outsider_manager).exists()
    with pytest.raises(Http404):
        break_glass_review(acting_user=outsider_manager, opened=opened, review=BreakGlassReview.APPROPRIATE)


@pytest.mark.parametrize("role", ["officer", "probation", *NOT_CASEWORK])
def test_only_iom_managers_review(all_roles, officer2, person, role):
    opened = open_for(officer2, person)
    assert not selectors.break_glass_queue(user=all_roles[role]).exists()
    with pytest.raises(PermissionDenied):
        break_glass_review(acting_user=all_roles[role], opened=opened, review=BreakGlassReview.APPROPRIATE)


def test_the_opener_s_managers_and_the_person_s_managers_both_see_an_opening(
    manager, outsider_manager, suffolk_officer, person
):
    """A Suffolk officer opening a Norwich person: their own (Suffolk) manager and the person's (Norfolk) one."""
    opened = open_for(suffolk_officer, person)
    assert list(selectors.break_glass_queue(user=manager)) == [opened]
    assert list(selectors.break_glass_queue(user=outsider_manager)) == [opened]
    assert selectors.person_ids_visible_to(user=outsider_manager, person_ids=[person.pk]) == set()
    assert selectors.person_ids_visible_to(user=manager, person_ids=[person.pk]) == {person.pk}


def test_the_queue_puts_openings_waiting_for_review_first(manager, officer2, person):
    older = open_for(officer2, person)
    newer = open_for(officer2, factories.CaseFactory(team=factories.TeamFactory(name="Cromer IOM")).person)
    break_glass_review(acting_user=manager, opened=newer, review=BreakGlassReview.APPROPRIATE)
    assert list(selectors.break_glass_queue(user=manager)) == [older, newer]
