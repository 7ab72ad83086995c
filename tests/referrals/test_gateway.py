"""Gateway to Employment: the officer's disclosure, the coordinator's match, the employer's events, and the
notifications and reminders around them (docs/product.md "Gateway to Employment", "Referrals").
"""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from iom.models import AuditAction, AuditEvent, AuditOutcome, Notification, OrganisationType, Role
from partners.models import OpportunityStatus, ServiceType
from referrals import services, tasks
from referrals.models import DisclosedConviction, Placement, PlacementEvent, Referral, ReferralState
from referrals.rehabilitation import add_months
from referrals.working_days import add_working_days, is_working_day
from tests.iom import factories
from tests.partners.factories import OpportunityFactory, ServiceFactory
from tests.referrals.factories import PlacementFactory
from tests.referrals.fixtures import custody_last_year, fine_three_years_ago

pytestmark = pytest.mark.django_db

S = ReferralState
LONDON = zoneinfo.ZoneInfo("Europe/London")
CANDIDATE_FIELDS = {
    "id",
    "candidate",
    "role",
    "opportunity",
    "support_contacts",
    "unspent_convictions",
    "started_on",
    "sustained_13_on",
    "sustained_26_on",
    "ended_on",
}


def _today() -> datetime.date:
    return timezone.localdate()


def _ago(days: int) -> datetime.date:
    return _today() - datetime.timedelta(days=days)


# --- Disclosure: what the employer may be told -----------------------------------------------------------------


def test_a_fine_from_three_years_ago_is_spent_and_never_shown(
    gateway_referral, approve_disclosure, coordinator, opportunity_a, employer, api_as
):
    fine = fine_three_years_ago()
    approve_disclosure(gateway_referral, [fine])
    stored = DisclosedConviction.objects.get(referral=gateway_referral)
    assert stored.spent_on == add_months(fine["convicted_on"], 12)
    assert stored.spent_on <= _today()

    placement = services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)
    body = api_as(employer).get(f"/api/v1/placements/{placement.pk}/").json()
    assert body["unspent_convictions"] == []
    assert "shoplifting" not in str(body)


def test_two_years_custody_that_ended_last_year_is_shown_as_category_and_year_only(
    gateway_referral, approve_disclosure, coordinator, opportunity_a, employer, api_as
):
    custody = custody_last_year()
    approve_disclosure(gateway_referral, [custody])
    stored = DisclosedConviction.objects.get(referral=gateway_referral)
    assert stored.spent_on == add_months(custody["ends_on"], 48)  # 4 years after a sentence of 1 to 4 years ends
    assert (stored.sentence_type, stored.length_months, stored.ends_on) == ("custody", 24, custody["ends_on"])

    placement = services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)
    body = api_as(employer).get(f"/api/v1/placements/{placement.pk}/").json()
    assert body["unspent_convictions"] == [
        {"offence_category": "domestic_burglary", "year": custody["convicted_on"].year}
    ]
    text = str(body)
    assert custody["convicted_on"].isoformat() not in text
    assert custody["ends_on"].isoformat() not in text
    assert "custody" not in text


def test_an_earlier_conviction_stays_unspent_while_a_later_one_runs(
    gateway_referral, approve_disclosure, coordinator, opportunity_a, employer, api_as
):
    """ROA s.6(4): a further conviction during an earlier one's rehabilitation period keeps the earlier unspent."""
    fine_on = _ago(3 * 365)
    custody = custody_last_year()
    custody["convicted_on"] = fine_on + datetime.timedelta(days=100)  # within the fine's 12 months
    approve_disclosure(
        gateway_referral,
        [{"offence_category": "criminal_damage", "sentence_type": "fine", "convicted_on": fine_on}, custody],
    )
    fine_row = DisclosedConviction.objects.get(referral=gateway_referral, sentence_type="fine")
    custody_row = DisclosedConviction.objects.get(referral=gateway_referral, sentence_type="custody")
    assert fine_row.spent_on == custody_row.spent_on == add_months(custody["ends_on"], 48)

    placement = services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)
    shown = api_as(employer).get(f"/api/v1/placements/{placement.pk}/").json()["unspent_convictions"]
    assert {row["offence_category"] for row in shown} == {"criminal_damage", "domestic_burglary"}


def test_a_later_conviction_with_a_shorter_period_stays_unspent_as_long_as_the_earlier_one(
    gateway_referral, approve_disclosure
):
    """ROA s.6(4) works both ways: the period that would end earlier is extended to end with the other. A fine
    given while two years' custody was still in its rehabilitation period is not spent a year later."""
    custody = custody_last_year()
    later_fine = {
        "offence_category": "violence_without_injury",
        "sentence_type": "fine",
        "convicted_on": custody["ends_on"] - datetime.timedelta(days=200),
    }
    approve_disclosure(gateway_referral, [custody, later_fine])
    fine_row = DisclosedConviction.objects.get(referral=gateway_referral, sentence_type="fine")
    assert fine_row.spent_on == add_months(custody["ends_on"], 48)


def test_the_employer_sees_first_name_and_initial_the_role_the_contacts_and_nothing_else(
    placement_a, person, case, officer, employer, api_as
):
    note = factories.NoteFactory(case=case, author=officer, text="Sleeping at his sister's flat in Lakenham")
    referral = placement_a.referral
    client = api_as(employer)

    detail = client.get(f"/api/v1/placements/{placement_a.pk}/")
    listed = client.get("/api/v1/placements/")
    events = client.get(f"/api/v1/placements/{placement_a.pk}/events/")

    assert detail.status_code == listed.status_code == events.status_code == 200
    body = detail.json()
    assert set(body) == CANDIDATE_FIELDS
    assert body["candidate"] == "Dylan T."
    assert body["role"] == "Care assistant"
    assert body["support_contacts"] == "PC Jo Hart, Norwich IOM, 01603 000000"
    assert body["unspent_convictions"] == [
        {"offence_category": "domestic_burglary", "year": custody_last_year()["convicted_on"].year}
    ]
    assert listed.json()["results"] == [body]
    for response in (detail, listed, events):
        text = response.content.decode()
        for secret in (
            "Thacker",
            "1990-05-17",
            "1990",
            person.pnc_id,
            note.text,
            referral.reason,
            referral.shared_information,
            referral.risk_summary,
            "norwich",
        ):
            assert secret not in text, secret


def test_the_employer_sees_nothing_until_the_officer_approves_the_disclosure(
    gateway_referral, coordinator, opportunity_a, employer, api_as, approve_disclosure
):
    placement = services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)
    client = api_as(employer)
    missing = client.get("/api/v1/placements/999999/")
    assert client.get(f"/api/v1/placements/{placement.pk}/").status_code == 404
    assert client.get(f"/api/v1/placements/{placement.pk}/").json() == missing.json()
    assert client.get(f"/api/v1/placements/{placement.pk}/events/").status_code == 404
    assert (
        client.post(
            f"/api/v1/placements/{placement.pk}/events/",
            {"kind": "interview", "occurred_on": _today().isoformat(), "outcome": "successful"},
            format="json",
        ).status_code
        == 404
    )
    assert client.get("/api/v1/placements/").json()["results"] == []
    assert not Notification.objects.filter(user=employer).exists()

    approve_disclosure(gateway_referral)

    assert client.get(f"/api/v1/placements/{placement.pk}/").status_code == 200
    assert [row["id"] for row in client.get("/api/v1/placements/").json()["results"]] == [placement.pk]


def test_approving_a_disclosure_is_audited_and_replaces_the_earlier_list(gateway_referral, approve_disclosure, officer):
    approve_disclosure(gateway_referral, [custody_last_year(), fine_three_years_ago()])
    approve_disclosure(gateway_referral, [custody_last_year()])
    assert DisclosedConviction.objects.filter(referral=gateway_referral).count() == 1
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_by == officer
    assert gateway_referral.disclosure_approved_at is not None
    events = AuditEvent.objects.filter(object_type="referral", object_id=str(gateway_referral.pk), user=officer)
    assert [e.details for e in events.filter(details__disclosure_approved=True).order_by("pk")] == [
        {"disclosure_approved": True, "convictions": 2},
        {"disclosure_approved": True, "convictions": 1},
    ]


@pytest.mark.parametrize(
    ("conviction", "field"),
    [
        (
            {"offence_category": "jaywalking", "sentence_type": "fine", "convicted_on": datetime.date(2024, 1, 2)},
            ".offence_category",
        ),
        ({"offence_category": "robbery", "sentence_type": "custody", "convicted_on": datetime.date(2024, 1, 2)}, ""),
        ({"offence_category": "robbery", "sentence_type": "flogging", "convicted_on": datetime.date(2024, 1, 2)}, ""),
        ({"offence_category": "robbery", "sentence_type": "fine"}, ""),
    ],
)
def test_a_bad_conviction_is_a_field_error_and_nothing_is_approved(gateway_referral, officer, conviction, field):
    with pytest.raises(ValidationError) as refused:
        services.referral_approve_disclosure(
            acting_user=officer, referral=gateway_referral, convictions=[conviction], support_contacts="PC Hart"
        )
    assert f"convictions[0]{field}" in refused.value.message_dict
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_at is None
    assert not DisclosedConviction.objects.exists()


def test_a_disclosure_needs_a_support_contact(gateway_referral, officer):
    with pytest.raises(ValidationError) as refused:
        services.referral_approve_disclosure(
            acting_user=officer, referral=gateway_referral, convictions=[custody_last_year()], support_contacts=" "
        )
    assert "support_contacts" in refused.value.message_dict
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_at is None


@pytest.mark.parametrize(("role", "error"), [("officer2", Http404), ("partner", PermissionDenied)])
def test_only_case_workers_who_may_change_the_case_approve_a_disclosure(gateway_referral, all_roles, role, error):
    with pytest.raises(error):
        services.referral_approve_disclosure(
            acting_user=all_roles[role], referral=gateway_referral, convictions=[], support_contacts="PC Hart"
        )
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_at is None


def test_a_disclosure_belongs_to_employment_referrals_only(submitted_housing_referral, officer):
    with pytest.raises(ValidationError) as refused:
        services.referral_approve_disclosure(
            acting_user=officer, referral=submitted_housing_referral, convictions=[], support_contacts="PC Hart"
        )
    assert "referral" in refused.value.message_dict


def test_a_closed_referrals_disclosure_cannot_change(gateway_referral, officer, move):
    move(gateway_referral, S.WITHDRAWN, reason="Recalled")
    with pytest.raises(ValidationError) as refused:
        services.referral_approve_disclosure(
            acting_user=officer, referral=gateway_referral, convictions=[], support_contacts="PC Hart"
        )
    assert "referral" in refused.value.message_dict


# --- The employer's events ---------------------------------------------------------------------------------------


@pytest.fixture
def started_placement(placement_a, employer, backdate_match):
    """Employer A's candidate, matched 200 days ago and started 190 days ago."""
    backdate_match(placement_a, days=200)
    services.placement_record_event(acting_user=employer, placement=placement_a, kind="started", occurred_on=_ago(190))
    placement_a.refresh_from_db()
    return placement_a


def _post_event(client, placement, **body):
    body = {key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in body.items()}
    return client.post(f"/api/v1/placements/{placement.pk}/events/", body, format="json")


def test_events_in_order_are_recorded_and_set_the_placement_dates(placement_a, employer, api_as, backdate_match):
    backdate_match(placement_a, days=200)
    client = api_as(employer)
    start = _ago(190)
    steps = [
        {"kind": "interview", "occurred_on": _ago(196), "outcome": "successful"},
        {"kind": "offer", "occurred_on": _ago(194)},
        {"kind": "started", "occurred_on": start},
        {"kind": "sustained_13", "occurred_on": start + datetime.timedelta(weeks=13)},
        {"kind": "sustained_26", "occurred_on": start + datetime.timedelta(weeks=26)},
        {"kind": "ended", "occurred_on": _ago(1), "reason": "Moved to a permanent contract elsewhere"},
    ]
    for step in steps:
        response = _post_event(client, placement_a, **step)
        assert response.status_code == 201, (step, response.content)
        assert response.json()["kind"] == step["kind"]

    placement_a.refresh_from_db()
    assert placement_a.started_on == start
    assert placement_a.sustained_13_on == start + datetime.timedelta(weeks=13)
    assert placement_a.sustained_26_on == start + datetime.timedelta(weeks=26)
    assert placement_a.ended_on == _ago(1)
    listed = client.get(f"/api/v1/placements/{placement_a.pk}/events/").json()
    assert [row["kind"] for row in listed] == [step["kind"] for step in steps]
    assert PlacementEvent.objects.filter(placement=placement_a, recorded_by=employer).count() == 6
    assert (
        AuditEvent.objects.filter(object_type="placementevent", user=employer, action=AuditAction.CREATE).count() == 6
    )


def test_a_second_interview_may_be_recorded(placement_a, employer, api_as, backdate_match):
    backdate_match(placement_a, days=20)
    client = api_as(employer)
    assert (
        _post_event(client, placement_a, kind="interview", occurred_on=_ago(10), outcome="did_not_attend").status_code
        == 201
    )
    assert (
        _post_event(client, placement_a, kind="interview", occurred_on=_ago(5), outcome="successful").status_code == 201
    )


def _frozen(placement: Placement) -> tuple:
    placement.refresh_from_db()
    return (
        placement.started_on,
        placement.sustained_13_on,
        placement.sustained_26_on,
        placement.ended_on,
        placement.events.count(),
    )


def test_sustainment_before_a_start_is_refused(placement_a, employer, api_as, backdate_match):
    backdate_match(placement_a, days=200)
    before = _frozen(placement_a)
    response = _post_event(api_as(employer), placement_a, kind="sustained_13", occurred_on=_ago(1))
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
    assert _frozen(placement_a) == before


def test_thirteen_weeks_cannot_be_confirmed_early(started_placement, employer, api_as):
    before = _frozen(started_placement)
    too_early = started_placement.started_on + datetime.timedelta(weeks=13) - datetime.timedelta(days=1)
    response = _post_event(api_as(employer), started_placement, kind="sustained_13", occurred_on=too_early)
    assert response.status_code == 400
    assert "occurred_on" in response.json()["errors"]
    assert _frozen(started_placement) == before


def test_twenty_six_weeks_cannot_come_before_thirteen(started_placement, employer, api_as):
    before = _frozen(started_placement)
    on_time = started_placement.started_on + datetime.timedelta(weeks=26)
    response = _post_event(api_as(employer), started_placement, kind="sustained_26", occurred_on=on_time)
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
    assert _frozen(started_placement) == before


def test_twenty_six_weeks_cannot_be_confirmed_early(started_placement, employer, api_as):
    client = api_as(employer)
    start = started_placement.started_on
    assert (
        _post_event(
            client, started_placement, kind="sustained_13", occurred_on=start + datetime.timedelta(weeks=13)
        ).status_code
        == 201
    )
    before = _frozen(started_placement)
    response = _post_event(
        client, started_placement, kind="sustained_26", occurred_on=start + datetime.timedelta(weeks=26, days=-1)
    )
    assert response.status_code == 400
    assert "occurred_on" in response.json()["errors"]
    assert _frozen(started_placement) == before


@pytest.mark.parametrize(
    "event",
    [
        {"kind": "interview", "outcome": "successful"},
        {"kind": "offer"},
        {"kind": "sustained_13"},
        {"kind": "ended", "reason": "Again"},
    ],
)
def test_nothing_can_be_recorded_after_the_placement_ended(started_placement, employer, api_as, event):
    client = api_as(employer)
    ended = _post_event(client, started_placement, kind="ended", occurred_on=_ago(100), reason="Dismissed for lateness")
    assert ended.status_code == 201
    before = _frozen(started_placement)
    response = _post_event(client, started_placement, occurred_on=_ago(1), **event)
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
    assert _frozen(started_placement) == before


def test_a_start_is_recorded_once(started_placement, employer, api_as):
    before = _frozen(started_placement)
    response = _post_event(api_as(employer), started_placement, kind="started", occurred_on=_ago(5))
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
    assert _frozen(started_placement) == before


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"kind": "ended", "occurred_on": 191}, "occurred_on"),  # before the start (190 days ago)
        ({"kind": "ended", "occurred_on": 1, "reason": ""}, "reason"),
        ({"kind": "interview", "occurred_on": 1}, "outcome"),
        ({"kind": "offer", "occurred_on": 201}, "occurred_on"),  # before the match (200 days ago)
        ({"kind": "offer", "occurred_on": -1}, "occurred_on"),  # tomorrow
    ],
)
def test_events_with_impossible_dates_or_missing_details_are_refused(started_placement, employer, api_as, event, field):
    before = _frozen(started_placement)
    body = {**event, "occurred_on": _ago(event["occurred_on"])}
    body.setdefault("reason", "Left")
    response = _post_event(api_as(employer), started_placement, **body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert _frozen(started_placement) == before


def test_an_end_cannot_be_dated_before_a_confirmed_sustainment(started_placement, employer, api_as):
    client = api_as(employer)
    confirmed_on = started_placement.started_on + datetime.timedelta(weeks=13)
    assert _post_event(client, started_placement, kind="sustained_13", occurred_on=confirmed_on).status_code == 201
    before = _frozen(started_placement)
    response = _post_event(
        client,
        started_placement,
        kind="ended",
        occurred_on=confirmed_on - datetime.timedelta(days=7),
        reason="Left after ten weeks",
    )
    assert response.status_code == 400
    assert "occurred_on" in response.json()["errors"]
    assert _frozen(started_placement) == before


@pytest.mark.parametrize("role", ["coordinator", "officer", "manager"])
def test_only_the_employer_records_events(placement_a, all_roles, role):
    with pytest.raises(PermissionDenied):
        services.placement_record_event(
            acting_user=all_roles[role],
            placement=placement_a,
            kind="interview",
            occurred_on=_today(),
            outcome="successful",
        )
    assert not placement_a.events.exists()


def test_another_employer_cannot_record_events(placement_a, employer_b_user):
    with pytest.raises(Http404):
        services.placement_record_event(
            acting_user=employer_b_user, placement=placement_a, kind="started", occurred_on=_today()
        )
    assert not placement_a.events.exists()


# --- The coordinator's match -------------------------------------------------------------------------------------


def test_the_coordinator_receiving_the_referral_matches_it(gateway_referral, coordinator, opportunity_a):
    placement = services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)
    assert (placement.referral, placement.opportunity, placement.matched_by) == (
        gateway_referral,
        opportunity_a,
        coordinator,
    )
    event = AuditEvent.objects.get(object_type="placement", object_id=str(placement.pk))
    assert event.user == coordinator
    assert event.details == {"opportunity": opportunity_a.pk, "employer": opportunity_a.employer_id}
    assert event.person_id == gateway_referral.case.person_id


def test_an_in_progress_referral_may_be_matched(gateway_referral, coordinator, opportunity_a, move):
    move(gateway_referral, S.IN_PROGRESS)
    assert services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)


@pytest.fixture
def dwp_coordinator(db):
    dwp = factories.OrganisationFactory(name="DWP Norfolk", type=OrganisationType.DWP)
    return factories.UserFactory(username="dwp_coordinator", role=Role.SCHEME_COORDINATOR, organisation=dwp)


@pytest.mark.parametrize("role", ["officer", "partner", "employer", "analyst", "admin", "dwp_coordinator"])
def test_only_the_receiving_coordinator_may_match(gateway_referral, opportunity_a, all_roles, dwp_coordinator, role):
    user = dwp_coordinator if role == "dwp_coordinator" else all_roles[role]
    with pytest.raises(PermissionDenied):
        services.placement_match(acting_user=user, referral=gateway_referral, opportunity=opportunity_a)
    assert not Placement.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        (),
        (S.SUBMITTED,),
        (S.SUBMITTED, S.DECLINED),
        (S.WITHDRAWN,),
        (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED),
    ],
)
def test_only_accepted_or_in_progress_referrals_are_matched(
    draft_referral, gateway_service, gateway_consent, move, coordinator, opportunity_a, path
):
    referral = move(draft_referral(gateway_service), *path)
    with pytest.raises(ValidationError) as refused:
        services.placement_match(acting_user=coordinator, referral=referral, opportunity=opportunity_a)
    assert "referral" in refused.value.message_dict
    assert not Placement.objects.exists()


@pytest.mark.parametrize("status", [OpportunityStatus.FILLED, OpportunityStatus.CLOSED])
def test_only_open_opportunities_are_matched(gateway_referral, coordinator, employer_a, status):
    opportunity = OpportunityFactory(employer=employer_a, status=status)
    with pytest.raises(ValidationError) as refused:
        services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity)
    assert "opportunity" in refused.value.message_dict
    assert not Placement.objects.exists()


def test_a_person_is_matched_to_an_opportunity_once(gateway_referral, coordinator, opportunity_a):
    services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)
    with pytest.raises(ValidationError) as refused:
        services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)
    assert "opportunity" in refused.value.message_dict
    assert Placement.objects.count() == 1


def test_matching_over_the_api(gateway_referral, coordinator, opportunity_b, api_as):
    response = api_as(coordinator).post(
        f"/api/v1/referrals/{gateway_referral.pk}/match/", {"opportunity": opportunity_b.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"placement": Placement.objects.get().pk}


def test_a_candidate_without_recorded_consent_never_reaches_an_employer(
    draft_referral, dwp_coordinator, officer, approve_disclosure, employer_a, employer, api_as
):
    """docs/product.md: nothing goes to an employer without the person's recorded consent. A Gateway service run by a
    statutory coordinator (DWP) may be set up without a consent requirement; the match must still refuse."""
    service = ServiceFactory(
        organisation=dwp_coordinator.organisation,
        name="DWP Gateway",
        service_type=ServiceType.EMPLOYMENT,
        consent_required=False,
    )
    referral = draft_referral(service)
    referral = services.referral_transition(acting_user=officer, referral=referral, to_state=S.SUBMITTED)
    referral = services.referral_transition(acting_user=dwp_coordinator, referral=referral, to_state=S.ACCEPTED)
    assert referral.consent is None
    approve_disclosure(referral)
    opportunity = OpportunityFactory(employer=employer_a)

    with pytest.raises(ValidationError) as refused:
        services.placement_match(acting_user=dwp_coordinator, referral=referral, opportunity=opportunity)

    assert "consent" in refused.value.message_dict
    assert not Placement.objects.exists()
    assert api_as(employer).get("/api/v1/placements/").json()["results"] == []


# --- Refused writes are audited (as iom.access refuses case writes) ---------------------------------------------


def _refusals() -> list[tuple]:
    return list(
        AuditEvent.objects.filter(outcome=AuditOutcome.REFUSED)
        .order_by("pk")
        .values_list("user__username", "action", "object_type", "object_id", "person_id", "details")
    )


@pytest.mark.parametrize("role", ["officer", "partner", "employer", "analyst", "admin", "dwp_coordinator"])
def test_a_refused_match_is_audited_as_a_refused_create(
    gateway_referral, opportunity_a, person, all_roles, dwp_coordinator, role
):
    user = dwp_coordinator if role == "dwp_coordinator" else all_roles[role]
    with pytest.raises(PermissionDenied):
        services.placement_match(acting_user=user, referral=gateway_referral, opportunity=opportunity_a)
    assert _refusals() == [
        (
            user.username,
            AuditAction.CREATE,
            "referral",
            str(gateway_referral.pk),
            person.pk,
            {"attempted": "match to opportunity", "opportunity": opportunity_a.pk},
        )
    ]
    assert not Placement.objects.exists()


@pytest.mark.parametrize("role", ["officer", "coordinator", "partner", "analyst", "admin"])
def test_an_event_recorded_by_someone_who_is_not_an_employer_is_refused_and_audited(
    placement_a, person, all_roles, role
):
    user = all_roles[role]
    with pytest.raises(PermissionDenied):
        services.placement_record_event(acting_user=user, placement=placement_a, kind="interview", occurred_on=_today())
    assert _refusals() == [
        (
            user.username,
            AuditAction.CREATE,
            "placement",
            str(placement_a.pk),
            person.pk,
            {"attempted": "record placement event", "kind": "interview"},
        )
    ]
    assert not PlacementEvent.objects.exists()


def test_an_event_for_another_employers_candidate_is_a_404_and_audited(placement_a, person, employer_b_user):
    with pytest.raises(Http404):
        services.placement_record_event(
            acting_user=employer_b_user, placement=placement_a, kind="started", occurred_on=_today()
        )
    assert _refusals() == [
        (
            "employer_b",
            AuditAction.CREATE,
            "placement",
            str(placement_a.pk),
            person.pk,
            {"attempted": "record placement event", "kind": "started"},
        )
    ]
    assert not PlacementEvent.objects.exists()


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        ("partner", PermissionDenied),
        ("coordinator", PermissionDenied),
        ("employer", PermissionDenied),
        ("officer2", Http404),
    ],
)
def test_a_refused_disclosure_approval_is_audited(gateway_referral, case, person, all_roles, role, refusal):
    user = all_roles[role]
    with pytest.raises(refusal):
        services.referral_approve_disclosure(
            acting_user=user, referral=gateway_referral, convictions=[], support_contacts="Anyone, 01603 000000"
        )
    assert _refusals() == [
        (user.username, AuditAction.CHANGE, "case", str(case.pk), person.pk, {"attempted": "approve disclosure"})
    ]
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_at is None


# --- Notifications -----------------------------------------------------------------------------------------------


def _notified(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_a_submitted_referral_notifies_the_partners_users_once(
    housing_referral, housing_consent, officer, partner, other_partner, coordinator, django_capture_on_commit_callbacks
):
    colleague = factories.UserFactory(
        username="partner2", role=Role.PARTNER_CASEWORKER, organisation=partner.organisation
    )
    factories.UserFactory(
        username="partner_left", role=Role.PARTNER_CASEWORKER, organisation=partner.organisation, is_active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)

    assert _notified("referral_submitted") == ["partner", "partner2"]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([partner.email, colleague.email])
    notification = Notification.objects.get(user=partner)
    assert notification.link == f"/referrals/{housing_referral.pk}/"
    assert "Thacker" not in notification.title + notification.body


@pytest.mark.parametrize(("target", "reason"), [(S.ACCEPTED, ""), (S.DECLINED, "No vacancies this quarter")])
def test_accepting_or_declining_notifies_the_officer(
    submitted_housing_referral, partner, officer, target, reason, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(
            acting_user=partner, referral=submitted_housing_referral, to_state=target, reason=reason
        )
    assert _notified(f"referral_{target}") == ["officer"]
    assert [message.to for message in mail.outbox] == [[officer.email]]


def test_a_referral_drafted_by_probation_notifies_both_the_drafter_and_the_lead_officer(
    housing_service, housing_consent, case, probation, partner, move
):
    referral = services.referral_create(
        acting_user=probation, case=case, service=housing_service, reason="Rent arrears", shared_information="Address"
    )
    move(referral, S.SUBMITTED, S.ACCEPTED)
    assert _notified("referral_accepted") == ["officer", "probation"]


def test_a_matched_candidate_notifies_the_employers_users_once(
    gateway_referral,
    approve_disclosure,
    coordinator,
    opportunity_a,
    employer,
    employer_b_user,
    django_capture_on_commit_callbacks,
):
    colleague = factories.UserFactory(username="employer_a2", role=Role.EMPLOYER, organisation=employer.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        placement = services.placement_match(
            acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a
        )
    assert _notified("candidate_referred") == []  # not before the officer approves the disclosure

    with django_capture_on_commit_callbacks(execute=True):
        approve_disclosure(gateway_referral)
    with django_capture_on_commit_callbacks(execute=True):
        approve_disclosure(gateway_referral)  # approving again does not notify again

    assert _notified("candidate_referred") == ["employer", "employer_a2"]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([employer.email, colleague.email])
    assert Notification.objects.get(user=employer).link == f"/portal/candidates/{placement.pk}/"


def test_a_match_after_approval_notifies_the_employer_at_once(placement_a, employer, employer_b_user):
    assert _notified("candidate_referred") == ["employer"]
    assert "Thacker" not in str(Notification.objects.values_list("title", "body"))


# --- Reminders ---------------------------------------------------------------------------------------------------


def _start(placement, employer, backdate_match, *, days_ago: int) -> Placement:
    backdate_match(placement, days=days_ago + 5)
    services.placement_record_event(
        acting_user=employer, placement=placement, kind="started", occurred_on=_ago(days_ago)
    )
    placement.refresh_from_db()
    return placement


def test_the_thirteen_week_reminder_is_sent_once_when_due(
    placement_a, employer, backdate_match, django_capture_on_commit_callbacks
):
    _start(placement_a, employer, backdate_match, days_ago=13 * 7)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_sustainment_due.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_sustainment_due.delay().get() == 0
    notification = Notification.objects.get(kind="sustainment_due")
    assert notification.user == employer
    assert "13-week" in notification.title
    assert [message.to for message in mail.outbox] == [[employer.email]]


def test_no_reminder_before_thirteen_weeks(placement_a, employer, backdate_match):
    _start(placement_a, employer, backdate_match, days_ago=13 * 7 - 1)
    assert tasks.remind_sustainment_due.delay().get() == 0
    assert not Notification.objects.filter(kind="sustainment_due").exists()


def test_the_twenty_six_week_reminder_follows_the_thirteen_week_confirmation(placement_a, employer, backdate_match):
    _start(placement_a, employer, backdate_match, days_ago=26 * 7)
    tasks.remind_sustainment_due.delay()
    services.placement_record_event(
        acting_user=employer, placement=placement_a, kind="sustained_13", occurred_on=_ago(13 * 7)
    )
    assert tasks.remind_sustainment_due.delay().get() == 1
    assert tasks.remind_sustainment_due.delay().get() == 0
    titles = sorted(Notification.objects.filter(kind="sustainment_due").values_list("title", flat=True))
    assert ["13-week" in titles[0], "26-week" in titles[1]] == [True, True]


def test_no_reminder_for_an_ended_or_withdrawn_placement(
    placement_a, employer, backdate_match, officer, gateway_consent
):
    _start(placement_a, employer, backdate_match, days_ago=100)
    services.consent_withdraw(acting_user=officer, consent=gateway_consent, reason="Left the scheme")
    assert tasks.remind_sustainment_due.delay().get() == 0


def test_the_reminder_can_be_run_for_a_given_day(placement_a, employer, backdate_match):
    _start(placement_a, employer, backdate_match, days_ago=30)
    assert tasks.remind_sustainment_due.delay(_today().isoformat()).get() == 0
    assert tasks.remind_sustainment_due.delay((_ago(30) + datetime.timedelta(weeks=13)).isoformat()).get() == 1


# --- Chasing unanswered referrals ----------------------------------------------------------------------------------


def test_ten_working_days_skip_weekends_and_bank_holidays():
    friday_before_christmas = datetime.date(2025, 12, 19)
    assert not is_working_day(datetime.date(2025, 12, 25))
    assert not is_working_day(datetime.date(2025, 12, 26))
    assert not is_working_day(datetime.date(2026, 1, 1))
    assert not is_working_day(datetime.date(2025, 12, 20))
    assert is_working_day(datetime.date(2025, 12, 24))
    assert add_working_days(friday_before_christmas, 10) == datetime.date(2026, 1, 7)
    assert add_working_days(datetime.date(2026, 4, 1), 2) == datetime.date(2026, 4, 7)  # Good Friday, Easter Monday


@pytest.fixture
def submitted_before_christmas(submitted_housing_referral):
    submitted_at = datetime.datetime(2025, 12, 19, 16, 30, tzinfo=LONDON)
    Referral.objects.filter(pk=submitted_housing_referral.pk).update(submitted_at=submitted_at)
    submitted_housing_referral.refresh_from_db()
    return submitted_housing_referral


def test_a_referral_submitted_before_christmas_is_chased_after_ten_working_days_once(
    submitted_before_christmas, partner, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # Ten weekdays would end on 2 January; with the three bank holidays the tenth working day is 7 January.
        assert tasks.chase_overdue_referrals.delay("2026-01-05").get() == 0
        assert tasks.chase_overdue_referrals.delay("2026-01-07").get() == 0
        assert tasks.chase_overdue_referrals.delay("2026-01-08").get() == 2
        assert tasks.chase_overdue_referrals.delay("2026-01-08").get() == 0
        assert tasks.chase_overdue_referrals.delay("2026-01-09").get() == 0

    assert _notified("referral_overdue") == ["officer", "partner"]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([partner.email, officer.email])
    assert "19 December 2025" in Notification.objects.get(user=partner, kind="referral_overdue").body


def test_an_answered_referral_is_not_chased(submitted_before_christmas, partner):
    services.referral_transition(acting_user=partner, referral=submitted_before_christmas, to_state=S.ACCEPTED)
    assert tasks.chase_overdue_referrals.delay("2026-01-20").get() == 0
    assert not Notification.objects.filter(kind="referral_overdue").exists()


# --- Lists stay constant -----------------------------------------------------------------------------------------


def test_the_employers_candidate_list_takes_a_constant_number_of_queries(
    employer, employer_a, coordinator, api_as, django_assert_max_num_queries
):
    client = api_as(employer)

    def grow(count: int) -> None:
        for _ in range(count):
            placement = PlacementFactory(opportunity=OpportunityFactory(employer=employer_a), matched_by=coordinator)
            DisclosedConviction.objects.create(
                referral=placement.referral,
                offence_category="robbery",
                sentence_type="custody",
                convicted_on=_ago(400),
                length_months=12,
                spent_on=None,
            )

    counts = []
    for size, new in ((3, 3), (12, 9)):
        grow(new)
        with django_assert_max_num_queries(100) as captured:
            response = client.get("/api/v1/placements/")
        assert len(response.json()["results"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6
