"""The API fuzzed against its own OpenAPI description (schemathesis), signed in with a real token as each role.

Every operation in ``/api/schema/`` is called with requests generated from its description, in process through
the WSGI application (no server), against a seeded world where every list has rows for the role asking. Checks:

- no 500 (``not_a_server_error``);
- every status code is one the operation documents, with the documented content type and a body that fits the
  documented schema (``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``);
- nothing from an object out of the role's reach: the seeded world includes another scheme's person, case and
  records, and another employer's Gateway rows, each carrying a marker word, and no response may contain a
  marker the role must not see (the path parameters are drawn from the seeded ids, these included, as well as
  made-up ones, so the fuzzer asks for them by name).

Each generated request runs in a savepoint rolled back afterwards, so every request meets the same seeded world
(a fuzzed sign-out does not end the run's token) and a write does not change what the next request sees.

Bounded and reproducible for CI: ``FUZZ_EXAMPLES`` valid requests and half as many invalid ones for each operation
the role's rule admits, ``REFUSED_EXAMPLES`` for the others (each is the same 403); derandomised (the same requests
every run), no shrinking (a failure is reported as found, with a curl command repeating it), no example database, no
deadline. The whole run takes about three minutes on two cores.

One test per role drives schemathesis' strategies and checks for every operation itself, rather than through
``schemathesis.pytest.from_fixture``, whose per-operation subtests fail on pytest 9 (they rename the test item
through an attribute pytest 9 no longer has); a role's whole run then shares one seeded world, and its report lists
every failure at once.
"""

import contextlib
import datetime
import re
from collections.abc import Iterator
from typing import Any

import factory.random
import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import resolve
from django.utils import timezone
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from iom.models import Notification, OrganisationType, Role, User
from outcomes.models import ImportKind, ImportRun, ImportState
from partners.models import ServiceType
from referrals.models import PlacementEventKind, ReferralState
from tests.iom import factories
from tests.iom.factories import PASSWORD
from tests.iom.two_factor import code_for, enrolled
from tests.outcomes.factories import InterventionFactory, OffenceRecordFactory, ProgrammeFactory
from tests.partners.factories import EmployerFactory, OpportunityFactory, PledgeFactory, ServiceFactory
from tests.referrals.factories import ConsentFactory, PlacementEventFactory, PlacementFactory, ReferralFactory

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = 10
REFUSED_EXAMPLES = 2
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
ROLES = ("officer", "probation", "manager", "partner", "coordinator", "employer", "analyst", "admin")

# Marker words carried by the rows out of reach. Another scheme's personal data is out of every role's reach;
# another employer's Gateway rows are the catalogue every other Gateway reader sees, so only the employer is kept
# from them (docs/roles.md).
OTHER_SCHEME = "Quorvantis"
OTHER_EMPLOYER = "Wexcombeford"
FORBIDDEN = {role: (OTHER_SCHEME, OTHER_EMPLOYER) if role == "employer" else (OTHER_SCHEME,) for role in ROLES}


def _seed(users: dict[str, Any], case, cohort, suffolk_team, outsider_manager) -> dict[str, list[Any]]:
    """Rows for every list as each role sees it, and rows out of reach carrying the markers; their ids by kind."""
    officer, manager = users["officer"], users["manager"]
    person = case.person
    today = timezone.localdate()

    membership = factories.MembershipFactory(person=person, cohort=cohort, decided_by=manager)
    exited = factories.MembershipFactory(
        person=factories.CaseFactory(team=case.team, lead_officer=officer).person,
        cohort=cohort,
        decided_by=manager,
        exited_on=today - datetime.timedelta(days=5),
        exit_reason="Completed the programme",
        exit_decided_by=manager,
    )
    assessment = factories.AssessmentFactory(case=case, assessed_by=officer)
    action = factories.ActionFactory(case=case, owner=officer)
    note = factories.NoteFactory(case=case, author=officer)
    consent = ConsentFactory(person=person, recorded_by=officer)
    housing = ServiceFactory(organisation=users["partner"].organisation, service_type=ServiceType.HOUSING)
    referral = ReferralFactory(case=case, service=housing, state=ReferralState.SUBMITTED)
    employer = EmployerFactory(organisation=users["employer"].organisation)
    pledge = PledgeFactory(employer=employer, recorded_by=users["coordinator"])
    opportunity = OpportunityFactory(employer=employer, created_by=users["coordinator"])
    placement = PlacementFactory(
        referral__case=case, opportunity=opportunity, matched_by=users["coordinator"], started_on=today
    )
    PlacementEventFactory(placement=placement, kind=PlacementEventKind.INTERVIEW, recorded_by=users["employer"])
    intervention = InterventionFactory(case=case, programme=ProgrammeFactory(), recorded_by=officer)
    OffenceRecordFactory(person=person, conviction=True)
    imported = ImportRun.objects.create(
        kind=ImportKind.PEOPLE, filename="people.csv", state=ImportState.SUCCEEDED, uploaded_by=manager
    )
    for user in users.values():
        Notification.objects.create(user=user, kind="fuzz", title="Something to read", link="/")

    # Out of reach: another scheme's person and records, another employer's Gateway rows.
    suffolk_officer = factories.UserFactory(
        username="suffolkofficer", role=Role.IOM_OFFICER, organisation=officer.organisation, teams=[suffolk_team]
    )
    far_case = factories.CaseFactory(
        team=suffolk_team, lead_officer=suffolk_officer, person__last_name=OTHER_SCHEME, person__first_name="Ada"
    )
    far_cohort = factories.CohortFactory(slug="far-fixed", name="Far Fixed", scheme=suffolk_team.scheme)
    far_membership = factories.MembershipFactory(
        person=far_case.person, cohort=far_cohort, decided_by=outsider_manager, exit_reason=""
    )
    far_housing = factories.OrganisationFactory(name="Far Housing", type=OrganisationType.HOUSING)
    far_referral = ReferralFactory(
        case=far_case,
        service=ServiceFactory(organisation=far_housing, service_type=ServiceType.HOUSING),
        state=ReferralState.SUBMITTED,
        reason=f"Housing for {OTHER_SCHEME}",
    )
    far_employer = EmployerFactory(organisation__name=f"{OTHER_EMPLOYER} Ltd")
    far_placement = PlacementFactory(
        referral__case=far_case,
        opportunity=OpportunityFactory(employer=far_employer, title=f"{OTHER_EMPLOYER} porter"),
        matched_by=outsider_manager,
    )
    return {
        "people": [person.pk, far_case.person_id],
        "cases": [case.pk, far_case.pk],
        "assessments": [
            assessment.pk,
            factories.AssessmentFactory(case=far_case, assessed_by=suffolk_officer, notes=OTHER_SCHEME).pk,
        ],
        "actions": [action.pk, factories.ActionFactory(case=far_case, owner=suffolk_officer).pk],
        "notes": [note.pk, factories.NoteFactory(case=far_case, author=suffolk_officer, text=OTHER_SCHEME).pk],
        "memberships": [membership.pk, exited.pk, far_membership.pk],
        "cohorts": [cohort.slug, far_cohort.slug],
        "consents": [consent.pk, ConsentFactory(person=far_case.person, recorded_by=suffolk_officer).pk],
        "referrals": [referral.pk, placement.referral_id, far_referral.pk, far_placement.referral_id],
        "placements": [placement.pk, far_placement.pk],
        "employers": [employer.pk, far_employer.pk],
        "pledges": [pledge.pk, PledgeFactory(employer=far_employer).pk],
        "opportunities": [opportunity.pk, far_placement.opportunity_id],
        "interventions": [intervention.pk, InterventionFactory(case=far_case, recorded_by=suffolk_officer).pk],
        "imports": [imported.pk],
    }


@pytest.fixture
def world(all_roles, case, cohort, suffolk_team, outsider_manager):
    """The seeded rows, with the same names and sentences every run (the tests after it get their random back)."""
    state = factory.random.get_random_state()
    factory.random.reseed_random("iom-fuzz")
    try:
        yield _seed(all_roles, case, cohort, suffolk_team, outsider_manager)
    finally:
        factory.random.set_random_state(state)


def signed_in_token(user) -> str:
    """A token got as a client gets one: password and a code from the user's authenticator app."""
    device, _ = enrolled(user)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, "otp": code_for(device)}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@contextlib.contextmanager
def in_process_requests() -> Iterator[None]:
    """Requests through the WSGI handler inside the test's transaction: as Django's test client does, the
    handler must not close the connection at the end of each request (it would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _kind(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/", 1)[0]


def load_schema(world: dict[str, list[Any]]):
    with in_process_requests():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Half the time, each identifier is one of the seeded rows (in reach or not) instead of a made-up one."""
        known = world.get(_kind(context.operation.path), [])
        if not path_parameters or not known:
            return st.just(path_parameters)
        name = next(iter(path_parameters))
        return st.one_of(
            st.just(path_parameters), st.sampled_from(known).map(lambda value: {**path_parameters, name: value})
        )

    return schema


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _settings(examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],  # no shrinking: every failure is kept
        suppress_health_check=list(hypothesis.HealthCheck),
    )


def rule_allows(operation, user) -> bool:
    """Whether the rule guarding ``operation`` (its view's ``action_rules``) lets ``user`` in at all."""
    view = resolve(PATH_PARAMETER.sub("1", operation.path)).func
    method = operation.method.lower()
    actions = getattr(view, "actions", None)  # a viewset's route: method -> action
    rule = getattr(view.cls, "action_rules", {}).get(actions[method] if actions else method)
    return rule is None or rule.allows(user)


PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def _describe(failure: Failure) -> str:
    first = (failure.message or "").strip().splitlines()[:1]
    return f"{type(failure).__name__}: {failure.title}" + (f" ({first[0][:120]})" if first else "")


def _checking(check, operation):
    """``check`` for ``operation``, as a function of the generated case alone (what ``@given`` takes)."""

    def run(case) -> None:
        check(operation, case)

    return run


def fuzz(schema, *, user, role: str, token: str) -> tuple[dict[str, str], int]:
    """Every operation with positive and negative examples; the failures found (one per operation and kind, with a
    command that repeats it) and how many requests were made.

    An operation the role's rule refuses is asked only ``REFUSED_EXAMPLES`` times (each is the same 403, decided
    before the request is read); the others ``FUZZ_EXAMPLES`` times, and half as many with invalid data.
    """
    failures: dict[str, str] = {}
    requests = 0
    headers = {"Authorization": f"Token {token}"}

    def check(operation, case) -> None:
        nonlocal requests
        requests += 1
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        try:
            case.validate_response(response, checks=CHECKS)
            found = []
        except FailureGroup as group:
            found = [_describe(failure) for failure in group.exceptions]
        except Failure as failure:
            found = [_describe(failure)]
        found += [f"OutOfReach: {marker}" for marker in FORBIDDEN[role] if marker in response.text]
        for title in found:
            failures.setdefault(f"{operation.label} {title}", case.as_curl_command(headers=headers))

    for result in schema.get_all_operations():
        operation = result.ok()
        allowed = rule_allows(operation, user)
        budgets = {POSITIVE: FUZZ_EXAMPLES, NEGATIVE: FUZZ_EXAMPLES // 2} if allowed else {POSITIVE: REFUSED_EXAMPLES}
        for mode, examples in budgets.items():
            run = _settings(examples)(
                hypothesis.given(case=operation.as_strategy(generation_mode=mode))(_checking(check, operation))
            )
            with in_process_requests(), contextlib.suppress(hypothesis.errors.Unsatisfiable):
                run()  # Unsatisfiable: no invalid request exists (an operation without parameters or body)
    return failures, requests


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_keeps_to_its_schema(role, settings, world, all_roles, capsys):
    settings.TWO_FACTOR_REQUIRED = True
    user = all_roles[role]
    failures, requests = fuzz(load_schema(world), user=user, role=role, token=signed_in_token(user))
    with capsys.disabled():
        print(f"\nschema fuzz as {role}: {requests} requests, {len(failures)} failures")
    assert failures == {}, "\n".join(f"{key}\n    {command}" for key, command in sorted(failures.items()))


def test_the_fuzz_reports_a_row_shown_out_of_reach(settings, world):
    """The control: the same fuzz, signed in as the other scheme's officer (who does see its rows) but held to what
    a Norfolk officer may see, reports the marker; so the path parameters do reach the seeded rows out of reach."""
    settings.TWO_FACTOR_REQUIRED = True
    suffolk_officer = User.objects.get(username="suffolkofficer")
    schema = load_schema(world).include(method="GET", path="/api/v1/notes/{id}/")

    failures, _ = fuzz(schema, user=suffolk_officer, role="officer", token=signed_in_token(suffolk_officer))

    assert list(failures) == [f"GET /api/v1/notes/{{id}}/ OutOfReach: {OTHER_SCHEME}"]
