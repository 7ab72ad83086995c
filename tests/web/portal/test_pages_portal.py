"""The employer portal's pages: who may use them, what an employer is told, and recording what happened.

An employer sees only the candidates matched to its own opportunities after the officer approved the
disclosure (anyone else's is a 404), is told first name and initial, the role, support contacts and unspent
convictions (category and year), and records interview, offer, start, 13 and 26 weeks and the end in the
order the service allows.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from iom.models import AuditAction, AuditEvent
from referrals import selectors, services
from referrals.models import Placement, PlacementEvent, ReferralState
from tests.partners.factories import GatewayEmployerFactory, GatewayOpportunityFactory, GatewayPledgeFactory
from tests.web.gateway_fixtures import SUPPORT
from tests.web.test_pages_html import assert_error_summary_links_to_fields, assert_well_formed

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 30
# Measured (SQLite and PostgreSQL agree), no slack; includes the convictions prefetch and the audit chain's head.
CANDIDATES_CEILING = 9


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> str:
    return (today() - datetime.timedelta(days=n)).isoformat()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record(client: Client, placement: Placement, **data):
    return client.post(f"/portal/candidates/{placement.pk}/record/", data)


# --- Who may use the portal --------------------------------------------------------------------------------------

OTHER_ROLES = ["officer", "probation", "manager", "partner", "coordinator", "analyst", "admin"]


@pytest.fixture
def portal_urls(candidate):
    return ["/portal/", f"/portal/candidates/{candidate.pk}/", "/portal/opportunities/", "/portal/pledge/"]


def test_employers_use_every_portal_page(employer, portal_urls):
    client = signed_in(employer)
    for url in portal_urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_every_portal_page(all_roles, role, portal_urls, candidate):
    client = signed_in(all_roles[role])
    for url in portal_urls:
        assert client.get(url).status_code == 403, url
    response = record(client, candidate, kind="started", occurred_on=days_ago(1))
    assert response.status_code == 403
    assert not PlacementEvent.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(portal_urls, candidate):
    client = Client()
    for url in [*portal_urls, f"/portal/candidates/{candidate.pk}/record/"]:
        response = client.get(url) if not url.endswith("record/") else client.post(url, {"kind": "started"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/"), url
    assert not PlacementEvent.objects.exists()


def test_recording_needs_a_post(employer, candidate):
    assert signed_in(employer).get(f"/portal/candidates/{candidate.pk}/record/").status_code == 405


# --- Only your own candidates ------------------------------------------------------------------------------------


def test_employer_cannot_see_another_employers_candidate(employer2, broads, candidate):
    client = signed_in(employer2)
    assert client.get(f"/portal/candidates/{candidate.pk}/").status_code == 404
    assert record(client, candidate, kind="started", occurred_on=days_ago(1)).status_code == 404
    assert not PlacementEvent.objects.exists()
    listing = client.get("/portal/")
    assert listing.status_code == 200
    assert candidate.pk not in [row["placement"].pk for row in listing.context["rows"]]
    assert "Dylan" not in listing.content.decode()
    assert "No candidates have been referred to you yet." in listing.content.decode()


def test_each_employer_lists_only_its_own_candidates(gateway, employer, employer2, opportunity, opportunity2):
    mine = gateway.placement(opportunity)
    theirs = gateway.placement(opportunity2)
    assert [row["placement"].pk for row in signed_in(employer).get("/portal/").context["rows"]] == [mine.pk]
    assert [row["placement"].pk for row in signed_in(employer2).get("/portal/").context["rows"]] == [theirs.pk]


def test_a_candidate_whose_disclosure_is_not_approved_is_not_shown(gateway, employer, opportunity):
    placement = gateway.placement(opportunity, approve=False)
    client = signed_in(employer)
    assert client.get("/portal/").context["rows"] == []
    assert client.get(f"/portal/candidates/{placement.pk}/").status_code == 404


def test_withdrawing_consent_ends_the_employers_access(gateway, employer, officer, candidate):
    consent = candidate.referral.consent
    services.consent_withdraw(acting_user=officer, consent=consent, reason="Changed his mind")
    client = signed_in(employer)
    assert client.get(f"/portal/candidates/{candidate.pk}/").status_code == 404
    assert client.get("/portal/").context["rows"] == []


# --- What the employer is told -----------------------------------------------------------------------------------


def test_the_candidate_page_shows_first_name_initial_role_support_and_unspent_convictions(employer, candidate):
    response = signed_in(employer).get(f"/portal/candidates/{candidate.pk}/")
    html = response.content.decode()
    assert "Dylan T." in html
    assert "Care assistant" in html
    assert SUPPORT in html
    assert "Shoplifting" in html
    assert str(today().year) in html or str((today() - datetime.timedelta(days=200)).year) in html
    assert "Criminal damage" not in html  # spent long ago: never shown


def test_the_candidate_page_shows_no_surname_date_of_birth_pnc_id_or_case_notes(employer, candidate, dylan):
    html = signed_in(employer).get(f"/portal/candidates/{candidate.pk}/").content.decode()
    assert "Thacker" not in html
    for shown in ("1990-05-17", "17 May 1990", "17/05/1990", "17 May"):
        assert shown not in html
    assert dylan.pnc_id not in html
    assert "Lakenham" not in html
    assert "construction course" not in html  # the referral's reason is for the coordinator, not the employer


def test_opening_a_candidate_is_recorded_in_the_audit_log(employer, candidate, dylan):
    client = signed_in(employer)
    client.get(f"/portal/candidates/{candidate.pk}/")
    client.get(f"/portal/candidates/{candidate.pk}/")
    events = AuditEvent.objects.filter(user=employer, object_type="placement").order_by("pk")
    # The first opening discloses the person to the employer (s.62, with the recipient); later ones are views.
    assert [event.action for event in events] == [AuditAction.DISCLOSE, AuditAction.VIEW]
    assert {event.object_id for event in events} == {str(candidate.pk)}
    assert {event.person_id for event in events} == {dylan.pk}
    assert events[0].details["recipient_organisation"] == employer.organisation_id


def test_a_closed_referral_keeps_its_record_without_the_persons_details(employer, coordinator, candidate):
    referral = candidate.referral
    services.referral_transition(acting_user=coordinator, referral=referral, to_state=ReferralState.IN_PROGRESS)
    services.referral_transition(
        acting_user=coordinator, referral=referral, to_state=ReferralState.NOT_ENGAGED, reason="Stopped replying"
    )
    client = signed_in(employer)
    html = client.get(f"/portal/candidates/{candidate.pk}/").content.decode()
    assert "Dylan" not in html
    assert SUPPORT not in html
    assert f"Candidate {candidate.pk}" in html
    assert "Confirm start" not in html
    row = client.get("/portal/").context["rows"][0]
    assert row["name"] == f"Candidate {candidate.pk}"
    assert row["next_step"] == "Nothing to record: the referral has closed"


def test_the_list_names_candidates_exactly_as_the_selector_does(gateway, employer, coordinator, opportunity):
    live = gateway.placement(opportunity)
    closed = gateway.placement(opportunity)
    services.referral_transition(acting_user=coordinator, referral=closed.referral, to_state="in_progress")
    services.referral_transition(
        acting_user=coordinator, referral=closed.referral, to_state="completed", reason="Found other work"
    )
    rows = signed_in(employer).get("/portal/").context["rows"]
    names = {row["placement"].pk: row["name"] for row in rows}
    for placement in Placement.objects.filter(pk__in=[live.pk, closed.pk]):
        assert names[placement.pk] == selectors.candidate_for_employer(placement=placement).display_name
    assert names[closed.pk] == f"Candidate {closed.pk}"


# --- Recording what happened -------------------------------------------------------------------------------------


def test_before_a_start_the_page_offers_interview_offer_and_start_only(employer, candidate):
    response = signed_in(employer).get(f"/portal/candidates/{candidate.pk}/")
    kinds = [action["kind"] for action in response.context["actions"]]
    assert kinds == ["interview", "offer", "started"]
    html = response.content.decode()
    assert "Confirm start" in html
    assert "Confirm 13 weeks" not in html
    assert "Record that it ended" not in html


def test_an_employer_confirms_a_start_then_13_weeks_in_work(employer, candidate):
    client = signed_in(employer)
    start = today() - datetime.timedelta(days=100)
    response = record(client, candidate, kind="started", occurred_on=start.isoformat())
    assert response.status_code == 302
    assert response["Location"] == f"/portal/candidates/{candidate.pk}/"
    candidate.refresh_from_db()
    assert candidate.started_on == start

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "You confirmed that Dylan T. started on" in html  # the banner
    assert [action["kind"] for action in page.context["actions"]] == ["sustained_13", "ended"]
    due = start + datetime.timedelta(weeks=13)
    assert f"It fell due on {due.day} {due:%B %Y}" in html

    response = record(client, candidate, kind="sustained_13", occurred_on=today().isoformat())
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.sustained_13_on == today()
    page = client.get(response["Location"])
    due_26 = start + datetime.timedelta(weeks=26)
    assert f"26 weeks in work falls due on {due_26.day} {due_26:%B %Y}" in page.content.decode()
    assert [action["kind"] for action in page.context["actions"]] == ["ended"]
    assert list(PlacementEvent.objects.filter(placement=candidate).values_list("kind", flat=True)) == [
        "started",
        "sustained_13",
    ]


def test_once_started_the_page_says_when_13_weeks_falls_due(employer, gateway, opportunity):
    placement = gateway.started(opportunity, days_ago=10, employer_user=employer)
    response = signed_in(employer).get(f"/portal/candidates/{placement.pk}/")
    due = placement.started_on + datetime.timedelta(weeks=13)
    assert f"13 weeks in work falls due on {due.day} {due:%B %Y}" in response.content.decode()
    assert [action["kind"] for action in response.context["actions"]] == ["ended"]


def test_sustained_before_started_is_refused_with_the_error_summary(employer, candidate):
    events_before = AuditEvent.objects.filter(object_type="placementevent").count()
    response = record(signed_in(employer), candidate, kind="sustained_13", occurred_on=today().isoformat())
    assert_error_summary_links_to_fields(response)
    assert "Record “placement started” before “sustained 13 weeks”" in response.content.decode()
    assert not PlacementEvent.objects.exists()
    candidate.refresh_from_db()
    assert candidate.sustained_13_on is None
    assert AuditEvent.objects.filter(object_type="placementevent").count() == events_before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "interview", "occurred_on": "today"}, "Choose the interview"),
        ({"kind": "started", "occurred_on": ""}, "Enter the date it happened."),
        ({"kind": "started", "occurred_on": "2024-02-30"}, "as a real date"),
        ({"kind": "", "occurred_on": "today"}, "Choose what happened."),
        ({"kind": "started", "occurred_on": "tomorrow"}, "cannot be in the future"),
        ({"kind": "started", "occurred_on": "long ago"}, "before the candidate was referred to you"),
    ],
)
def test_bad_input_is_refused_with_a_specific_message_and_nothing_written(employer, candidate, data, message):
    dates = {
        "today": today().isoformat(),
        "tomorrow": (today() + datetime.timedelta(days=1)).isoformat(),
        "long ago": days_ago(400),
    }
    data = {**data, "occurred_on": dates.get(data["occurred_on"], data["occurred_on"])}
    response = record(signed_in(employer), candidate, **data)
    assert_error_summary_links_to_fields(response)
    assert message in response.content.decode()
    assert not PlacementEvent.objects.exists()


def test_an_interview_with_its_outcome_appears_on_the_timeline(employer, candidate):
    client = signed_in(employer)
    response = record(client, candidate, kind="interview", occurred_on=days_ago(3), outcome="successful")
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Interview: successful" in html
    assert "The interview on" in html


def test_ending_a_placement_needs_a_reason_and_then_offers_nothing_more(employer, gateway, opportunity):
    placement = gateway.started(opportunity, days_ago=20, employer_user=employer)
    client = signed_in(employer)
    response = record(client, placement, kind="ended", occurred_on=days_ago(1))
    assert_error_summary_links_to_fields(response)
    assert "Say why the placement ended." in response.content.decode()
    assert not PlacementEvent.objects.filter(kind="ended").exists()

    response = record(client, placement, kind="ended", occurred_on=days_ago(1), reason="Moved to Leeds")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["actions"] == []
    assert "There is nothing more to record." in page.content.decode()

    # A stale form posted after the end: the refusal is shown in the summary, linked to the page.
    response = record(client, placement, kind="sustained_13", occurred_on=today().isoformat())
    assert_error_summary_links_to_fields(response)
    assert "nothing more can be recorded" in response.content.decode()


# --- Opportunities and pledge ------------------------------------------------------------------------------------


def test_the_opportunities_page_lists_only_the_employers_own(employer, opportunity, opportunity2):
    response = signed_in(employer).get("/portal/opportunities/")
    html = response.content.decode()
    assert "Care assistant" in html
    assert "Warehouse operative" not in html


def test_the_opportunities_page_says_when_there_are_none(employer, anglia):
    html = signed_in(employer).get("/portal/opportunities/").content.decode()
    assert "You have no opportunities published yet." in html


def test_the_pledge_page_shows_the_active_pledge(employer, anglia, coordinator):
    GatewayPledgeFactory(
        employer=anglia, opportunities_pledged=3, signed_by="Jo Bloggs, Director", recorded_by=coordinator
    )
    other = GatewayEmployerFactory()
    GatewayPledgeFactory(employer=other, signed_by="Somebody Else", recorded_by=coordinator)
    html = signed_in(employer).get("/portal/pledge/").content.decode()
    assert "You have pledged 3 opportunities" in html
    assert "Jo Bloggs, Director" in html
    assert "Guaranteed interview" in html
    assert "Somebody Else" not in html


def test_the_pledge_page_explains_an_unregistered_employer(employer):
    html = signed_in(employer).get("/portal/pledge/").content.decode()
    assert "is not registered with Gateway to Employment yet" in html


# --- Page structure ----------------------------------------------------------------------------------------------


def test_every_portal_page_has_a_title_one_heading_and_labelled_controls(employer, candidate, anglia, coordinator):
    GatewayPledgeFactory(employer=anglia, recorded_by=coordinator)
    GatewayOpportunityFactory(employer=anglia, created_by=coordinator)
    client = signed_in(employer)
    for url in ["/portal/", f"/portal/candidates/{candidate.pk}/", "/portal/opportunities/", "/portal/pledge/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert_well_formed(response)


def test_the_empty_portal_pages_are_well_formed(employer):
    client = signed_in(employer)
    for url in ["/portal/", "/portal/opportunities/", "/portal/pledge/"]:
        assert_well_formed(client.get(url))


def test_a_started_candidates_page_is_well_formed(employer, gateway, opportunity):
    placement = gateway.started(opportunity, days_ago=120, employer_user=employer)
    response = signed_in(employer).get(f"/portal/candidates/{placement.pk}/")
    assert_well_formed(response)
    assert 'data-aria-controls="conditional-ended"' in response.content.decode()


# --- Query counts ------------------------------------------------------------------------------------------------


def test_the_candidates_list_reads_in_the_same_number_of_queries_for_5_or_30(
    gateway, employer, opportunity, django_assert_max_num_queries
):
    client = signed_in(employer)

    def measure() -> int:
        client.get("/portal/")
        with django_assert_max_num_queries(CANDIDATES_CEILING) as captured:
            response = client.get("/portal/?page=1")
        assert response.status_code == 200
        return len(captured)

    for number in range(SMALL):
        placement = gateway.placement(opportunity, matched_days_ago=30)
        if number % 2:
            services.placement_record_event(
                acting_user=employer,
                placement=placement,
                kind="started",
                occurred_on=today() - datetime.timedelta(days=5),
            )
    small = measure()
    for _ in range(LARGE - SMALL):
        gateway.placement(opportunity)
    large = measure()
    assert small == large
    assert len(client.get("/portal/").context["rows"]) == 25  # one page of the 30
