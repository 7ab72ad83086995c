"""The officer's consent and referral pages and the partner's referral pages (web/referrals/views.py).

Who may open which page (docs/roles.md): police and probation users on the
cases they can see; a partner organisation's users on the referrals sent to it (never drafts); everybody
else a 403, and an object outside a permitted user's sight a 404. Then each page's writes, through the page:
consent recorded and withdrawn (withdrawing the referrals that relied on it), drafts, the state machine's
moves with their refusals, the partner's updates and the Gateway disclosure (docs/product.md "Referrals",
"Gateway to Employment").
"""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from iom.models import AuditAction, AuditEvent
from referrals.models import Consent, DisclosedConviction, Referral, ReferralState, ReferralUpdate
from tests.referrals.factories import ConsentFactory
from tests.referrals.fixtures import custody_last_year
from tests.web.test_pages_html import assert_error_summary_links_to_fields, assert_well_formed

pytestmark = pytest.mark.django_db

S = ReferralState
CASEWORKERS = ("officer", "probation", "manager")
OUTSIDERS = ("officer2", "outsider_manager")
NO_REFERRAL_ROLES = ("employer", "analyst", "admin_user")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def banner(response) -> str:
    """The text of the page's notification banners (messages), unescaped."""
    body = text(response)
    parts = body.split('class="govuk-notification-banner__heading">')[1:]
    return " ".join(part.split("</p>", 1)[0] for part in parts)


@pytest.fixture
def world(person, case, housing_consent, submitted_housing_referral, gateway_referral):
    """One of each object the pages are opened on (the ``draft`` fixture adds an unsent referral)."""
    return {
        "person": person,
        "case": case,
        "consent": housing_consent,
        "housing": submitted_housing_referral,
        "gateway": gateway_referral,
    }


@pytest.fixture
def draft(draft_referral, housing_service):
    return draft_referral(housing_service, reason="A second, unsent referral")


def user(request, name):
    return request.getfixturevalue(name)


# --- Who may open which page -------------------------------------------------------------------------------------

CASEWORK_PAGES = {
    "consent-new": lambda w: reverse("consent-new", args=[w["person"].pk]),
    "consent-withdraw": lambda w: reverse("consent-withdraw", args=[w["consent"].pk]),
    "referral-new": lambda w: reverse("referral-new", args=[w["case"].pk]),
    "referral-disclosure": lambda w: reverse("referral-disclosure", args=[w["gateway"].pk]),
}


@pytest.mark.parametrize("page", sorted(CASEWORK_PAGES))
@pytest.mark.parametrize(
    ("role", "status"),
    [
        *[(r, 200) for r in CASEWORKERS],
        *[(r, 404) for r in OUTSIDERS],
        *[(r, 403) for r in ("partner", "coordinator", *NO_REFERRAL_ROLES)],
    ],
)
def test_casework_pages_by_role(request, world, page, role, status):
    response = signed_in(user(request, role)).get(CASEWORK_PAGES[page](world))
    assert response.status_code == status
    if status != 200:
        assert "Thacker" not in text(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [*[(r, 200) for r in (*CASEWORKERS, *OUTSIDERS, "partner", "coordinator")], *[(r, 403) for r in NO_REFERRAL_ROLES]],
)
def test_referral_list_by_role(request, world, role, status):
    response = signed_in(user(request, role)).get(reverse("referrals"))
    assert response.status_code == status
    if role in OUTSIDERS or status == 403:
        assert "Thacker" not in text(response)


def test_referral_list_shows_each_side_its_own(officer, partner, coordinator, other_partner, world, draft):
    officer_page = text(signed_in(officer).get(reverse("referrals")))
    for referral in (world["housing"], world["gateway"], draft):
        assert reverse("referral", args=[referral.pk]) in officer_page

    partner_page = text(signed_in(partner).get(reverse("referrals")))
    assert reverse("referral", args=[world["housing"].pk]) in partner_page
    assert "Dylan Thacker" in partner_page
    assert reverse("referral", args=[draft.pk]) not in partner_page
    assert reverse("referral", args=[world["gateway"].pk]) not in partner_page

    coordinator_page = text(signed_in(coordinator).get(reverse("referrals")))
    assert reverse("referral", args=[world["gateway"].pk]) in coordinator_page
    assert reverse("referral", args=[world["housing"].pk]) not in coordinator_page

    other_page = text(signed_in(other_partner).get(reverse("referrals")))
    assert "Thacker" not in other_page
    assert reverse("referral", args=[world["housing"].pk]) not in other_page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        *[(r, 200) for r in (*CASEWORKERS, "partner")],
        *[(r, 404) for r in (*OUTSIDERS, "coordinator", "other_partner")],
        *[(r, 403) for r in NO_REFERRAL_ROLES],
    ],
)
def test_housing_referral_detail_by_role(request, world, role, status):
    response = signed_in(user(request, role)).get(reverse("referral", args=[world["housing"].pk]))
    assert response.status_code == status
    if status != 200:
        assert "Thacker" not in text(response)


@pytest.mark.parametrize(("role", "status"), [("coordinator", 200), ("officer", 200), ("partner", 404)])
def test_gateway_referral_detail_by_role(request, world, role, status):
    response = signed_in(user(request, role)).get(reverse("referral", args=[world["gateway"].pk]))
    assert response.status_code == status


def test_partner_never_sees_a_draft(partner, draft):
    client = signed_in(partner)
    assert client.get(reverse("referral", args=[draft.pk])).status_code == 404
    response = client.post(reverse("referral-move", args=[draft.pk]), {"to_state": S.ACCEPTED})
    assert response.status_code == 404
    response = client.post(reverse("referral-update", args=[draft.pk]), {"text": "Seen it"})
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.state == S.DRAFT
    assert not ReferralUpdate.objects.filter(referral=draft).exists()


@pytest.mark.parametrize("action", ["referral-move", "referral-update"])
@pytest.mark.parametrize(
    ("role", "status"),
    [*[(r, 404) for r in (*OUTSIDERS, "coordinator", "other_partner")], *[(r, 403) for r in NO_REFERRAL_ROLES]],
)
def test_referral_posts_refused(request, world, action, role, status):
    referral = world["housing"]
    data = {"to_state": S.ACCEPTED} if action == "referral-move" else {"text": "Not mine to add"}
    response = signed_in(user(request, role)).post(reverse(action, args=[referral.pk]), data)
    assert response.status_code == status
    referral.refresh_from_db()
    assert referral.state == S.SUBMITTED
    assert not ReferralUpdate.objects.filter(referral=referral).exists()


def test_disclosure_page_is_for_employment_referrals_only(officer, world):
    client = signed_in(officer)
    assert client.get(reverse("referral-disclosure", args=[world["housing"].pk])).status_code == 404
    response = client.post(
        reverse("referral-disclosure", args=[world["housing"].pk]),
        {**management(0), "support_contacts": "PC Jo Hart"},
    )
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(world):
    client = Client()
    pk = world["housing"].pk
    urls = [
        *(build(world) for build in CASEWORK_PAGES.values()),
        reverse("referrals"),
        reverse("referral", args=[pk]),
        reverse("referral-move", args=[pk]),
        reverse("referral-update", args=[pk]),
    ]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/sign-in/"), (url, response["Location"])
    referral = Referral.objects.get(pk=pk)
    assert referral.state == S.SUBMITTED


# --- Page structure ----------------------------------------------------------------------------------------------


def test_get_pages_are_well_formed(officer, partner, coordinator, world, draft):
    client = signed_in(officer)
    for build in CASEWORK_PAGES.values():
        assert_well_formed(client.get(build(world)))
    assert_well_formed(client.get(reverse("referrals")))
    for referral in (world["housing"], world["gateway"], draft):
        assert_well_formed(client.get(reverse("referral", args=[referral.pk])))
    partner_client = signed_in(partner)
    assert_well_formed(partner_client.get(reverse("referrals")))
    assert_well_formed(partner_client.get(reverse("referral", args=[world["housing"].pk])))
    coordinator_client = signed_in(coordinator)
    assert_well_formed(coordinator_client.get(reverse("referral", args=[world["gateway"].pk])))


# --- Consent -----------------------------------------------------------------------------------------------------


def consent_data(**overrides) -> dict:
    return {
        "scope_organisation": "",
        "scope_service_type": "",
        "shared_information": "Name, date of birth and address",
        "method": "written",
        "given_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        **overrides,
    }


@pytest.mark.parametrize("role", CASEWORKERS)
def test_consent_recorded_through_the_page(request, person, role):
    response = signed_in(user(request, role)).post(
        reverse("consent-new", args=[person.pk]), consent_data(scope_service_type="mental_health"), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("person", args=[person.pk]) + "#consents"
    assert "consent was recorded" in banner(response)
    consent = Consent.objects.get(person=person)
    assert consent.scope_service_type == "mental_health"
    assert consent.scope_organisation is None
    assert consent.method == "written"


def test_consent_for_an_organisation(officer, person, partner):
    response = signed_in(officer).post(
        reverse("consent-new", args=[person.pk]),
        consent_data(scope_organisation=partner.organisation.pk),
        follow=True,
    )
    assert "Dylan Thacker's consent was recorded." in banner(response)
    assert Consent.objects.get(person=person).scope_organisation == partner.organisation


@pytest.mark.parametrize(
    "scope",
    [{"scope_service_type": "housing", "with_org": True}, {"scope_service_type": "", "with_org": False}],
    ids=["both", "neither"],
)
def test_consent_needs_exactly_one_scope(officer, person, partner, scope):
    data = consent_data(
        scope_service_type=scope["scope_service_type"],
        scope_organisation=partner.organisation.pk if scope["with_org"] else "",
    )
    response = signed_in(officer).post(reverse("consent-new", args=[person.pk]), data)
    assert_error_summary_links_to_fields(response)
    body = text(response)
    message = "Choose either one organisation or one type of service the consent covers."
    assert message in body
    summary = body.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    assert summary.count(message) == 1, "the scope error is listed more than once in the error summary"
    assert 'href="#id_scope_organisation"' in summary
    assert not Consent.objects.filter(person=person).exists()


def test_consent_with_missing_fields_writes_nothing(officer, person):
    response = signed_in(officer).post(
        reverse("consent-new", args=[person.pk]),
        consent_data(scope_service_type="housing", shared_information="", method=""),
    )
    assert_error_summary_links_to_fields(response)
    assert not Consent.objects.filter(person=person).exists()


def test_consent_withdrawn_with_its_referrals(officer, world):
    consent, referral = world["consent"], world["housing"]
    assert referral.consent_id == consent.pk
    response = signed_in(officer).post(
        reverse("consent-withdraw", args=[consent.pk]),
        {"reason": "He phoned to say he no longer agrees", "withdrawn_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("person", args=[world["person"].pk]) + "#consents"
    assert "Consent was withdrawn. 1 open referral was withdrawn with it." in banner(response)
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    referral.refresh_from_db()
    assert referral.state == S.WITHDRAWN
    # The Gateway referral relied on another consent and stays as it was.
    assert Referral.objects.get(pk=world["gateway"].pk).state == S.ACCEPTED


def test_consent_withdrawn_with_no_referrals_says_so(officer, person, partner):
    consent = ConsentFactory(person=person, scope_service_type="mental_health", recorded_by=officer)
    response = signed_in(officer).post(
        reverse("consent-withdraw", args=[consent.pk]),
        {"reason": "Changed his mind", "withdrawn_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Consent was withdrawn. 0 open referrals were withdrawn with it." in banner(response)


def test_consent_withdrawal_needs_a_reason(officer, world):
    consent = world["consent"]
    response = signed_in(officer).post(
        reverse("consent-withdraw", args=[consent.pk]), {"reason": "", "withdrawn_on": timezone.localdate()}
    )
    assert_error_summary_links_to_fields(response)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert Referral.objects.get(pk=world["housing"].pk).state == S.SUBMITTED


# --- A new referral ----------------------------------------------------------------------------------------------


def referral_data(service, **overrides) -> dict:
    return {
        "service": service.pk,
        "reason": "Sofa-surfing since release",
        "pathways": ["accommodation"],
        "urgency": "routine",
        "shared_information": "Name, date of birth and phone",
        "risk_summary": "",
        **overrides,
    }


@pytest.mark.parametrize("role", CASEWORKERS)
def test_referral_new_saves_a_draft(request, case, person, housing_service, role):
    response = signed_in(user(request, role)).post(
        reverse("referral-new", args=[case.pk]), referral_data(housing_service), follow=True
    )
    referral = Referral.objects.get(case=case)
    assert response.redirect_chain[-1][0] == reverse("referral", args=[referral.pk])
    assert "The referral was saved as a draft." in banner(response)
    assert referral.state == S.DRAFT
    assert referral.service == housing_service
    assert referral.reason == "Sofa-surfing since release"
    assert referral.submitted_at is None


def test_referral_new_needs_a_reason(officer, case, person, housing_service):
    url = reverse("referral-new", args=[case.pk])
    response = signed_in(officer).post(url, referral_data(housing_service, reason=""))
    assert_error_summary_links_to_fields(response)
    assert not Referral.objects.filter(case=case).exists()


# --- Moving a referral -------------------------------------------------------------------------------------------


def post_move(client, referral, to_state, reason=""):
    return client.post(
        reverse("referral-move", args=[referral.pk]), {"to_state": to_state, "reason": reason}, follow=True
    )


def test_sending_without_consent_is_refused(officer, housing_referral):
    response = post_move(signed_in(officer), housing_referral, S.SUBMITTED)
    assert response.redirect_chain[-1][0] == reverse("referral", args=[housing_referral.pk])
    assert "needs the person's consent before a referral is sent" in banner(response)
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.DRAFT
    assert housing_referral.submitted_at is None


def test_the_referral_walks_through_its_states(officer, partner, housing_referral, housing_consent):
    response = post_move(signed_in(officer), housing_referral, S.SUBMITTED)
    assert "The referral is now submitted." in banner(response)
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.SUBMITTED
    assert housing_referral.consent == housing_consent

    partner_client = signed_in(partner)
    response = post_move(partner_client, housing_referral, S.ACCEPTED)
    assert "The referral is now accepted." in banner(response)
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.ACCEPTED

    response = post_move(partner_client, housing_referral, S.IN_PROGRESS)
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.IN_PROGRESS
    response = post_move(partner_client, housing_referral, S.COMPLETED, reason="Tenancy signed")
    assert "The referral is now completed." in banner(response)
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.COMPLETED


def test_declining_needs_a_reason(partner, submitted_housing_referral):
    referral = submitted_housing_referral
    response = post_move(signed_in(partner), referral, S.DECLINED)
    assert "Give a reason for this step" in banner(response)
    referral.refresh_from_db()
    assert referral.state == S.SUBMITTED

    response = post_move(signed_in(partner), referral, S.DECLINED, reason="No capacity this month")
    assert "The referral is now declined." in banner(response)
    referral.refresh_from_db()
    assert referral.state == S.DECLINED


def test_an_illegal_move_is_refused_with_the_rule(partner, submitted_housing_referral):
    referral = submitted_housing_referral
    response = post_move(signed_in(partner), referral, S.COMPLETED, reason="All done")
    assert response.status_code == 200
    assert "A submitted referral cannot become completed (allowed next: accepted, declined, withdrawn)." in banner(
        response
    )
    referral.refresh_from_db()
    assert referral.state == S.SUBMITTED


def test_an_officer_moving_a_draft_to_completed_is_told_the_rule_not_refused_for_the_role(officer, housing_referral):
    response = post_move(signed_in(officer), housing_referral, S.COMPLETED, reason="All done")
    assert response.status_code == 200
    assert "A draft referral cannot become completed (allowed next: submitted, withdrawn)." in banner(response)
    housing_referral.refresh_from_db()
    assert housing_referral.state == S.DRAFT


def test_a_partner_closing_a_submitted_referral_without_a_reason_is_told_the_rule(partner, submitted_housing_referral):
    response = post_move(signed_in(partner), submitted_housing_referral, S.COMPLETED)
    assert response.status_code == 200
    assert "A submitted referral cannot become completed" in banner(response)
    assert "Give a reason" not in banner(response)
    submitted_housing_referral.refresh_from_db()
    assert submitted_housing_referral.state == S.SUBMITTED


def test_an_unknown_move_is_refused(partner, submitted_housing_referral):
    response = post_move(signed_in(partner), submitted_housing_referral, "teleported")
    assert "Choose what to do with the referral." in banner(response)
    submitted_housing_referral.refresh_from_db()
    assert submitted_housing_referral.state == S.SUBMITTED


def test_officer_cannot_accept(officer, submitted_housing_referral):
    response = signed_in(officer).post(
        reverse("referral-move", args=[submitted_housing_referral.pk]), {"to_state": S.ACCEPTED}
    )
    assert response.status_code == 403
    submitted_housing_referral.refresh_from_db()
    assert submitted_housing_referral.state == S.SUBMITTED


def test_partner_cannot_send_or_withdraw(partner, submitted_housing_referral):
    response = signed_in(partner).post(
        reverse("referral-move", args=[submitted_housing_referral.pk]), {"to_state": S.WITHDRAWN, "reason": "No"}
    )
    assert response.status_code == 403
    submitted_housing_referral.refresh_from_db()
    assert submitted_housing_referral.state == S.SUBMITTED


def test_officer_withdraws_with_a_reason(officer, submitted_housing_referral):
    response = post_move(signed_in(officer), submitted_housing_referral, S.WITHDRAWN, reason="Moved out of area")
    assert "The referral is now withdrawn." in banner(response)
    submitted_housing_referral.refresh_from_db()
    assert submitted_housing_referral.state == S.WITHDRAWN


# --- What the partner sees ---------------------------------------------------------------------------------------


def test_partner_sees_the_person_while_live_and_not_after(partner, submitted_housing_referral, move):
    referral = submitted_housing_referral
    client = signed_in(partner)
    url = reverse("referral", args=[referral.pk])

    body = text(client.get(url))
    assert "Dylan Thacker" in body
    assert "17 May 1990" in body
    assert "no longer shared" not in body

    move(referral, S.DECLINED, reason="No capacity")
    response = client.get(url)
    assert response.status_code == 200
    body = text(response)
    assert "no longer shared" in body
    assert "Thacker" not in body
    assert "Dylan" not in body
    assert "17 May 1990" not in body
    assert "1990" not in body
    assert referral.reason not in body


def test_first_partner_view_is_logged_as_a_disclosure(partner, submitted_housing_referral, person):
    referral = submitted_housing_referral
    events = AuditEvent.objects.filter(object_type="referral", object_id=str(referral.pk), user=partner)
    assert not events.exists()
    client = signed_in(partner)
    client.get(reverse("referral", args=[referral.pk]))
    client.get(reverse("referral", args=[referral.pk]))
    assert list(events.order_by("pk").values_list("action", flat=True)) == [AuditAction.DISCLOSE, AuditAction.VIEW]
    disclosure = events.get(action=AuditAction.DISCLOSE)
    assert disclosure.person_id == person.pk
    assert disclosure.details["recipient_organisation"] == partner.organisation_id
    referral.refresh_from_db()
    assert referral.partner_viewed_at is not None


def test_partner_adds_an_update_shown_in_the_history(partner, submitted_housing_referral):
    referral = submitted_housing_referral
    response = signed_in(partner).post(
        reverse("referral-update", args=[referral.pk]),
        {"text": "Left two voicemails; visit booked for Tuesday"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("referral", args=[referral.pk])
    assert "Your update was added." in banner(response)
    history = text(response).split('<h2 class="govuk-heading-m">History</h2>', 1)[1]
    assert "Left two voicemails; visit booked for Tuesday" in history
    assert ReferralUpdate.objects.get(referral=referral).by == partner


def test_an_empty_update_is_refused(partner, submitted_housing_referral):
    response = signed_in(partner).post(
        reverse("referral-update", args=[submitted_housing_referral.pk]), {"text": "  "}, follow=True
    )
    assert "Enter the update." in banner(response)
    assert not ReferralUpdate.objects.filter(referral=submitted_housing_referral).exists()


def test_partner_cannot_update_once_not_live(partner, submitted_housing_referral, move):
    referral = move(submitted_housing_referral, S.DECLINED, reason="No capacity")
    response = signed_in(partner).post(reverse("referral-update", args=[referral.pk]), {"text": "Late note"})
    assert response.status_code == 403
    assert not ReferralUpdate.objects.filter(referral=referral).exists()


# --- The Gateway disclosure --------------------------------------------------------------------------------------


def management(total: int) -> dict:
    return {
        "convictions-TOTAL_FORMS": str(total),
        "convictions-INITIAL_FORMS": "0",
        "convictions-MIN_NUM_FORMS": "0",
        "convictions-MAX_NUM_FORMS": "20",
    }


def disclosure_data(support_contacts="PC Jo Hart, Norwich IOM, 01603 000000") -> tuple[dict, dict]:
    conviction = custody_last_year()
    data = {
        **management(3),
        "convictions-0-offence_category": conviction["offence_category"],
        "convictions-0-sentence_type": conviction["sentence_type"],
        "convictions-0-convicted_on": conviction["convicted_on"].isoformat(),
        "convictions-0-length_months": str(conviction["length_months"]),
        "convictions-0-ends_on": conviction["ends_on"].isoformat(),
        "support_contacts": support_contacts,
    }
    return data, conviction


def test_officer_approves_the_disclosure(officer, gateway_referral):
    data, conviction = disclosure_data()
    response = signed_in(officer).post(reverse("referral-disclosure", args=[gateway_referral.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("referral", args=[gateway_referral.pk])
    assert "The disclosure was approved." in banner(response)
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_by == officer
    assert gateway_referral.disclosure_approved_at is not None
    assert gateway_referral.support_contacts == "PC Jo Hart, Norwich IOM, 01603 000000"
    row = DisclosedConviction.objects.get(referral=gateway_referral)
    assert row.offence_category == "domestic_burglary"
    assert row.sentence_type == "custody"
    assert row.convicted_on == conviction["convicted_on"]
    # Custody of more than one year and up to four: spent four years after the sentence ends.
    ended = conviction["ends_on"]
    assert row.spent_on == ended.replace(year=ended.year + 4)

    # The approved disclosure shows on the form again for the next change.
    again = signed_in(officer).get(reverse("referral-disclosure", args=[gateway_referral.pk]))
    assert_well_formed(again)
    assert 'value="domestic_burglary" selected' in again.content.decode()


def test_disclosure_needs_support_contacts(officer, gateway_referral):
    data, _ = disclosure_data(support_contacts="")
    response = signed_in(officer).post(reverse("referral-disclosure", args=[gateway_referral.pk]), data)
    assert_error_summary_links_to_fields(response)
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_at is None
    assert not DisclosedConviction.objects.filter(referral=gateway_referral).exists()


def test_disclosure_with_an_incomplete_conviction_writes_nothing(officer, gateway_referral):
    data, _ = disclosure_data()
    data["convictions-0-convicted_on"] = ""
    response = signed_in(officer).post(reverse("referral-disclosure", args=[gateway_referral.pk]), data)
    assert response.status_code == 200
    assert "There is a problem with the convictions" in text(response)
    gateway_referral.refresh_from_db()
    assert gateway_referral.disclosure_approved_at is None
    assert not DisclosedConviction.objects.filter(referral=gateway_referral).exists()
