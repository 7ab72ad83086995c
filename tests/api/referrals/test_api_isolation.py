"""Who sees what of referrals and Gateway over /api/v1/ (docs/roles.md).

- An employer sees only its own candidates, opportunities, pledges and employer record; another employer's are
  404, exactly like ids that do not exist.
- A partner organisation's staff see only the referrals sent to it, never drafts; the person summary only while
  the referral is live, and afterwards the referral's own record without the person's details. The first
  opening of a live referral is logged as a disclosure with its recipient, later ones as views.
- Officers see every referral of the cases they can see; an officer of another team gets 404.
- The permission matrix: every role against every new endpoint, as one table.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from iom.models import AuditAction, AuditEvent, District, OrganisationType, Role
from partners.models import OpportunityStatus, ServiceType
from referrals import services
from referrals.models import ReferralState
from tests.iom import factories
from tests.partners.factories import PledgeFactory
from tests.referrals.factories import ConsentFactory
from tests.referrals.fixtures import custody_last_year

pytestmark = pytest.mark.django_db

S = ReferralState


def _today() -> datetime.date:
    return timezone.localdate()


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def w(
    all_roles,
    case,
    person,
    officer,
    probation,
    norwich,
    partner,
    other_partner,
    coordinator,
    employer,
    employer_b_user,
    employer_a,
    employer_b,
    housing_service,
    other_housing_service,
    housing_consent,
    draft_referral,
    move,
    gateway_referral,
    approve_disclosure,
    opportunity_a,
    opportunity_b,
):
    """Dylan Thacker (Norwich) is referred to Broadland Housing (submitted) and to Gateway, matched to
    employer A's care job. Another Norwich person, Kerry Gowing, is Gateway-matched to employer B's warehouse
    job; a third is referred to Flagship Housing. Dylan also has a housing draft nobody outside the case sees."""
    submitted = move(draft_referral(housing_service), S.SUBMITTED)
    draft = draft_referral(housing_service, reason="Draft: not sent yet")
    placement_a = _approved_match(gateway_referral, approve_disclosure, coordinator, opportunity_a)

    other_case = factories.CaseFactory(
        team=norwich,
        lead_officer=officer,
        offender_manager=probation,
        person__first_name="Kerry",
        person__last_name="Gowing",
        person__district=District.NORWICH,
    )
    ConsentFactory(person=other_case.person, scope_service_type=ServiceType.EMPLOYMENT, recorded_by=officer)
    other_gateway = services.referral_create(
        acting_user=officer,
        case=other_case,
        service=gateway_referral.service,
        reason="Forklift licence",
        shared_information="First name and skills",
    )
    other_gateway = move(other_gateway, S.SUBMITTED, S.ACCEPTED)
    placement_b = _approved_match(other_gateway, approve_disclosure, coordinator, opportunity_b)

    flagship_case = factories.CaseFactory(team=norwich, lead_officer=officer, person__last_name="Elsewhere")
    ConsentFactory(person=flagship_case.person, scope_organisation=other_partner.organisation, scope_service_type="")
    flagship = services.referral_create(
        acting_user=officer,
        case=flagship_case,
        service=other_housing_service,
        reason="Needs floating support",
        shared_information="Address",
    )
    flagship = move(flagship, S.SUBMITTED)

    unregistered = factories.OrganisationFactory(name="Norwich Hotels", type=OrganisationType.EMPLOYER)
    pledge_a = PledgeFactory(employer=employer_a, recorded_by=coordinator)
    pledge_b = PledgeFactory(employer=employer_b, recorded_by=coordinator)
    users = {"anonymous": None, **all_roles, "other_partner": other_partner, "employer_b": employer_b_user}
    return SimpleNamespace(
        users=users,
        person=person,
        case=case,
        submitted=submitted,
        draft=draft,
        gateway=gateway_referral,
        other_gateway=other_gateway,
        flagship=flagship,
        placement_a=placement_a,
        placement_b=placement_b,
        opportunity_a=opportunity_a,
        opportunity_b=opportunity_b,
        employer_a=employer_a,
        employer_b=employer_b,
        pledge_a=pledge_a,
        pledge_b=pledge_b,
        consent=housing_consent,
        unregistered=unregistered,
        ids={
            "consent": housing_consent.pk,
            "referral": submitted.pk,
            "draft": draft.pk,
            "gateway": gateway_referral.pk,
            "placement": placement_a.pk,
            "opportunity_a": opportunity_a.pk,
            "opportunity_b": opportunity_b.pk,
            "employer_b": employer_b.pk,
            "pledge_b": pledge_b.pk,
        },
    )


def _approved_match(referral, approve_disclosure, coordinator, opportunity):
    approve_disclosure(referral)
    return services.placement_match(acting_user=coordinator, referral=referral, opportunity=opportunity)


# --- Employer A and employer B --------------------------------------------------------------------------------------


def test_employer_cannot_see_another_employers_candidate(w, api_as):
    client = api_as(w.users["employer"])
    assert [row["id"] for row in _results(client.get("/api/v1/placements/"))] == [w.placement_a.pk]
    missing = client.get("/api/v1/placements/999999/")
    hidden = client.get(f"/api/v1/placements/{w.placement_b.pk}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert "Kerry" not in hidden.content.decode()
    assert client.get(f"/api/v1/placements/{w.placement_b.pk}/events/").status_code == 404


def test_employer_cannot_record_events_on_another_employers_candidate(w, api_as):
    response = api_as(w.users["employer"]).post(
        f"/api/v1/placements/{w.placement_b.pk}/events/",
        {"kind": "interview", "occurred_on": _today().isoformat(), "outcome": "unsuccessful"},
        format="json",
    )
    assert response.status_code == 404
    assert not w.placement_b.events.exists()


def test_each_employer_sees_only_its_own_candidates(w, api_as):
    rows = _results(api_as(w.users["employer_b"]).get("/api/v1/placements/"))
    assert [(row["id"], row["candidate"], row["role"]) for row in rows] == [
        (w.placement_b.pk, "Kerry G.", "Warehouse operative")
    ]


def test_employer_cannot_see_another_employers_opportunities(w, api_as):
    client = api_as(w.users["employer"])
    assert [row["id"] for row in _results(client.get("/api/v1/opportunities/"))] == [w.opportunity_a.pk]
    assert client.get(f"/api/v1/opportunities/{w.opportunity_b.pk}/").status_code == 404
    assert _results(client.get(f"/api/v1/opportunities/?employer={w.employer_b.pk}")) == []


def test_employer_cannot_change_opportunities_even_its_own(w, api_as):
    client = api_as(w.users["employer"])
    for opportunity in (w.opportunity_a, w.opportunity_b):
        response = client.patch(f"/api/v1/opportunities/{opportunity.pk}/", {"status": "closed"}, format="json")
        assert response.status_code == 403
        opportunity.refresh_from_db()
        assert opportunity.status == OpportunityStatus.OPEN


def test_employer_cannot_see_another_employers_pledges_or_record(w, api_as):
    client = api_as(w.users["employer"])
    assert [row["id"] for row in _results(client.get("/api/v1/pledges/"))] == [w.pledge_a.pk]
    assert client.get(f"/api/v1/pledges/{w.pledge_b.pk}/").status_code == 404
    assert [row["id"] for row in _results(client.get("/api/v1/employers/"))] == [w.employer_a.pk]
    assert client.get(f"/api/v1/employers/{w.employer_b.pk}/").status_code == 404


def test_employer_never_reads_referrals_or_consents(w, api_as):
    client = api_as(w.users["employer"])
    for url in ("/api/v1/referrals/", f"/api/v1/referrals/{w.gateway.pk}/", "/api/v1/consents/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Thacker" not in response.content.decode()


# --- Partner caseworkers --------------------------------------------------------------------------------------------


def test_partners_see_only_their_organisations_referrals_and_never_drafts(w, api_as):
    client = api_as(w.users["partner"])
    rows = _results(client.get("/api/v1/referrals/"))
    assert [row["id"] for row in rows] == [w.submitted.pk]
    assert rows[0]["person"] == {
        "first_name": "Dylan",
        "last_name": "Thacker",
        "date_of_birth": "1990-05-17",
        "district": "norwich",
    }
    missing = client.get("/api/v1/referrals/999999/")
    for hidden in (w.draft, w.flagship, w.gateway):
        response = client.get(f"/api/v1/referrals/{hidden.pk}/")
        assert response.status_code == 404, hidden
        assert response.json() == missing.json()


def test_the_other_housing_partner_sees_only_its_referral(w, api_as):
    rows = _results(api_as(w.users["other_partner"]).get("/api/v1/referrals/"))
    assert [row["id"] for row in rows] == [w.flagship.pk]
    assert "Thacker" not in str(rows)


def test_the_coordinator_sees_the_gateway_referrals_only(w, api_as):
    rows = _results(api_as(w.users["coordinator"]).get("/api/v1/referrals/"))
    assert {row["id"] for row in rows} == {w.gateway.pk, w.other_gateway.pk}


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ((S.DECLINED,), "No vacancies"),
        ((S.WITHDRAWN,), "Found his own flat"),
        ((S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED), "Tenancy signed"),
        ((S.ACCEPTED, S.IN_PROGRESS, S.NOT_ENGAGED), "Missed three appointments"),
    ],
)
def test_once_a_referral_is_not_live_the_partner_keeps_the_record_without_the_person(w, api_as, move, path, reason):
    move(w.submitted, *path, reason=reason)
    client = api_as(w.users["partner"])
    response = client.get(f"/api/v1/referrals/{w.submitted.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == path[-1]
    assert body["person"] is None
    assert body["reason"] is None
    assert body["shared_information"] is None
    assert body["risk_summary"] is None
    assert body["service_name"] == "Tenancy sustainment"
    assert body["organisation"] == "Broadland Housing"
    assert [t["to_state"] for t in body["transitions"]] == [S.SUBMITTED, *path]
    for secret in ("Thacker", "Dylan", "1990-05-17", w.submitted.reason, w.submitted.shared_information):
        assert secret not in response.content.decode()
    listed = _results(client.get("/api/v1/referrals/"))
    assert listed[0]["person"] is None
    assert listed[0]["reason"] is None


def test_the_officer_still_sees_everything_after_the_referral_closes(w, api_as, move):
    move(w.submitted, S.DECLINED, reason="No vacancies")
    body = api_as(w.users["officer"]).get(f"/api/v1/referrals/{w.submitted.pk}/").json()
    assert body["person"]["last_name"] == "Thacker"
    assert body["reason"] == w.submitted.reason


def test_the_first_partner_view_is_a_disclosure_to_the_organisation_and_later_ones_are_views(w, api_as):
    partner = w.users["partner"]
    client = api_as(partner)
    assert client.get(f"/api/v1/referrals/{w.submitted.pk}/").status_code == 200
    assert client.get(f"/api/v1/referrals/{w.submitted.pk}/").status_code == 200
    colleague = factories.UserFactory(
        username="partner2", role=Role.PARTNER_CASEWORKER, organisation=partner.organisation
    )
    assert api_as(colleague).get(f"/api/v1/referrals/{w.submitted.pk}/").status_code == 200

    events = AuditEvent.objects.filter(
        object_type="referral",
        object_id=str(w.submitted.pk),
        action__in=[AuditAction.DISCLOSE, AuditAction.VIEW],
    ).order_by("pk")
    assert [(e.username, e.action) for e in events] == [
        ("partner", AuditAction.DISCLOSE),
        ("partner", AuditAction.VIEW),
        ("partner2", AuditAction.VIEW),
    ]
    disclosure = events[0]
    assert disclosure.person_id == w.person.pk
    assert disclosure.details == {"recipient_organisation": partner.organisation_id, "recipient": "partner"}
    w.submitted.refresh_from_db()
    assert w.submitted.partner_viewed_at is not None


def test_a_partner_reading_a_closed_referral_is_not_a_disclosure(w, api_as, move):
    move(w.submitted, S.DECLINED, reason="No vacancies")
    assert api_as(w.users["partner"]).get(f"/api/v1/referrals/{w.submitted.pk}/").status_code == 200
    assert not AuditEvent.objects.filter(
        object_type="referral", object_id=str(w.submitted.pk), action=AuditAction.DISCLOSE
    ).exists()


def test_a_partner_list_that_shows_a_person_is_logged_as_a_disclosure(w, api_as):
    """s.62: a disclosure is logged with its recipients. The list shows names and dates of birth of every live
    referral, so the first time it shows a person to the organisation that is the disclosure."""
    partner = w.users["partner"]
    rows = _results(api_as(partner).get("/api/v1/referrals/"))
    shown = [row["id"] for row in rows if row["person"] is not None]
    assert shown == [w.submitted.pk]
    for pk in shown:
        assert AuditEvent.objects.filter(
            object_type="referral",
            object_id=str(pk),
            action=AuditAction.DISCLOSE,
            details__recipient_organisation=partner.organisation_id,
        ).exists()


def test_a_partner_lists_disclosures_carry_the_request_id_and_the_address(w, api_as):
    """s.62 rows written in bulk for a list carry the request and the client's address like every other row."""
    response = api_as(w.users["partner"]).get("/api/v1/referrals/", REMOTE_ADDR="203.0.113.8")
    disclosure = AuditEvent.objects.get(
        object_type="referral", object_id=str(w.submitted.pk), action=AuditAction.DISCLOSE
    )
    assert (disclosure.person_id, disclosure.ip_address) == (w.person.pk, "203.0.113.8")
    assert disclosure.request_id == response["X-Request-ID"]


def test_a_partner_adds_updates_only_while_the_referral_is_live(w, api_as, move):
    client = api_as(w.users["partner"])
    url = f"/api/v1/referrals/{w.submitted.pk}/updates/"
    created = client.post(url, {"text": "Viewing booked for Tuesday"}, format="json")
    assert created.status_code == 201
    assert created.json()["by"] == "partner"
    move(w.submitted, S.DECLINED, reason="No vacancies")
    assert client.post(url, {"text": "One more thing"}, format="json").status_code == 403
    assert w.submitted.updates.count() == 1


# --- Officers -----------------------------------------------------------------------------------------------------


def test_officers_see_every_referral_of_their_cases(w, api_as):
    ids = {row["id"] for row in _results(api_as(w.users["officer"]).get("/api/v1/referrals/"))}
    assert ids == {w.submitted.pk, w.draft.pk, w.gateway.pk, w.other_gateway.pk, w.flagship.pk}
    probation_ids = {row["id"] for row in _results(api_as(w.users["probation"]).get("/api/v1/referrals/"))}
    assert probation_ids == ids


def test_an_officer_of_another_team_sees_none_of_them(w, api_as):
    client = api_as(w.users["officer2"])
    assert _results(client.get("/api/v1/referrals/")) == []
    for referral in (w.submitted, w.draft, w.gateway):
        assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert _results(client.get("/api/v1/consents/")) == []
    assert _results(client.get("/api/v1/placements/")) == []


def test_the_officers_view_is_audited_as_a_view(w, api_as):
    api_as(w.users["officer"]).get(f"/api/v1/referrals/{w.submitted.pk}/")
    assert AuditEvent.objects.filter(
        object_type="referral", object_id=str(w.submitted.pk), action=AuditAction.VIEW, username="officer"
    ).exists()


# --- The permission matrix ------------------------------------------------------------------------------------------

ROLES = (
    "anonymous",
    "officer",
    "officer2",
    "probation",
    "manager",
    "outsider_manager",
    "partner",
    "coordinator",
    "employer",
    "analyst",
    "admin",
    "other_partner",
    "employer_b",
)

# fmt: off
# Each row: method, URL template, body (a key of BODIES), then one status per role in ROLES order:
#        anon officer officer2 probation manager outsider partner coord employer analyst admin other_p employer_b
MATRIX = [
    # --- consent ------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/consents/",                           None,
        (401,  200,    200,     200,      200,    200,     403,    403,  403,     403,    403,  403,    403)),
    ("GET",    "/api/v1/consents/{consent}/",                 None,
        (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403,  403,    403)),
    ("POST",   "/api/v1/consents/",                           "consent_create",
        (401,  201,    400,     201,      201,    400,     403,    403,  403,     403,    403,  403,    403)),
    ("POST",   "/api/v1/consents/{consent}/withdraw/",        "withdraw",
        (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403,  403,    403)),
    ("PATCH",  "/api/v1/consents/{consent}/",                 "withdraw",
        (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405,  405,    405)),
    # --- referrals ----------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/referrals/",                          None,
        (401,  200,    200,     200,      200,    200,     200,    200,  403,     403,    403,  200,    403)),
    ("GET",    "/api/v1/referrals/{referral}/",               None,
        (401,  200,    404,     200,      200,    404,     200,    404,  403,     403,    403,  404,    403)),
    ("GET",    "/api/v1/referrals/{draft}/",                  None,
        (401,  200,    404,     200,      200,    404,     404,    404,  403,     403,    403,  404,    403)),
    ("POST",   "/api/v1/referrals/",                          "referral_create",
        (401,  201,    400,     201,      201,    400,     403,    403,  403,     403,    403,  403,    403)),
    ("DELETE", "/api/v1/referrals/{referral}/",               None,
        (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405,  405,    405)),
    ("POST",   "/api/v1/referrals/{referral}/transition/",    "accept",
        (401,  403,    404,     403,      403,    404,     200,    404,  403,     403,    403,  404,    403)),
    ("POST",   "/api/v1/referrals/{referral}/transition/",    "withdraw_referral",
        (401,  200,    404,     200,      200,    404,     403,    404,  403,     403,    403,  404,    403)),
    ("POST",   "/api/v1/referrals/{referral}/updates/",       "update",
        (401,  201,    404,     201,      201,    404,     201,    404,  403,     403,    403,  404,    403)),
    ("POST",   "/api/v1/referrals/{gateway}/disclosure/",     "disclosure",
        (401,  200,    404,     200,      200,    404,     403,    403,  403,     403,    403,  403,    403)),
    ("POST",   "/api/v1/referrals/{gateway}/match/",          "match",
        (401,  403,    403,     403,      403,    403,     403,    201,  403,     403,    403,  403,    403)),
    # --- employers and pledges ----------------------------------------------------------------------------------
    ("GET",    "/api/v1/employers/",                          None,
        (401,  403,    403,     403,      200,    200,     403,    200,  200,     200,    200,  403,    200)),
    ("GET",    "/api/v1/employers/{employer_b}/",             None,
        (401,  403,    403,     403,      200,    200,     403,    200,  404,     200,    200,  403,    200)),
    ("POST",   "/api/v1/employers/",                          "employer_create",
        (401,  403,    403,     403,      403,    403,     403,    201,  403,     403,    403,  403,    403)),
    ("GET",    "/api/v1/pledges/",                            None,
        (401,  403,    403,     403,      200,    200,     403,    200,  200,     200,    200,  403,    200)),
    ("GET",    "/api/v1/pledges/{pledge_b}/",                 None,
        (401,  403,    403,     403,      200,    200,     403,    200,  404,     200,    200,  403,    200)),
    ("POST",   "/api/v1/pledges/",                            "pledge_create",
        (401,  403,    403,     403,      403,    403,     403,    201,  403,     403,    403,  403,    403)),
    # --- opportunities ------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/opportunities/",                      None,
        (401,  200,    200,     200,      200,    200,     403,    200,  200,     200,    200,  403,    200)),
    ("GET",    "/api/v1/opportunities/{opportunity_b}/",      None,
        (401,  200,    200,     200,      200,    200,     403,    200,  404,     200,    200,  403,    200)),
    ("POST",   "/api/v1/opportunities/",                      "opportunity_create",
        (401,  403,    403,     403,      403,    403,     403,    201,  403,     403,    403,  403,    403)),
    ("PATCH",  "/api/v1/opportunities/{opportunity_a}/",      "opportunity_patch",
        (401,  403,    403,     403,      403,    403,     403,    200,  403,     403,    403,  403,    403)),
    ("PUT",    "/api/v1/opportunities/{opportunity_a}/",      "opportunity_create",
        (401,  405,    405,     405,      405,    405,     405,    405,  405,     405,    405,  405,    405)),
    # --- placements ---------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/placements/",                         None,
        (401,  200,    200,     200,      200,    200,     403,    200,  200,     200,    200,  403,    200)),
    ("GET",    "/api/v1/placements/{placement}/",             None,
        (401,  200,    404,     200,      200,    404,     403,    200,  200,     404,    404,  403,    404)),
    ("GET",    "/api/v1/placements/{placement}/events/",      None,
        (401,  200,    404,     200,      200,    404,     403,    200,  200,     404,    404,  403,    404)),
    ("POST",   "/api/v1/placements/{placement}/events/",      "event",
        (401,  403,    404,     403,      403,    404,     403,    403,  201,     404,    404,  403,    404)),
    # --- figures ------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/metrics/gateway/",                    None,
        (401,  403,    403,     403,      200,    200,     403,    200,  403,     200,    200,  403,    403)),
]
# fmt: on

CELLS = [
    pytest.param(role, method, url, body, statuses[index], id=f"{role}-{method}-{url}-{body or ''}")
    for method, url, body, statuses in MATRIX
    for index, role in enumerate(ROLES)
]

BODIES = {
    "consent_create": lambda w: {
        "person": w.person.pk,
        "scope_service_type": "substance_misuse",
        "shared_information": "Name, address and drug use",
        "method": "written",
        "given_on": _today().isoformat(),
    },
    "withdraw": lambda w: {"reason": "Told his officer he no longer agrees"},
    "referral_create": lambda w: {
        "case": w.case.pk,
        "service": w.submitted.service_id,
        "reason": "Rent arrears",
        "shared_information": "Address and arrears",
        "pathways": ["accommodation"],
    },
    "accept": lambda w: {"to_state": "accepted"},
    "withdraw_referral": lambda w: {"to_state": "withdrawn", "reason": "Moved out of county"},
    "update": lambda w: {"text": "Viewing booked"},
    "disclosure": lambda w: {
        "convictions": [
            {key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in c.items()}
            for c in [custody_last_year()]
        ],
        "support_contacts": "PC Jo Hart, 01603 000000",
    },
    "match": lambda w: {"opportunity": w.opportunity_b.pk},
    "employer_create": lambda w: {"organisation": w.unregistered.pk, "sector": "hospitality", "size": "small"},
    "pledge_create": lambda w: {
        "employer": w.employer_b.pk,
        "signed_on": _today().isoformat(),
        "signed_by": "Sam Reeve, Operations Director",
        "opportunities_pledged": 3,
        "commitments": ["ban_the_box"],
    },
    "opportunity_create": lambda w: {
        "employer": w.employer_a.pk,
        "opportunity_type": "apprenticeship",
        "title": "Apprentice cook",
        "district": "norwich",
    },
    "opportunity_patch": lambda w: {"status": "filled", "version": w.opportunity_a.version},
    "event": lambda w: {"kind": "interview", "occurred_on": _today().isoformat(), "outcome": "successful"},
}


def _request(api, method: str, url: str, body=None):
    if method == "GET":
        return api.get(url)
    return getattr(api, method.lower())(url, body if body is not None else {}, format="json")


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), CELLS)
def test_permission_matrix(role, method, url, body, expected, w, api):
    if w.users[role] is not None:
        api.force_authenticate(w.users[role])
    data = BODIES[body](w) if body else None
    response = _request(api, method, url.format(**w.ids), data)
    assert response.status_code == expected, response.content
    if expected in (401, 403, 404):
        assert "Thacker" not in response.content.decode()


def test_writes_the_matrix_allows_take_effect(w, api_as):
    """Spot-check that the 2xx cells changed the records they name."""
    accepted = api_as(w.users["partner"]).post(
        f"/api/v1/referrals/{w.submitted.pk}/transition/", BODIES["accept"](w), format="json"
    )
    assert accepted.json()["state"] == "accepted"
    matched = api_as(w.users["coordinator"]).post(
        f"/api/v1/referrals/{w.gateway.pk}/match/", BODIES["match"](w), format="json"
    )
    assert matched.status_code == 201
    assert w.gateway.placements.filter(opportunity=w.opportunity_b).exists()
    patched = api_as(w.users["coordinator"]).patch(
        f"/api/v1/opportunities/{w.opportunity_a.pk}/", BODIES["opportunity_patch"](w), format="json"
    )
    assert patched.json()["status"] == "filled"
    w.opportunity_a.refresh_from_db()
    assert w.opportunity_a.status == OpportunityStatus.FILLED
    pledged = api_as(w.users["coordinator"]).post("/api/v1/pledges/", BODIES["pledge_create"](w), format="json")
    assert pledged.status_code == 201
    w.pledge_b.refresh_from_db()
    assert w.pledge_b.status == "lapsed"  # one active pledge per employer
    event = api_as(w.users["employer"]).post(
        f"/api/v1/placements/{w.placement_a.pk}/events/", BODIES["event"](w), format="json"
    )
    assert event.status_code == 201
    assert w.placement_a.events.get().recorded_by == w.users["employer"]
