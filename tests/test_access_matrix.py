"""Every route of the URLconf, pages and API, against every role and an anonymous caller (docs/roles.md).

The test is generated from the URLconf: one test per route and method it answers. Each must have a row in
EXPECTED naming the rule that guards it (or PUBLIC), so a new URL without a row fails here, and so does a
view whose declared rule differs from its row. Then every role is sent the request:

- anonymous callers are sent to sign in (pages) or get 401 (API), except on public routes;
- a role the rule refuses gets 403, whatever the object (the role is checked before the object);
- a role the rule allows is never refused: no 401, 403, sign-in redirect or server error (a 404 for an object
  it may not see, a 400 for a missing body and a 200 are all answers, and the per-object answers are pinned in
  tests/api/test_permission_matrix.py and the page tests).

The admin site (``django-admin/``) is Django's own, guarded by administrator access (tests/iom/test_admin.py).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from iom.policy import RULES, Rule
from web.access import PUBLIC, rule_of

pytestmark = pytest.mark.django_db

ROLES = ("officer", "probation", "manager", "partner", "coordinator", "employer", "analyst", "admin")

# The one statement of who may use each route: page name -> rule, API route name -> {method: rule}.
# fmt: off
PAGES = {
    "healthz": PUBLIC, "login": PUBLIC, "logout": PUBLIC,
    # The second step of signing in, and setting up the app at a first sign-in, come before anyone is signed in
    # (they know only the sign-in pending in the session); setting up and new backup codes from one's account
    "sign-in-code": PUBLIC, "sign-in-set-up": PUBLIC,
    "account-two-factor-set-up": "signed_in", "account-backup-codes": "signed_in",
    "home": "signed_in", "notifications": "signed_in",
    # One's own account and session; a forgotten password is reset without signing in
    "account": "signed_in", "account-sign-out-everywhere": "signed_in", "password-change": "signed_in",
    "session-keep-alive": "signed_in", "account-token-revoke": "signed_in",
    "password_reset": PUBLIC, "password_reset_done": PUBLIC, "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    # Staff accounts: invitations (managers, coordinators, administrators), the rest for staff managers;
    # an invitation link is opened before its account exists
    "staff": "manage_staff", "staff-detail": "manage_staff", "staff-active": "manage_staff",
    "staff-access": "manage_staff", "staff-sign-out": "manage_staff",
    "staff-second-factor-reset": "manage_staff", "access-change-decide": "manage_staff",
    "invitations": "invite_users", "invite": "invite_users", "invitation-resend": "invite_users",
    "invitation-revoke": "invite_users", "invitation-accept": PUBLIC,
    # People and their cases: police and probation case work
    "people": "casework", "person-new": "casework", "person": "casework", "person-edit": "casework",
    "person-corrections": "casework",
    "case-new": "casework", "case": "casework", "case-allocate": "casework", "case-assess": "casework",
    "action-new": "casework", "note-new": "casework", "case-access": "casework", "intervention-new": "casework",
    "action-edit": "casework", "action-complete": "casework", "action-cancel": "casework",
    # A record opened outside one's teams (break-glass), and the IOM managers' review of each opening
    "break-glass": "break_glass", "break-glass-reviews": "review_break_glass",
    "break-glass-review": "review_break_glass",
    # Cohorts (members are personal data) and the panel's decisions: the decision service refuses (and audits,
    # naming the person) the case workers who do not sit on the panel
    "cohorts": "casework", "cohort": "casework", "cohort-adopt": "casework", "membership-exit": "casework",
    "audit": "read_audit",
    # Consent and referrals
    "consent-new": "casework", "consent-withdraw": "casework", "referral-new": "casework",
    "referral-disclosure": "casework",
    "referrals": "work_referrals", "referral": "work_referrals", "referral-move": "work_referrals",
    "referral-update": "work_referrals",
    # The employer portal
    "portal": "use_portal", "portal-candidate": "use_portal", "portal-record": "use_portal",
    "portal-opportunities": "use_portal", "portal-pledge": "use_portal",
    # Gateway to Employment: the figures for their readers, the rest for coordinators
    "gateway": "read_gateway_figures", "gateway-csv": "read_gateway_figures",
    "gateway-employers": "coordinate_gateway", "gateway-employer-new": "coordinate_gateway",
    "gateway-employer": "coordinate_gateway", "gateway-pledge-new": "coordinate_gateway",
    "gateway-opportunities": "coordinate_gateway", "gateway-opportunity-new": "coordinate_gateway",
    "gateway-match": "coordinate_gateway",
    # Outcomes
    "outcomes-dashboard": "read_metrics",
    "plan": "read_plan", "plan-framework": "read_plan", "plan-measure-edit": "edit_plan_measures",
    "plan-actual-new": "enter_plan_actuals", "plan-actual-edit": "enter_plan_actuals",
    "imports": "run_imports", "import-detail": "run_imports",
    # Retention review and disposal (docs/retention.md)
    "retention": "review_retention", "retention-decisions": "review_retention",
    "retention-review": "review_retention", "retention-dispose": "review_retention",
    # Subject access: IOM managers, for the people they can see
    "subject-access": "produce_subject_access", "subject-access-export": "produce_subject_access",
    "subject-access-progress": "produce_subject_access", "subject-access-download": "produce_subject_access",
    # The API's documentation: a page under api/ (web/apidocs/), for every signed-in user
    "api-docs": "signed_in", "api-redoc": "signed_in",
}

CASEWORK_READ_CREATE = {"GET": "casework", "POST": "casework"}
API = {
    "schema": {"GET": PUBLIC}, "v1:token": {"POST": PUBLIC},
    "v1:api-root": {"GET": "signed_in"}, "v1:me": {"GET": "signed_in"},
    "v1:sign-out": {"POST": "signed_in"}, "v1:token-list": {"GET": "signed_in"},
    "v1:token-detail": {"DELETE": "signed_in"},
    "v1:notification-list": {"GET": "signed_in"}, "v1:notification-mark-read": {"POST": "signed_in"},
    # The IOM core
    "v1:person-list": CASEWORK_READ_CREATE,
    "v1:person-detail": {"GET": "casework", "PUT": "casework", "PATCH": "casework"},
    "v1:cohort-list": {"GET": "read_cohorts", "POST": "manage_cohorts"}, "v1:cohort-detail": {"GET": "read_cohorts"},
    "v1:membership-list": {"GET": "casework"}, "v1:membership-detail": {"GET": "casework"},
    "v1:membership-adopt": {"POST": "panel_decisions"}, "v1:membership-exit": {"POST": "panel_decisions"},
    "v1:case-list": CASEWORK_READ_CREATE, "v1:case-detail": {"GET": "casework", "PATCH": "casework"},
    "v1:case-grants": {"GET": "casework"}, "v1:case-grant": {"POST": "casework"},
    "v1:case-revoke": {"POST": "casework"},
    "v1:assessment-list": CASEWORK_READ_CREATE, "v1:assessment-detail": {"GET": "casework"},
    "v1:action-list": CASEWORK_READ_CREATE, "v1:action-detail": {"GET": "casework", "PATCH": "casework"},
    "v1:action-complete": {"POST": "casework"}, "v1:action-cancel": {"POST": "casework"},
    "v1:note-list": CASEWORK_READ_CREATE, "v1:note-detail": {"GET": "casework"},
    "v1:auditevent-list": {"GET": "read_audit"}, "v1:auditevent-detail": {"GET": "read_audit"},
    # Consent and referrals
    "v1:consent-list": CASEWORK_READ_CREATE, "v1:consent-detail": {"GET": "casework"},
    "v1:consent-withdraw": {"POST": "casework"},
    "v1:referral-list": {"GET": "work_referrals", "POST": "casework"},
    "v1:referral-detail": {"GET": "work_referrals"}, "v1:referral-transition": {"POST": "work_referrals"},
    "v1:referral-updates": {"POST": "work_referrals"}, "v1:referral-disclosure": {"POST": "casework"},
    "v1:referral-match": {"POST": "coordinate_gateway"},
    # Gateway to Employment
    "v1:employer-list": {"GET": "read_gateway", "POST": "coordinate_gateway"},
    "v1:employer-detail": {"GET": "read_gateway"},
    "v1:pledge-list": {"GET": "read_gateway", "POST": "coordinate_gateway"},
    "v1:pledge-detail": {"GET": "read_gateway"},
    "v1:opportunity-list": {"GET": "read_opportunities", "POST": "coordinate_gateway"},
    "v1:opportunity-detail": {"GET": "read_opportunities", "PATCH": "coordinate_gateway"},
    "v1:placement-list": {"GET": "follow_placements"}, "v1:placement-detail": {"GET": "follow_placements"},
    "v1:placement-events": {"GET": "follow_placements", "POST": "follow_placements"},
    "v1:metrics-gateway": {"GET": "read_gateway_figures"},
    # Outcomes
    "v1:programme-list": {"GET": "casework"},
    "v1:intervention-list": CASEWORK_READ_CREATE,
    "v1:intervention-detail": {"GET": "casework", "PATCH": "casework"},
    "v1:importrun-list": {"GET": "run_imports", "POST": "run_imports"}, "v1:importrun-detail": {"GET": "run_imports"},
    "v1:metrics-reoffending": {"GET": "read_metrics"}, "v1:metrics-reoffending-quarterly": {"GET": "read_metrics"},
    "v1:metrics-pre-post": {"GET": "read_metrics"}, "v1:metrics-snapshots": {"GET": "read_metrics"},
    "v1:plan": {"GET": "read_plan"}, "v1:plan-framework": {"GET": "read_plan"},
    "v1:plan-measure": {"GET": "read_plan", "PATCH": "edit_plan_measures"},
    "v1:plan-actuals": {"POST": "enter_plan_actuals"}, "v1:plan-actual": {"PUT": "enter_plan_actuals"},
}
# fmt: on

# Values for the routes' parameters: no such object, so an allowed role's answer is about the object (404),
# never about the role; the rule is checked first either way.
KWARGS = {
    "pk": "999999",
    "slug": "no-such-cohort",
    "code": "no-such-measure",
    "period": "2016-17",
    "uidb64": "OTk5OTk5",
    "token": "no-such-token",
    "key": "no-such-token",
}


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    method: str
    declared: Rule | str | None
    is_api: bool


def _patterns(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern.callback


def _path(route: str) -> str:
    """A concrete path for a route (``people/<int:pk>/`` or a router's ``^people/(?P<pk>[0-9]+)/$``)."""
    path = route.replace("^", "").replace("$", "")
    for name, value in KWARGS.items():
        for converter in ("int", "slug", "str"):
            path = path.replace(f"<{converter}:{name}>", value)
        for regex in ("[0-9]+", "[a-z0-9-]+", "[^/.]+"):
            path = path.replace(f"(?P<{name}>{regex})", value)
        path = path.replace(f"<{name}>", value)  # a route's parameter without a converter
    assert "<" not in path and "(" not in path, f"No value for a parameter of {route}"
    return "/" + path


def _api_methods(callback) -> dict[str, Rule | str | None]:
    """Each method an API route answers, with the rule its view declares for it."""
    view = getattr(callback, "cls", None) or callback.view_class
    allowed = {name.upper() for name in view.http_method_names} - {"HEAD", "OPTIONS"}
    if "AllowAny" in {cls.__name__ for cls in view.permission_classes}:
        handlers = {m for m in allowed if hasattr(view, m.lower())}
        return dict.fromkeys(sorted(handlers), PUBLIC)
    rules = getattr(view, "action_rules", {})
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return {m.upper(): rules.get(action) for m, action in actions.items() if m.upper() in allowed}
    return {m.upper(): rules.get(m) for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}


def routes() -> list[Route]:
    found = []
    for route, name, callback in _patterns(get_resolver().url_patterns):
        if route.startswith("django-admin/") or "format>" in route:
            continue  # the admin site; the router's ``.json`` twins of the same views
        if route.startswith("api/") and rule_of(callback) is None:  # under api/ but a page: the docs
            found += [Route(name, _path(route), m, rule, True) for m, rule in _api_methods(callback).items()]
        else:
            methods = sorted(getattr(callback, "page_methods", None) or {"GET"})
            found += [Route(name, _path(route), m, rule_of(callback), False) for m in methods if m != "HEAD"]
    return found


ROUTES = routes()


def _expected(route: Route) -> str:
    if route.is_api:
        assert route.name in API, f"{route.name} ({route.path}) has no row in API: say which rule guards it"
        assert route.method in API[route.name], f"{route.method} {route.path} has no row in API[{route.name!r}]"
        return API[route.name][route.method]
    assert route.name in PAGES, f"The page {route.name} ({route.path}) has no row in PAGES: say which rule guards it"
    return PAGES[route.name]


def _rule_name(declared: Rule | str | None) -> str | None:
    return declared.name if isinstance(declared, Rule) else declared


def _is_sign_in_redirect(response) -> bool:
    # "Sign in to see this" names the page to come back to; a bare /sign-in/ is where signing out leads.
    return response.status_code == 302 and response["Location"].startswith("/sign-in/?next=")


def _send(client, route: Route):
    call = getattr(client, route.method.lower())
    return call(route.path, {}, content_type="application/json") if route.method != "GET" else call(route.path)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_route_is_guarded_by_its_rule_for_every_role(route, all_roles, client):
    expected = _expected(route)
    assert _rule_name(route.declared) == expected, f"{route.path} declares {route.declared!r}, expected {expected}"

    anonymous = _send(client, route)
    if expected == PUBLIC:
        assert anonymous.status_code < 500 and anonymous.status_code not in (401, 403), anonymous.status_code
        return
    if route.is_api:
        assert anonymous.status_code == 401, f"anonymous: {anonymous.status_code}"
    else:
        assert _is_sign_in_redirect(anonymous), f"anonymous: {anonymous.status_code}"

    rule = RULES[expected]
    for role in ROLES:
        user = all_roles[role]
        client.force_login(user)
        response = _send(client, route)
        if rule.allows(user):
            refused = response.status_code in (401, 403) or _is_sign_in_redirect(response)
            assert not refused and response.status_code < 500, f"{role} is allowed but got {response.status_code}"
        else:
            assert response.status_code == 403, f"{role} is refused by {expected} but got {response.status_code}"
        client.logout()


def test_the_matrix_has_no_row_for_a_route_that_is_gone():
    pages = {route.name for route in ROUTES if not route.is_api}
    api = {(route.name, route.method) for route in ROUTES if route.is_api}
    assert set(PAGES) - pages == set()
    assert {(name, method) for name, methods in API.items() for method in methods} - api == set()


def test_each_rule_allows_the_roles_docs_roles_md_gives_it():
    """The rules themselves, role by role, so a change of who may do what is a change here too."""
    allowed = {name: sorted(rule.roles) for name, rule in RULES.items()}
    assert allowed["read_gateway_figures"] == ["administrator", "analyst", "iom_manager", "scheme_coordinator"]
    assert allowed["casework"] == ["iom_manager", "iom_officer", "offender_manager"]
    assert allowed["read_metrics"] == allowed["read_plan"] == ["administrator", "analyst", "iom_manager"]
    assert allowed["run_imports"] == allowed["enter_plan_actuals"] == ["iom_manager"]
    assert allowed["produce_subject_access"] == ["iom_manager"]
    assert allowed["panel_decisions"] == ["iom_manager", "iom_officer"]
    assert allowed["use_portal"] == ["employer"]
    assert allowed["break_glass"] == allowed["casework"]
    assert allowed["review_break_glass"] == ["iom_manager"]
    assert allowed["work_through_api"] == ["administrator", "analyst", "iom_manager", "scheme_coordinator"]
