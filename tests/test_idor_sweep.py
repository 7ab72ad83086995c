"""An IDOR sweep generated from the URLconf: every route that names an object, pages and API, asked by every role
the route's rule admits, for an object of another scheme (or another employer) that the role must not see.

The answer must be a 404 every time, whatever the method: a refused role is the access matrix's business
(tests/test_access_matrix.py, 403), and here the role is allowed the route but not the row. A few readers do see
every row of a resource by design (docs/roles.md): those pairs are listed in ``SEES_EVERY_ROW`` and skipped.
A route that names an object kind with no entry in ``KIND_OF`` fails, so a new route cannot slip past.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from iom.audit import audit_record
from iom.models import AccessChange, AuditAction, BreakGlassAccess, Invitation, Role, SubjectAccessExport
from iom.policy import RULES
from referrals.models import ReferralState, ServiceType
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory
from tests.partners.factories import EmployerFactory, OpportunityFactory, PledgeFactory, ServiceFactory
from tests.referrals.factories import ConsentFactory, PlacementFactory, ReferralFactory
from tests.test_access_matrix import ROLES, ROUTES, _expected

pytestmark = pytest.mark.django_db

# Route name -> the kind of object its parameter names (None: not an object a role could be kept from: reference
# data, shared import runs, links carrying their own secret).
KIND_OF = {
    "v1:person-detail": "person",
    "person": "person",
    "person-edit": "person",
    "case-new": "person",
    "consent-new": "person",
    "v1:case-detail": "case",
    "v1:case-grant": "case",
    "v1:case-grants": "case",
    "v1:case-revoke": "case",
    "case": "case",
    "case-allocate": "case",
    "case-assess": "case",
    "action-new": "case",
    "note-new": "case",
    "case-access": "case",
    "intervention-new": "case",
    "referral-new": "case",
    "v1:assessment-detail": "assessment",
    "v1:action-detail": "action",
    "v1:action-cancel": "action",
    "v1:action-complete": "action",
    "action-edit": "action",
    "action-complete": "action",
    "action-cancel": "action",
    "v1:note-detail": "note",
    "v1:membership-detail": "membership",
    "v1:membership-exit": "membership",
    "membership-exit": "membership",
    "v1:cohort-detail": "cohort",
    "cohort": "cohort",
    "cohort-adopt": "cohort",
    "v1:auditevent-detail": "audit_event",
    "v1:consent-detail": "consent",
    "v1:consent-withdraw": "consent",
    "consent-withdraw": "consent",
    "v1:referral-detail": "referral",
    "v1:referral-disclosure": "referral",
    "v1:referral-match": "referral",
    "v1:referral-transition": "referral",
    "v1:referral-updates": "referral",
    "referral": "referral",
    "referral-move": "referral",
    "referral-update": "referral",
    "referral-disclosure": "referral",
    "gateway-match": "referral",
    "v1:placement-detail": "placement",
    "v1:placement-events": "placement",
    "portal-candidate": "placement",
    "portal-record": "placement",
    "v1:employer-detail": "employer",
    "gateway-employer": "employer",
    "gateway-pledge-new": "employer",
    "v1:pledge-detail": "pledge",
    "v1:opportunity-detail": "opportunity",
    "v1:intervention-detail": "intervention",
    "v1:token-detail": "token",
    "account-token-revoke": "token",
    "staff-detail": "staff",
    "staff-active": "staff",
    "staff-sign-out": "staff",
    "staff-second-factor-reset": "staff",
    "staff-access": "staff",
    "access-change-decide": "access_change",
    "person-corrections": "person",
    "subject-access": "person",
    "subject-access-export": "subject_access_export",
    "subject-access-progress": "subject_access_export",
    "subject-access-download": "subject_access_export",
    "break-glass-review": "break_glass",
    "invitation-resend": "invitation",
    "invitation-revoke": "invitation",
    "retention-review": "person",
    "retention-dispose": "person",
    "v1:importrun-detail": None,
    "import-detail": None,  # shared by the IOM managers of every scheme
    "v1:plan-measure": None,
    "v1:plan-actuals": None,
    "v1:plan-actual": None,  # the Plan is not personal data
    "plan-measure-edit": None,
    "plan-actual-new": None,
    "plan-actual-edit": None,
    "password_reset_confirm": None,
    "invitation-accept": None,  # the link is the secret
}
# fmt: on

# Readers who see every row of a kind by design (docs/roles.md), so another scheme's row is theirs to see.
SEES_EVERY_ROW = {
    ("audit_event", "admin"),
    ("staff", "admin"),
    ("access_change", "admin"),
    ("invitation", "admin"),
    ("token", "admin"),
    ("cohort", "analyst"),
    ("cohort", "admin"),
    # Employers, pledges and opportunities are the Gateway's catalogue: every reader of it sees all of it;
    # only an employer is kept to their own.
    *((kind, role) for kind in ("employer", "pledge", "opportunity") for role in ROLES if role != "employer"),
    ("placement", "coordinator"),
}


@pytest.fixture
def elsewhere(suffolk_team, outsider_manager, police):
    """Another scheme's world (Suffolk), another employer's Gateway rows, another user's token."""
    suffolk_officer = factories.UserFactory(
        username="suffolkofficer", role=Role.IOM_OFFICER, organisation=police, teams=[suffolk_team]
    )
    case = factories.CaseFactory(team=suffolk_team, lead_officer=suffolk_officer)
    cohort = factories.CohortFactory(slug="suffolk-fixed", name="Suffolk Fixed", scheme=suffolk_team.scheme)
    ipswich_housing = factories.OrganisationFactory(name="Ipswich Housing", type="housing")
    referral = ReferralFactory(
        case=case,
        service=ServiceFactory(organisation=ipswich_housing, service_type=ServiceType.HOUSING),
        state=ReferralState.SUBMITTED,
    )
    other_employer = EmployerFactory()
    placement = PlacementFactory(
        referral__case=case, opportunity=OpportunityFactory(employer=other_employer), matched_by=outsider_manager
    )
    token, _ = AuthToken.objects.create(user=suffolk_officer)
    invitation = Invitation.objects.create(
        email="x@suffolk.police.invalid",
        first_name="X",
        last_name="Y",
        role=Role.IOM_OFFICER,
        organisation=police,
        token_digest="0" * 64,
        invited_by=outsider_manager,
        sent_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    invitation.teams.set([suffolk_team])
    change = AccessChange.objects.create(
        user=suffolk_officer, role=Role.IOM_MANAGER, reason="Promotion", requested_by=outsider_manager
    )
    change.teams.set([suffolk_team])
    opened = BreakGlassAccess.objects.create(
        user=suffolk_officer,
        # A person of another Suffolk team: opened outside the officer's own.
        person=factories.CaseFactory(team=factories.TeamFactory(name="Bury IOM", scheme=suffolk_team.scheme)).person,
        reason="Arrested in Ipswich overnight; checking risk before interview",
        expires_at=timezone.now() + datetime.timedelta(hours=12),
    )
    return {
        "person": case.person_id,
        "case": case.pk,
        "assessment": factories.AssessmentFactory(case=case, assessed_by=suffolk_officer).pk,
        "action": factories.ActionFactory(case=case, owner=suffolk_officer).pk,
        "note": factories.NoteFactory(case=case, author=suffolk_officer).pk,
        "membership": factories.MembershipFactory(person=case.person, cohort=cohort, decided_by=outsider_manager).pk,
        "cohort": cohort.slug,
        "audit_event": audit_record(user=suffolk_officer, action=AuditAction.VIEW, obj=case.person).pk,
        "consent": ConsentFactory(person=case.person, recorded_by=suffolk_officer).pk,
        "referral": referral.pk,
        "placement": placement.pk,
        "employer": other_employer.pk,
        "pledge": PledgeFactory(employer=other_employer).pk,
        "opportunity": placement.opportunity_id,
        "intervention": InterventionFactory(case=case).pk,
        "token": token.token_key,
        "staff": suffolk_officer.pk,
        "access_change": change.pk,
        "invitation": invitation.pk,
        "subject_access_export": SubjectAccessExport.objects.create(
            person=case.person, requested_by=outsider_manager, reason="Letter of 3 March", status="ready"
        ).pk,
        "break_glass": opened.pk,
    }


PARAMETER_OF = {"token": "key", "cohort": "slug"}


def _url(route, kind: str, value) -> str:
    """The route's path with the foreign object in place of the matrix's made-up one."""
    return reverse(route.name, kwargs={PARAMETER_OF.get(kind, "pk"): value})


OBJECT_ROUTES = [
    route for route in ROUTES if route.name in KIND_OF or "999999" in route.path or "no-such" in route.path
]


def test_every_route_naming_an_object_says_what_kind_it_is():
    missing = sorted({route.name for route in OBJECT_ROUTES if route.name not in KIND_OF})
    assert missing == [], f"say in KIND_OF which kind of object these routes name: {missing}"


def test_no_role_reaches_an_object_it_may_not_see(elsewhere, all_roles, client, capsys):
    checked, leaks = 0, []
    for route in OBJECT_ROUTES:
        kind = KIND_OF[route.name]
        if kind is None:
            continue
        rule = RULES.get(_expected(route))
        for role in ROLES:
            user = all_roles[role]
            if rule is None or not rule.allows(user) or (kind, role) in SEES_EVERY_ROW:
                continue
            client.force_login(user)
            call = getattr(client, route.method.lower())
            url = _url(route, kind, elsewhere[kind])
            response = call(url) if route.method == "GET" else call(url, {}, content_type="application/json")
            checked += 1
            if response.status_code != 404:
                leaks.append(f"{role} {route.method} {url}: {response.status_code}")
            client.logout()
    with capsys.disabled():
        print(f"\nIDOR sweep: {checked} requests for objects out of reach, every one a 404")
    assert leaks == []
    assert checked > 200


def test_the_sweep_asks_for_real_objects_that_their_own_scheme_does_see(elsewhere, outsider_manager, client):
    """The control: the same addresses answer their own scheme's manager, so the 404s above are refusals."""
    client.force_login(outsider_manager)
    for name, kind in (("case", "case"), ("person", "person"), ("v1:note-detail", "note"), ("cohort", "cohort")):
        path = reverse(name, kwargs={PARAMETER_OF.get(kind, "pk"): elsewhere[kind]})
        response = client.get(path)
        # A case page opens on its person's page; anything else must be the page itself.
        assert response.status_code == 200 or response["Location"].startswith("/people/"), path
