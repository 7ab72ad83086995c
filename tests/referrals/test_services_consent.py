"""Consent and its withdrawal (docs/product.md "Gateway to Employment", "Referrals").

- A referral to a service that needs consent is not sent without consent in scope: for the organisation, or for
  the type of service. Consent for Gateway to Employment (service type ``employment``) covers any employer.
- Withdrawing consent withdraws the open referrals that relied on it, ends the partner's sight of the person and
  the employer's access; a placement that had started still counts in the Gateway figures.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from iom.models import AuditAction, AuditEvent, OrganisationType
from partners.models import ServiceType
from partners.services import service_save
from referrals import selectors, services
from referrals.models import Consent, Referral, ReferralState, ReferralTransition
from tests.iom import factories
from tests.partners.factories import ServiceFactory
from tests.referrals.factories import ConsentFactory

pytestmark = pytest.mark.django_db

S = ReferralState


def _today() -> datetime.date:
    return timezone.localdate()


def _state_changes(referral: Referral) -> int:
    return AuditEvent.objects.filter(
        object_type="referral", object_id=str(referral.pk), action=AuditAction.CHANGE
    ).count()


# --- Consent in scope before a referral is sent -------------------------------------------------------------------


def test_it_rejects_a_referral_without_consent_and_changes_nothing(housing_referral, officer):
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)

    errors = refused.value.message_dict
    assert list(errors) == ["consent"]
    assert "Broadland Housing" in errors["consent"][0]
    assert "consent" in errors["consent"][0]
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.DRAFT
    assert housing_referral.version == 1
    assert housing_referral.submitted_at is None
    assert housing_referral.consent is None
    assert not ReferralTransition.objects.filter(referral=housing_referral).exists()
    assert _state_changes(housing_referral) == 0


def test_the_api_reports_missing_consent_on_the_consent_field(housing_referral, officer, api_as):
    response = api_as(officer).post(
        f"/api/v1/referrals/{housing_referral.pk}/transition/", {"to_state": "submitted"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["consent"]
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.DRAFT


def test_consent_for_another_organisation_does_not_cover_the_referral(housing_referral, officer, person, other_partner):
    ConsentFactory(person=person, scope_organisation=other_partner.organisation, scope_service_type="")
    ConsentFactory(person=person, scope_service_type=ServiceType.SUBSTANCE_MISUSE)
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)
    assert "consent" in refused.value.message_dict


def test_consent_of_another_person_does_not_cover_the_referral(housing_referral, officer, partner):
    ConsentFactory(scope_organisation=partner.organisation, scope_service_type="")
    with pytest.raises(ValidationError):
        services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)


def test_withdrawn_consent_does_not_cover_the_referral(housing_referral, officer, person, partner):
    ConsentFactory(
        person=person,
        scope_organisation=partner.organisation,
        scope_service_type="",
        given_on=_today() - datetime.timedelta(days=30),
        withdrawn_on=_today() - datetime.timedelta(days=2),
        withdrawal_reason="Changed his mind",
    )
    with pytest.raises(ValidationError):
        services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)


def test_consent_scoped_to_the_organisation_lets_the_referral_go(housing_referral, housing_consent, officer):
    submitted = services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)
    assert submitted.state == S.SUBMITTED
    assert submitted.consent == housing_consent


def test_consent_scoped_to_the_service_type_lets_the_referral_go(housing_referral, officer, person):
    consent = ConsentFactory(person=person, scope_service_type=ServiceType.HOUSING)
    submitted = services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)
    assert submitted.consent == consent


def test_the_newest_consent_in_scope_is_the_one_relied_on(housing_referral, officer, person, partner):
    ConsentFactory(person=person, scope_service_type=ServiceType.HOUSING, given_on=_today() - datetime.timedelta(90))
    newest = ConsentFactory(
        person=person, scope_organisation=partner.organisation, scope_service_type="", given_on=_today()
    )
    submitted = services.referral_transition(acting_user=officer, referral=housing_referral, to_state=S.SUBMITTED)
    assert submitted.consent == newest


def test_a_statutory_service_that_needs_no_consent_takes_the_referral(draft_referral, officer):
    council = factories.OrganisationFactory(name="Norwich City Council", type=OrganisationType.COUNCIL)
    service = ServiceFactory(organisation=council, name="Housing options", consent_required=False)
    submitted = services.referral_transition(
        acting_user=officer, referral=draft_referral(service), to_state=S.SUBMITTED
    )
    assert submitted.state == S.SUBMITTED
    assert submitted.consent is None


def test_the_service_directory_always_requires_consent_for_non_statutory_partners(admin_user, partner):
    service = service_save(
        acting_user=admin_user,
        organisation=partner.organisation,
        name="Floating support",
        service_type=ServiceType.HOUSING,
        consent_required=False,
    )
    assert service.consent_required is True


def test_gateway_consent_covers_any_employer_the_coordinator_matches(
    gateway_referral, gateway_consent, approve_disclosure, coordinator, opportunity_a, opportunity_b, employer, api_as
):
    assert gateway_referral.consent == gateway_consent
    approve_disclosure(gateway_referral)
    for opportunity in (opportunity_a, opportunity_b):
        services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity)
    employer_b = get_user_model().objects.get(username="employer_b")
    for user, opportunity in ((employer, opportunity_a), (employer_b, opportunity_b)):
        rows = api_as(user).get("/api/v1/placements/").json()["results"]
        assert [row["opportunity"] for row in rows] == [opportunity.pk]
        assert rows[0]["candidate"] == "Dylan T."


# --- Recording and withdrawing consent ----------------------------------------------------------------------------


def test_consent_is_recorded_with_one_scope_and_audited(officer, person, partner):
    consent = services.consent_record(
        acting_user=officer,
        person=person,
        shared_information="Address, arrears and support needs",
        method="written",
        given_on=_today(),
        scope_organisation=partner.organisation,
    )
    assert consent.recorded_by == officer
    assert consent.is_active
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="consent", object_id=str(consent.pk), person=person
    ).exists()


@pytest.mark.parametrize(
    ("scope", "field"),
    [
        ({}, "scope"),
        ({"scope_service_type": "housing", "scope_organisation": "partner"}, "scope"),
        ({"scope_service_type": "astrology"}, "scope_service_type"),
    ],
)
def test_consent_needs_exactly_one_known_scope(officer, person, partner, scope, field):
    if scope.get("scope_organisation") == "partner":
        scope = {**scope, "scope_organisation": partner.organisation}
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            acting_user=officer, person=person, shared_information="x", method="written", given_on=_today(), **scope
        )
    assert field in refused.value.message_dict
    assert not Consent.objects.exists()


def test_consent_cannot_be_recorded_by_someone_who_cannot_change_the_person(officer2, person):
    with pytest.raises(Http404):
        services.consent_record(
            acting_user=officer2,
            person=person,
            shared_information="x",
            method="verbal",
            given_on=_today(),
            scope_service_type=ServiceType.HOUSING,
        )


@pytest.mark.parametrize(
    ("reason", "withdrawn_on", "field"),
    [
        ("", None, "reason"),
        ("   ", None, "reason"),
        ("Moved away", -60, "withdrawn_on"),  # before it was given (30 days ago)
        ("Moved away", +1, "withdrawn_on"),  # in the future
    ],
)
def test_a_withdrawal_needs_a_reason_and_a_sensible_date(
    submitted_housing_referral, housing_consent, officer, reason, withdrawn_on, field
):
    day = None if withdrawn_on is None else _today() + datetime.timedelta(days=withdrawn_on)
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(acting_user=officer, consent=housing_consent, reason=reason, withdrawn_on=day)
    assert field in refused.value.message_dict
    housing_consent.refresh_from_db()
    assert housing_consent.withdrawn_on is None
    submitted_housing_referral.refresh_from_db()
    assert submitted_housing_referral.state == S.SUBMITTED


def test_consent_cannot_be_withdrawn_twice(housing_consent, officer):
    services.consent_withdraw(acting_user=officer, consent=housing_consent, reason="Asked us to stop")
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(acting_user=officer, consent=housing_consent, reason="Again")
    assert "withdrawn_on" in refused.value.message_dict


def test_withdrawing_consent_withdraws_the_open_referrals_that_relied_on_it(
    housing_consent, draft_referral, housing_service, gateway_referral, move, officer, partner
):
    submitted = move(draft_referral(housing_service), S.SUBMITTED)
    in_progress = move(draft_referral(housing_service), S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS)
    finished = move(draft_referral(housing_service), S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED)
    finished_steps = finished.transitions.count()

    withdrawn = services.consent_withdraw(
        acting_user=officer, consent=housing_consent, reason="  Does not want Broadland Housing involved  "
    )

    assert [r.pk for r in withdrawn] == [submitted.pk, in_progress.pk]
    for referral, previous in ((submitted, S.SUBMITTED), (in_progress, S.IN_PROGRESS)):
        referral.refresh_from_db()
        assert referral.state == S.WITHDRAWN
        step = referral.transitions.order_by("-pk").first()
        assert (step.from_state, step.to_state, step.by) == (previous, S.WITHDRAWN, officer)
        assert step.reason == "Consent withdrawn: Does not want Broadland Housing involved"
        assert AuditEvent.objects.filter(
            object_type="referral",
            object_id=str(referral.pk),
            changes={"state": [previous, S.WITHDRAWN]},
            justification=step.reason,
        ).exists()
    finished.refresh_from_db()
    assert finished.state == S.COMPLETED
    assert finished.transitions.count() == finished_steps
    gateway_referral.refresh_from_db()
    assert gateway_referral.state == S.ACCEPTED  # relied on the Gateway consent, which stands
    housing_consent.refresh_from_db()
    assert housing_consent.withdrawn_on == _today()
    assert housing_consent.withdrawn_by == officer
    assert housing_consent.withdrawal_reason == "Does not want Broadland Housing involved"


def test_after_withdrawal_the_partner_keeps_the_record_without_the_person(
    submitted_housing_referral, housing_consent, officer, partner, api_as
):
    before = api_as(partner).get(f"/api/v1/referrals/{submitted_housing_referral.pk}/").json()
    assert before["person"]["last_name"] == "Thacker"

    response = api_as(officer).post(
        f"/api/v1/consents/{housing_consent.pk}/withdraw/", {"reason": "Withdrew at his review"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["withdrawn_on"] == _today().isoformat()

    after = api_as(partner).get(f"/api/v1/referrals/{submitted_housing_referral.pk}/")
    assert after.status_code == 200
    body = after.json()
    assert body["state"] == "withdrawn"
    assert body["person"] is None
    assert body["reason"] is None
    assert body["shared_information"] is None
    assert body["risk_summary"] is None
    assert "Thacker" not in after.content.decode()
    listed = api_as(partner).get("/api/v1/referrals/").json()["results"]
    assert [(row["id"], row["person"]) for row in listed] == [(submitted_housing_referral.pk, None)]


def test_after_withdrawal_the_employer_loses_the_candidate(placement_a, gateway_consent, officer, employer, api_as):
    client = api_as(employer)
    assert client.get(f"/api/v1/placements/{placement_a.pk}/").status_code == 200

    services.consent_withdraw(acting_user=officer, consent=gateway_consent, reason="No longer wants to be referred")

    assert client.get(f"/api/v1/placements/{placement_a.pk}/").status_code == 404
    assert client.get(f"/api/v1/placements/{placement_a.pk}/events/").status_code == 404
    posted = client.post(
        f"/api/v1/placements/{placement_a.pk}/events/",
        {"kind": "interview", "occurred_on": _today().isoformat(), "outcome": "successful"},
        format="json",
    )
    assert posted.status_code == 404
    assert client.get("/api/v1/placements/").json()["results"] == []
    assert not placement_a.events.exists()


def test_a_placement_that_had_started_still_counts_after_withdrawal(
    placement_a, gateway_consent, officer, employer, backdate_match
):
    backdate_match(placement_a, days=30)
    services.placement_record_event(
        acting_user=employer, placement=placement_a, kind="started", occurred_on=_today() - datetime.timedelta(20)
    )
    before = selectors.gateway_figures()
    assert before["placements_started"] == 1
    assert before["employers_with_placement_started"] == 1

    services.consent_withdraw(acting_user=officer, consent=gateway_consent, reason="Left the area")

    placement_a.referral.refresh_from_db()
    assert placement_a.referral.state == S.WITHDRAWN
    assert selectors.gateway_figures() == before


def test_withdrawal_ends_the_employers_access_even_after_the_referral_was_completed(
    placement_a, gateway_consent, officer, coordinator, employer, api_as, backdate_match, move
):
    """docs/product.md: withdrawal of consent ends the employer's access. The coordinator may close the Gateway
    referral once the person is in work, while the placement carries on; withdrawal must still end access."""
    backdate_match(placement_a, days=30)
    services.placement_record_event(
        acting_user=employer, placement=placement_a, kind="started", occurred_on=_today() - datetime.timedelta(20)
    )
    move(placement_a.referral, S.IN_PROGRESS, S.COMPLETED, reason="In work")
    assert api_as(employer).get(f"/api/v1/placements/{placement_a.pk}/").status_code == 200

    services.consent_withdraw(acting_user=officer, consent=gateway_consent, reason="Does not want contact")

    assert api_as(employer).get(f"/api/v1/placements/{placement_a.pk}/").status_code == 404
    assert api_as(employer).get("/api/v1/placements/").json()["results"] == []
    assert selectors.gateway_figures()["placements_started"] == 1


def test_only_case_workers_manage_consent_over_the_api(person, partner, api_as):
    body = {
        "person": person.pk,
        "scope_service_type": "housing",
        "shared_information": "Address",
        "method": "verbal",
        "given_on": _today().isoformat(),
    }
    assert api_as(partner).post("/api/v1/consents/", body, format="json").status_code == 403
    assert not Consent.objects.exists()


def test_consent_over_the_api_needs_one_scope(person, officer, partner, api_as):
    body = {
        "person": person.pk,
        "scope_service_type": "housing",
        "scope_organisation": partner.organisation_id,
        "shared_information": "Address",
        "method": "verbal",
        "given_on": _today().isoformat(),
    }
    response = api_as(officer).post("/api/v1/consents/", body, format="json")
    assert response.status_code == 400
    assert "scope" in response.json()["errors"]
    del body["scope_organisation"]
    created = api_as(officer).post("/api/v1/consents/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["recorded_by"] == "officer"
    assert Consent.objects.get().scope_service_type == "housing"
