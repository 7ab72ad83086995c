"""The break-glass pages and what an opened record shows on the person page and in the API.

``person`` is on a Norwich case led by ``officer``; ``officer2`` works in Great Yarmouth and cannot see them until
they open the record outside their teams; ``manager`` manages the Norfolk scheme and reviews the opening.
"""

import datetime
import html

import pytest
from django.test import Client
from django.utils import timezone

from iom.models import AuditAction, AuditEvent, BreakGlassAccess, BreakGlassReview, Person, Role, Sensitivity
from iom.services.break_glass import break_glass_open, break_glass_review
from tests.iom import factories
from tests.referrals.factories import ReferralFactory
from tests.web.test_pages_html import assert_error_summary_links_to_fields, assert_well_formed

pytestmark = pytest.mark.django_db

REASON = "Arrested in Great Yarmouth overnight; checking risk and markers before interview"
NOT_CASEWORK = ["partner", "coordinator", "employer", "analyst", "admin"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def person(case):
    """A name no page carries by itself, so "not on the page" checks cannot misfire."""
    Person.objects.filter(pk=case.person_id).update(first_name="Jolyon", last_name="Quarrington-Vesey")
    case.person.refresh_from_db()
    return case.person


@pytest.fixture
def opened(officer2, person) -> BreakGlassAccess:
    opening = break_glass_open(acting_user=officer2, identifier=person.pnc_id, reason=REASON)
    assert opening.access is not None
    return opening.access


# --- Opening a record -------------------------------------------------------------------------------------------


def test_the_page_explains_itself_and_lists_nothing_before_anything_is_opened(officer2, person):
    response = signed_in(officer2).get("/outside-teams/")
    assert response.status_code == 200
    page = text(response)
    assert "Open a record outside your teams" in page and "does not search" in page
    assert "You have no records open outside your teams." in page
    assert person.last_name not in page


def test_an_officer_opens_a_record_and_lands_on_the_person_page_with_the_banner(officer2, person, case):
    client = signed_in(officer2)
    assert client.get(f"/people/{person.pk}/").status_code == 404

    response = client.post("/outside-teams/", {"identifier": person.pnc_id, "reason": REASON})

    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    opened = BreakGlassAccess.objects.get()
    assert (opened.user, opened.person) == (officer2, person)
    page = client.get(f"/people/{person.pk}/")
    assert page.status_code == 200
    content = text(page)
    assert "You can read Jolyon Quarrington-Vesey's record until" in content  # the message
    opened_at = timezone.localtime(opened.opened_at)
    expires_at = timezone.localtime(opened.expires_at)
    assert (
        f"You opened this record outside your teams at {opened_at:%H:%M} on {opened_at.day} {opened_at:%B %Y} "
        f"because “{REASON}”; until {expires_at:%H:%M} on {expires_at.day} {expires_at:%B %Y}."
    ) in content
    assert f"Case in {case.team.name}" in content
    # Back on the opening page, the record is listed as open.
    assert person.last_name in text(client.get("/outside-teams/"))


def test_an_unknown_identifier_is_a_clear_error_and_nothing_is_recorded(officer2, person):
    response = signed_in(officer2).post("/outside-teams/", {"identifier": "2013/0012345Q", "reason": REASON})
    assert response.status_code == 200
    assert "No person has this PNC ID or CRN. Check it and try again." in text(response)
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS).exists()


def test_a_missing_or_thin_reason_is_refused_on_the_form(officer2, person):
    client = signed_in(officer2)
    missing = client.post("/outside-teams/", {"identifier": person.pnc_id, "reason": ""})
    assert "Enter why you need this record now." in text(missing)
    thin = client.post("/outside-teams/", {"identifier": person.pnc_id, "reason": "Urgent"})
    assert "Say in a sentence of at least 5 words" in text(thin)
    assert not BreakGlassAccess.objects.exists()


def test_a_person_already_visible_is_said_so_and_nothing_is_recorded(officer, person):
    client = signed_in(officer)
    response = client.post("/outside-teams/", {"identifier": person.pnc_id, "reason": REASON}, follow=True)
    assert "You can already see Jolyon Quarrington-Vesey through your teams or a grant" in text(response)
    assert "Opened outside your teams" not in text(response)
    assert not BreakGlassAccess.objects.exists()


@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_roles_without_case_work_get_403_and_nothing_is_recorded(all_roles, person, role):
    client = signed_in(all_roles[role])
    assert client.get("/outside-teams/").status_code == 403
    assert client.post("/outside-teams/", {"identifier": person.pnc_id, "reason": REASON}).status_code == 403
    assert not BreakGlassAccess.objects.exists()


def test_the_search_page_links_to_the_fixed_page_not_to_any_record(officer2, person):
    response = signed_in(officer2).get("/people/", {"q": person.pnc_id})
    content = text(response)
    assert response.context["page_obj"].paginator.count == 0
    assert 'href="/outside-teams/"' in content
    assert f"/people/{person.pk}/" not in content and person.last_name not in content


# --- What an opened record shows --------------------------------------------------------------------------------


def test_the_opened_page_reads_but_offers_no_change_and_hides_restricted_notes(officer, officer2, person, case, opened):
    factories.NoteFactory(case=case, author=officer, text="Seen at the day centre on Monday")
    factories.NoteFactory(
        case=case, author=officer, text="Intelligence from the drugs team", sensitivity=Sensitivity.RESTRICTED
    )
    referral = ReferralFactory(case=case)
    content = text(signed_in(officer2).get(f"/people/{person.pk}/"))

    assert "Seen at the day centre on Monday" in content
    assert "Intelligence from the drugs team" not in content
    for change in ("Add a note", "Add an action", "Edit details", "Manage access", "Open a case", "Refer to a service"):
        assert change not in content, change
    assert referral.service.name in content and f"/referrals/{referral.pk}/" not in content
    assert "Who has looked at this person" not in content


def test_the_case_address_opens_on_the_person_page_while_the_record_is_open(officer2, case, opened):
    response = signed_in(officer2).get(f"/cases/{case.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/people/{case.person_id}/#case-{case.pk}"


def test_writing_pages_stay_closed_to_the_opener(officer2, person, case, opened):
    client = signed_in(officer2)
    for path in (f"/people/{person.pk}/edit/", f"/cases/{case.pk}/notes/new/", f"/cases/{case.pk}/access/"):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/cases/{case.pk}/notes/new/", {"note_type": "contact", "text": "x", "occurred_on": ""})
    assert response.status_code == 404
    assert not case.notes.exists()


def test_an_opened_person_is_in_no_list_or_search(officer2, person, case, opened):
    factories.NoteFactory(case=case, author=officer2)
    client = signed_in(officer2)
    assert client.get("/people/", {"q": person.last_name}).context["page_obj"].paginator.count == 0
    assert client.get("/").context["page_obj"].paginator.count == 0
    api = Client()
    api.force_login(officer2)
    assert api.get("/api/v1/people/").json()["count"] == 0
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert api.get("/api/v1/notes/").json()["count"] == 0


def test_the_api_reads_the_opened_person_and_case_in_detail_only(officer2, person, case, opened):
    note = factories.NoteFactory(case=case, author=officer2)
    api = Client()
    api.force_login(officer2)
    person_answer = api.get(f"/api/v1/people/{person.pk}/")
    assert person_answer.status_code == 200 and person_answer.json()["pnc_id"] == person.pnc_id
    case_answer = api.get(f"/api/v1/cases/{case.pk}/")
    assert case_answer.status_code == 200 and case_answer.json()["person"] == person.pk
    # Only the person and the case are opened: what hangs off a case, and every write, stays with its team.
    assert api.get(f"/api/v1/notes/{note.pk}/").status_code == 404
    assert api.get(f"/api/v1/cases/{case.pk}/grants/").status_code == 404
    patch = api.patch(f"/api/v1/people/{person.pk}/", {"version": person.version}, content_type="application/json")
    assert patch.status_code == 404
    views = AuditEvent.objects.filter(user=officer2, action=AuditAction.VIEW, details__break_glass=opened.pk)
    assert views.count() == 2


def test_the_api_forgets_the_person_when_the_record_closes(officer2, person, case, opened):
    BreakGlassAccess.objects.filter(pk=opened.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    api = Client()
    api.force_login(officer2)
    assert api.get(f"/api/v1/people/{person.pk}/").status_code == 404
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_the_record_closes_when_it_expires(officer2, person, opened):
    client = signed_in(officer2)
    assert client.get(f"/people/{person.pk}/").status_code == 200
    BreakGlassAccess.objects.filter(pk=opened.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert "You have no records open outside your teams." in text(client.get("/outside-teams/"))


def test_a_reason_with_markup_is_shown_as_text(officer2, person, manager):
    reason = "<script>alert(1)</script> arrested overnight, checking risk before the interview"
    break_glass_open(acting_user=officer2, identifier=person.pnc_id, reason=reason)
    for client, path in (
        (signed_in(officer2), f"/people/{person.pk}/"),
        (signed_in(manager), "/outside-teams/reviews/"),
    ):
        raw = client.get(path).content.decode()
        assert "<script>alert(1)</script>" not in raw
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_the_opened_person_page_costs_at_most_two_more_queries_than_the_team_s_own(
    officer, officer2, person, case, opened, django_assert_max_num_queries
):
    factories.NoteFactory(case=case, author=officer)
    own, other = signed_in(officer), signed_in(officer2)
    url = f"/people/{person.pk}/"
    own.get(url)
    other.get(url)
    with django_assert_max_num_queries(100) as by_the_team:
        assert own.get(url).status_code == 200
    with django_assert_max_num_queries(len(by_the_team) + 2):
        assert other.get(url).status_code == 200


# --- The managers' review ---------------------------------------------------------------------------------------


def test_the_home_page_counts_what_waits_for_the_manager(manager, opened):
    content = text(signed_in(manager).get("/"))
    assert "Records opened outside teams" in content and "1 waiting" in content


def test_the_home_page_of_an_officer_says_nothing_of_reviews(officer, opened):
    assert "Records opened outside teams" not in text(signed_in(officer).get("/"))


def test_the_queue_shows_what_waits_with_its_reason_and_the_person_for_managers_who_see_them(
    manager, officer2, person, opened
):
    response = signed_in(manager).get("/outside-teams/reviews/")
    assert response.status_code == 200
    content = text(response)
    assert "1 waiting" in content and REASON in content and officer2.username in content
    assert f'href="/people/{person.pk}/"' in content and f'href="/outside-teams/reviews/{opened.pk}/"' in content
    assert AuditEvent.objects.filter(user=manager, action=AuditAction.LIST).exists()


def test_a_manager_who_does_not_see_the_person_gets_the_pnc_id_but_not_the_name(
    outsider_manager, police, suffolk_team, person
):
    suffolk_officer = factories.UserFactory(
        username="suffolkofficer", role=Role.IOM_OFFICER, organisation=police, teams=[suffolk_team]
    )
    opened = break_glass_open(acting_user=suffolk_officer, identifier=person.pnc_id, reason=REASON).access
    client = signed_in(outsider_manager)
    for path in ("/outside-teams/reviews/", f"/outside-teams/reviews/{opened.pk}/"):
        content = text(client.get(path))
        assert person.pnc_id in content and person.last_name not in content, path


def test_the_empty_queue_says_so(manager):
    assert "No record has been opened outside teams" in text(signed_in(manager).get("/outside-teams/reviews/"))


def test_a_manager_reviews_an_opening_and_may_end_it(manager, officer2, person, opened):
    client = signed_in(manager)
    form = client.get(f"/outside-teams/reviews/{opened.pk}/")
    assert form.status_code == 200 and "Record the review" in text(form)

    response = client.post(
        f"/outside-teams/reviews/{opened.pk}/",
        {"decision": "inappropriate_end", "note": "Ask the Norwich team: not an emergency."},
    )

    assert response.status_code == 302 and response["Location"] == "/outside-teams/reviews/"
    opened.refresh_from_db()
    assert (opened.review, opened.reviewed_by) == (BreakGlassReview.INAPPROPRIATE, manager)
    assert opened.expires_at <= timezone.now()
    assert signed_in(officer2).get(f"/people/{person.pk}/").status_code == 404
    queue = text(client.get("/outside-teams/reviews/"))
    assert "Nothing is waiting for review." in queue and "Not appropriate" in queue


def test_a_review_without_a_decision_or_note_is_refused_on_the_form(manager, opened):
    client = signed_in(manager)
    no_decision = client.post(f"/outside-teams/reviews/{opened.pk}/", {"note": ""})
    assert "Choose whether opening the record was appropriate." in text(no_decision)
    no_note = client.post(f"/outside-teams/reviews/{opened.pk}/", {"decision": "inappropriate_keep", "note": ""})
    assert "Say why opening the record was not appropriate." in text(no_note)
    opened.refresh_from_db()
    assert opened.reviewed_at is None


def test_a_manager_cannot_review_their_own_opening(manager, suffolk_team):
    suffolk_person = factories.CaseFactory(team=suffolk_team).person
    opened = break_glass_open(acting_user=manager, identifier=suffolk_person.pnc_id, reason=REASON).access
    client = signed_in(manager)
    page = text(client.get(f"/outside-teams/reviews/{opened.pk}/"))
    assert "another IOM manager reviews it" in page and "Record the review" not in page
    assert client.post(f"/outside-teams/reviews/{opened.pk}/", {"decision": "appropriate"}).status_code == 403
    opened.refresh_from_db()
    assert opened.reviewed_at is None


def test_another_scheme_s_opening_is_a_404_to_review(outsider_manager, opened):
    client = signed_in(outsider_manager)
    assert client.get(f"/outside-teams/reviews/{opened.pk}/").status_code == 404
    assert client.post(f"/outside-teams/reviews/{opened.pk}/", {"decision": "appropriate"}).status_code == 404


@pytest.mark.parametrize("role", ["officer", "probation", *NOT_CASEWORK])
def test_only_iom_managers_open_the_queue(all_roles, opened, role):
    client = signed_in(all_roles[role])
    assert client.get("/outside-teams/reviews/").status_code == 403
    assert client.get(f"/outside-teams/reviews/{opened.pk}/").status_code == 403


def test_the_queue_reads_in_the_same_number_of_queries_for_5_or_50_openings(
    manager, officer2, django_assert_max_num_queries
):
    def open_more(count: int) -> None:
        for _ in range(count):  # each a person of a team of its own, in a scheme of its own
            other = factories.CaseFactory()
            break_glass_open(acting_user=officer2, identifier=other.person.pnc_id, reason=REASON)

    client = signed_in(manager)
    counts = []
    for count in (5, 45):
        open_more(count)
        client.get("/outside-teams/reviews/")
        with django_assert_max_num_queries(12) as captured:
            assert client.get("/outside-teams/reviews/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_reviewed_opening_shows_its_review(manager, opened):
    break_glass_review(acting_user=manager, opened=opened, review=BreakGlassReview.APPROPRIATE)
    content = text(signed_in(manager).get(f"/outside-teams/reviews/{opened.pk}/"))
    assert "Appropriate" in content and "Record the review" not in content


# --- Markup -----------------------------------------------------------------------------------------------------


def test_every_break_glass_page_is_well_formed_and_its_failed_forms_link_their_errors(
    manager, officer2, person, opened
):
    officer_client, manager_client = signed_in(officer2), signed_in(manager)
    for client, path in (
        (officer_client, "/outside-teams/"),
        (officer_client, f"/people/{person.pk}/"),
        (manager_client, "/outside-teams/reviews/"),
        (manager_client, f"/outside-teams/reviews/{opened.pk}/"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_well_formed(response)
    assert_error_summary_links_to_fields(officer_client.post("/outside-teams/", {"identifier": "", "reason": ""}))
    assert_error_summary_links_to_fields(manager_client.post(f"/outside-teams/reviews/{opened.pk}/", {"note": ""}))
