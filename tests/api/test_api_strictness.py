"""The API says what it takes and refuses what it does not (docs/roles.md, README "API").

- ``OPTIONS`` describes every /api/v1/ endpoint to every signed-in role without an error; its ``actions`` list
  the writes (``POST``, ``PUT``) the user's role may make there and no others. Anonymous requests get 401.
- A request body field the endpoint does not take (an unknown name, or a read-only field) is a 400 naming it in
  the one error shape, and nothing is written. Every input serializer of the API does this through one mixin
  (``api.base.StrictFieldsMixin``): one test walks the write endpoints of the URLconf, another the input
  serializers the schema documents, nested ones included.

The world: the shared cast (tests/conftest.py) around the Norwich ``case`` with a membership, an action, a note,
an assessment, an intervention, a consent and a submitted referral to the partner's housing service; an accepted
Gateway referral matched to the employer's opportunity; a pledge; a finished import; an entered Plan actual.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from api.base import READ_ONLY_FIELD, UNKNOWN_FIELD, StrictFieldsMixin
from iom.audit import audit_record
from iom.models import AuditAction, AuditEvent, AuditOutcome, Case, Membership, Person
from outcomes.models import ImportRun, ImportState, PlanActual, PlanMeasure
from partners.models import ServiceType
from referrals import services as referral_services
from referrals.models import Referral, ReferralState
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory, ProgrammeFactory
from tests.partners.factories import EmployerFactory, OpportunityFactory, PledgeFactory, ServiceFactory
from tests.referrals.factories import ConsentFactory, PlacementFactory, ReferralFactory

pytestmark = pytest.mark.django_db

# The order in which the walks pick "a user who may do it": the first of these the action's rule allows.
CAST = ("officer", "manager", "coordinator", "partner", "employer", "analyst", "admin")
ROLES = ("officer", "officer2", "probation", "manager", "outsider_manager", "partner", "coordinator", "employer")
ROLES += ("analyst", "admin")
WRITES = ("post", "put", "patch")
BOGUS = "not_a_field_of_anything"


# --- The URLconf, walked ------------------------------------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespaces: tuple[str, ...] = ()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = (pattern.namespace,) if pattern.namespace else ()
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), namespaces + namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), ":".join((*namespaces, pattern.name)), pattern


def _v1_routes() -> list[tuple[str, URLPattern]]:
    """(URL name, pattern) of every /api/v1/ route, format-suffixed ones too."""
    return [
        (name, pattern) for route, name, pattern in _walk(get_resolver().url_patterns) if route.startswith("api/v1/")
    ]


def _route_kwargs(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)


def _methods(pattern: URLPattern) -> dict[str, str | None]:
    """Each HTTP method (lower case) the route takes, with the viewset action it runs (None for an APIView)."""
    view_class = _view_class(pattern)
    actions = getattr(pattern.callback, "actions", None)
    if actions is not None:  # a viewset route: the router's map, less what the view does not take
        return {method: action for method, action in actions.items() if method in view_class.http_method_names}
    return {m: None for m in view_class.http_method_names if m not in ("head", "options") and hasattr(view_class, m)}


def _view_class(pattern: URLPattern):
    return getattr(pattern.callback, "cls", None) or pattern.callback.view_class


def _rule(pattern: URLPattern, method: str):
    """The rule guarding ``method`` on the route, or None for a view without rules (token, me, the root)."""
    rules = getattr(_view_class(pattern), "action_rules", None)
    if rules is None:
        return None
    action = _methods(pattern)[method] or method
    return rules[action]


ROUTES = sorted({name for name, _ in _v1_routes()})
WRITE_ENDPOINTS = sorted(
    (name, method)
    for name, pattern in _v1_routes()
    if "format" not in _route_kwargs(pattern)
    for method in _methods(pattern)
    if method in WRITES
)


# --- The world ----------------------------------------------------------------------------------------------------


@pytest.fixture
def world(all_roles, case, cohort):
    users = all_roles
    officer, manager, partner, coordinator = users["officer"], users["manager"], users["partner"], users["coordinator"]
    person = case.person
    membership = factories.MembershipFactory(person=person, cohort=cohort, decided_by=officer)
    action = factories.ActionFactory(case=case, owner=officer)
    note = factories.NoteFactory(case=case, author=officer)
    assessment = factories.AssessmentFactory(case=case, assessed_by=officer)
    intervention = InterventionFactory(case=case, programme=ProgrammeFactory(), recorded_by=officer)
    housing = ServiceFactory(organisation=partner.organisation, service_type=ServiceType.HOUSING)
    consent = ConsentFactory(
        person=person, scope_organisation=partner.organisation, scope_service_type="", recorded_by=officer
    )
    referral = referral_services.referral_create(
        acting_user=officer,
        case=case,
        service=housing,
        reason="At risk of losing his tenancy",
        shared_information="Name, date of birth and the arrears",
    )
    referral = referral_services.referral_transition(
        acting_user=officer, referral=referral, to_state=ReferralState.SUBMITTED
    )
    gateway = ServiceFactory(
        organisation=coordinator.organisation, service_type=ServiceType.EMPLOYMENT, consent_required=False
    )
    gateway_referral = ReferralFactory(case=case, service=gateway, state=ReferralState.ACCEPTED, created_by=officer)
    employer_record = EmployerFactory(organisation=users["employer"].organisation)
    pledge = PledgeFactory(employer=employer_record, recorded_by=coordinator)
    opportunity = OpportunityFactory(employer=employer_record, created_by=coordinator)
    placement = PlacementFactory(
        referral=ReferralFactory(
            case=case,
            service=gateway,
            state=ReferralState.ACCEPTED,
            created_by=officer,
            disclosure_approved_at=timezone.now(),
        ),
        opportunity=opportunity,
        matched_by=coordinator,
    )
    import_run = ImportRun.objects.create(kind="people", uploaded_by=manager, state=ImportState.SUCCEEDED)
    audit_event = audit_record(user=officer, action=AuditAction.CHANGE, obj=person, changes={"aliases": [[], ["J"]]})
    measure = PlanMeasure.objects.get(code="ksi-road-collisions")
    PlanActual.objects.create(measure=measure, period=2013, value=Decimal(341), entered_by=manager)
    pks = {
        "person": person.pk,
        "membership": membership.pk,
        "case": case.pk,
        "assessment": assessment.pk,
        "action": action.pk,
        "note": note.pk,
        "auditevent": audit_event.pk,
        "consent": consent.pk,
        "referral": referral.pk,
        "employer": employer_record.pk,
        "pledge": pledge.pk,
        "opportunity": opportunity.pk,
        "placement": placement.pk,
        "intervention": intervention.pk,
        "importrun": import_run.pk,
    }
    by_name = {"v1:referral-match": {"pk": gateway_referral.pk}}  # the coordinator matches Gateway referrals

    def url(name: str, pattern: URLPattern) -> str:
        wanted = _route_kwargs(pattern)
        values = {"slug": cohort.slug, "code": measure.code, "period": "2013-14", "format": "json", "key": "no-such"}
        values.update(by_name.get(name, {}))
        if "pk" in wanted and "pk" not in values:
            values["pk"] = pks[name.split(":")[-1].rsplit("-", 1)[0]]
        return reverse(name, kwargs={key: values[key] for key in wanted})

    return SimpleNamespace(users=users, url=url, person=person, case=case, referral=referral)


def _as(api, user):
    api.force_authenticate(user)
    return api


# --- OPTIONS ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ROUTES)
def test_every_endpoint_answers_options_for_every_role(world, api, name):
    for route_name, pattern in _v1_routes():
        if route_name != name:
            continue
        url = world.url(name, pattern)
        anonymous = _as(api, None).options(url)
        assert anonymous.status_code == (200 if name == "v1:token" else 401), (url, anonymous.content)
        for role in ROLES:
            user = world.users[role]
            response = _as(api, user).options(url)
            assert response.status_code < 500, (url, role, response.content)
            assert response.status_code in (200, 403), (url, role, response.content)
            if response.status_code != 200:
                continue
            described = response.json().get("actions", {})
            for method in ("post", "put"):
                rule = _rule(pattern, method) if method in _methods(pattern) else None
                if rule is None or not hasattr(_view_class(pattern), "get_serializer"):
                    assert method.upper() not in described, (url, role)
                    continue
                may = rule.allows(user)
                if method == "put":  # DRF lists PUT only where the user can reach the object
                    may = may and _as(api, user).get(url).status_code == 200
                assert (method.upper() in described) == may, (url, role, method, sorted(described))


# Views without a serializer (the Plan's "enter an actual") describe no actions at all; the test above checks
# that they list none, so they are not parametrised here.
DESCRIBED_POSTS = sorted(
    {
        name
        for name, method in WRITE_ENDPOINTS
        if method == "post"
        and not name.endswith(":token")
        and all(hasattr(_view_class(pattern), "get_serializer") for route, pattern in _v1_routes() if route == name)
    }
)


@pytest.mark.parametrize("name", DESCRIBED_POSTS)
def test_each_writable_endpoint_lists_post_for_a_role_that_may_write(world, api, name):
    pattern = next(pattern for route_name, pattern in _v1_routes() if route_name == name)
    rule = _rule(pattern, "post")
    writer = next(world.users[role] for role in CAST if rule.allows(world.users[role]))
    response = _as(api, writer).options(world.url(name, pattern))
    assert response.status_code == 200, response.content
    assert "POST" in response.json()["actions"], response.json()


def test_options_on_people_describes_the_fields_an_officer_may_post(world, api_as):
    response = api_as(world.users["officer"]).options("/api/v1/people/")
    assert response.status_code == 200, response.content
    post = response.json()["actions"]["POST"]
    assert post["pnc_id"]["required"] is True
    assert post["id"]["read_only"] is True


@pytest.mark.parametrize(
    ("role", "url", "lists_post"),
    [
        ("officer", "/api/v1/cases/", True),
        ("employer", "/api/v1/cases/", False),
        ("officer", "/api/v1/memberships/adopt/", True),
        ("probation", "/api/v1/memberships/adopt/", False),
        ("manager", "/api/v1/cohorts/", True),
        ("officer", "/api/v1/cohorts/", False),
        ("partner", "/api/v1/referrals/", False),
        ("officer", "/api/v1/referrals/", True),
    ],
)
def test_options_lists_post_only_for_roles_that_may_post(world, api_as, role, url, lists_post):
    response = api_as(world.users[role]).options(url)
    assert response.status_code == 200, response.content
    assert ("POST" in response.json().get("actions", {})) is lists_post


def test_options_on_a_person_lists_put_for_their_officer_and_records_no_view(world, api_as):
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, person_id=world.person.pk).count()
    mine = api_as(world.users["officer"]).options(f"/api/v1/people/{world.person.pk}/")
    other_team = api_as(world.users["officer2"]).options(f"/api/v1/people/{world.person.pk}/")
    assert mine.status_code == other_team.status_code == 200
    assert "PUT" in mine.json()["actions"]
    assert "PUT" not in other_team.json().get("actions", {})
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, person_id=world.person.pk).count() == views


@pytest.mark.parametrize(
    "url", ["/api/v1/people/", "/api/v1/cases/", "/api/v1/referrals/", "/api/v1/memberships/adopt/"]
)
def test_options_is_401_for_anonymous(api, url):
    assert api.options(url).status_code == 401


# --- Unknown fields -----------------------------------------------------------------------------------------------


def _writes_done() -> int:
    return AuditEvent.objects.filter(
        action__in=[AuditAction.CREATE, AuditAction.CHANGE], outcome=AuditOutcome.DONE
    ).count()


def test_patching_a_case_with_a_field_it_does_not_take_is_a_400_naming_it(world, api_as):
    case = world.case
    before = (case.version, case.team_id, case.status)
    other_team = factories.TeamFactory(scheme=case.team.scheme)

    response = api_as(world.users["officer"]).patch(
        f"/api/v1/cases/{case.pk}/", {"version": case.version, "team": other_team.pk}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "The request has errors; nothing was saved.",
        "errors": {"team": [UNKNOWN_FIELD]},
    }
    case.refresh_from_db()
    assert (case.version, case.team_id, case.status) == before


def test_the_unknown_field_is_reported_with_the_bodys_other_errors(world, api_as):
    response = api_as(world.users["officer"]).patch(
        f"/api/v1/cases/{world.case.pk}/", {"status": "paused", "team": 2}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"version", "team"}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("id", READ_ONLY_FIELD),
        ("version", READ_ONLY_FIELD),
        ("created_at", READ_ONLY_FIELD),
        ("nickname", UNKNOWN_FIELD),
    ],
)
def test_recording_a_person_with_a_field_it_does_not_take_writes_nothing(world, api_as, field, message):
    people = Person.objects.count()
    body = {
        "pnc_id": "16/4444444X",
        "first_name": "Dylan",
        "last_name": "Thacker",
        "date_of_birth": "1991-05-17",
        "district": "norwich",
        field: 7,
    }
    response = api_as(world.users["officer"]).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][field] == [message]
    assert Person.objects.count() == people


def test_editing_a_person_cannot_set_read_only_fields(world, api_as):
    person = world.person
    response = api_as(world.users["officer"]).patch(
        f"/api/v1/people/{person.pk}/", {"version": person.version, "updated_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"updated_at": [READ_ONLY_FIELD]}
    assert Person.objects.get(pk=person.pk).version == person.version


def test_a_transition_cannot_smuggle_a_state_field(world, api_as):
    referral = world.referral
    response = api_as(world.users["partner"]).post(
        f"/api/v1/referrals/{referral.pk}/transition/",
        {"to_state": ReferralState.ACCEPTED, "state": ReferralState.COMPLETED},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"state": [UNKNOWN_FIELD]}
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.SUBMITTED


def test_adopting_cannot_name_who_decided(world, api_as):
    memberships = Membership.objects.count()
    body = {
        "person": world.person.pk,
        "cohort": "fixed",
        "adopted_on": timezone.localdate().isoformat(),
        "decided_by": world.users["manager"].pk,
    }
    response = api_as(world.users["officer"]).post("/api/v1/memberships/adopt/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"decided_by": [UNKNOWN_FIELD]}
    assert Membership.objects.count() == memberships


def test_a_nested_conviction_with_an_unknown_field_is_named_under_its_place(world, api_as):
    conviction = {
        "offence_category": "shoplifting",
        "sentence_type": "fine",
        "convicted_on": (timezone.localdate() - datetime.timedelta(days=90)).isoformat(),
        "spent": True,
    }
    response = api_as(world.users["officer"]).post(
        f"/api/v1/referrals/{world.referral.pk}/disclosure/",
        {"convictions": [conviction], "support_contacts": "PC Jo Hart"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"convictions.0.spent": [UNKNOWN_FIELD]}  # flat, as documented
    assert Referral.objects.get(pk=world.referral.pk).disclosure_approved_at is None


def test_an_upload_with_an_unknown_form_field_is_refused_before_it_is_read(world, api_as):
    runs = ImportRun.objects.count()
    response = api_as(world.users["manager"]).post(
        "/api/v1/imports/",
        {
            "kind": "cohorts",
            "file": SimpleUploadedFile("cohorts.csv", b"slug,name\nfree,Free\n", content_type="text/csv"),
            "dryrun": "true",
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"dryrun": [UNKNOWN_FIELD]}
    assert ImportRun.objects.count() == runs


def test_cancelling_an_action_takes_only_its_version(world, api_as):
    action = world.case.actions.get()
    response = api_as(world.users["officer"]).post(
        f"/api/v1/actions/{action.pk}/cancel/", {"version": action.version, "done_on": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"done_on": [UNKNOWN_FIELD]}
    action.refresh_from_db()
    assert action.status == "open"


def test_an_opportunity_edit_still_takes_its_version_but_nothing_read_only(world, api_as):
    coordinator = world.users["coordinator"]
    client = api_as(coordinator)
    opportunity = client.get("/api/v1/opportunities/").json()["results"][0]
    url = f"/api/v1/opportunities/{opportunity['id']}/"

    refused = client.patch(url, {"version": opportunity["version"], "employer_name": "Renamed"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"employer_name": [READ_ONLY_FIELD]}

    changed = client.patch(url, {"version": opportunity["version"], "status": "filled"}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["status"], changed.json()["version"]) == ("filled", opportunity["version"] + 1)


def test_valid_bodies_are_unaffected(world, api_as):
    case = world.case
    response = api_as(world.users["officer"]).patch(
        f"/api/v1/cases/{case.pk}/", {"version": case.version, "status": "paused"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case.pk).status == "paused"


@pytest.mark.parametrize(("name", "method"), WRITE_ENDPOINTS, ids=[f"{m.upper()} {n}" for n, m in WRITE_ENDPOINTS])
def test_every_write_endpoint_refuses_a_field_it_does_not_take(world, api, name, method):
    pattern = next(p for route_name, p in _v1_routes() if route_name == name and "format" not in _route_kwargs(p))
    rule = _rule(pattern, method)  # None only for the token endpoint, which is for anonymous callers
    user = None if rule is None else next(world.users[role] for role in CAST if rule.allows(world.users[role]))
    writes = _writes_done()

    response = getattr(_as(api, user), method)(
        world.url(name, pattern), {BOGUS: "1"}, format="multipart" if name == "v1:importrun-list" else "json"
    )

    assert response.status_code == 400, (name, method, response.content)
    body = response.json()
    assert body["detail"] == "The request has errors; nothing was saved."
    assert body["errors"][BOGUS] == [UNKNOWN_FIELD], body
    assert _writes_done() == writes


# --- Every input serializer ---------------------------------------------------------------------------------------


def _request_serializers(monkeypatch) -> dict[str, type[serializers.Serializer]]:
    """Each serializer the schema documents as a /api/v1/ request body, by ``METHOD path``."""
    found: dict[str, object] = {}
    original = AutoSchema.get_operation

    def recording(self, path, path_regex, path_prefix, method, registry):
        operation = original(self, path, path_regex, path_prefix, method, registry)
        if method.lower() in WRITES and path.startswith("/api/v1/"):
            found[f"{method} {path}"] = self.get_request_serializer()
        return operation

    monkeypatch.setattr(AutoSchema, "get_operation", recording)
    SchemaGenerator().get_schema(request=None, public=True)
    classes = {}
    for where, serializer in found.items():
        for one in serializer.values() if isinstance(serializer, dict) else [serializer]:
            if one is not None:
                classes[where] = one if isinstance(one, type) else type(one)
    return classes


def _with_nested(serializer_class: type[serializers.Serializer]) -> set[type[serializers.Serializer]]:
    found = {serializer_class}
    for field in serializer_class().fields.values():
        child = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(child, serializers.Serializer) and not field.read_only:
            found |= _with_nested(type(child))
    return found


def test_every_input_serializer_refuses_unknown_and_read_only_fields(monkeypatch, officer):
    documented = _request_serializers(monkeypatch)
    assert len(documented) >= 35, sorted(documented)  # the walk found the write endpoints
    classes = set().union(*(_with_nested(cls) for cls in documented.values()))
    context = {"request": SimpleNamespace(user=officer, method="POST")}
    for serializer_class in sorted(classes, key=lambda cls: cls.__qualname__):
        assert issubclass(serializer_class, StrictFieldsMixin), serializer_class
        read_only = sorted(name for name, field in serializer_class().fields.items() if field.read_only)
        data = {BOGUS: "1", **dict.fromkeys(read_only, "1")}
        serializer = serializer_class(data=data, context=context)
        assert not serializer.is_valid(), serializer_class
        assert serializer.errors[BOGUS] == [UNKNOWN_FIELD], serializer_class
        assert {name: serializer.errors[name] for name in read_only} == {name: [READ_ONLY_FIELD] for name in read_only}
