"""Hostile text on every page: HTML and script in every free-text field come out escaped wherever they are shown,
malformed values in every page's query parameters and ids are a form error, a 400 or a 404, never a 500, and an
upload too large or not UTF-8 CSV is refused with nothing written (issue 12 §5 "Bad input"; OWASP ASVS 5.0 V1.2.1,
V3.2.2, V5.2.1, V5.2.2).

The test is generated, so a new field, model or page cannot slip past:

1. **The fields.** Every ``CharField`` and ``TextField`` of the domain apps' models (``apps.get_models()``) that a
   person or an import can fill in: not a choice, a slug, a code with its own format (``NOT_FREE_TEXT`` names each
   with its reason), and editable. Each gets its own payload (``payload``): markup that would run if it were not
   escaped, numbered so the test can tell which field a page shows; a shorter one where the column is short, an
   email-shaped one for an email address.
2. **The world.** One of everything (``world``): a person with a case, its pathways, actions, notes, grants,
   cohorts, consent, a housing referral and a Gateway placement, interventions, offence records, the Plan, imports,
   notifications, invitations, access changes, records opened outside a team, subject access exports, retention
   decisions and audit entries. Then every row of every model has each free-text field set to its payload; a model
   with free text but no row in the world fails ``test_every_model_with_free_text_has_a_row_in_the_world``.
3. **The pages.** Every GET page of the URLconf (tests/test_access_matrix.py ``ROUTES``) as every role its rule
   admits (one of each kind of user for the pages every signed-in user has), for each object of the kind its path
   names (tests/test_idor_sweep.py ``KIND_OF``). Each HTML answer must
   carry no payload as markup: no element or attribute the payloads add, nothing tests/web/security/inline_code.py
   calls inline code. Each payload a page shows must appear in its text or an attribute value, which an HTML parser
   only yields for escaped markup; every field must be shown escaped on some page, or be in ``NOT_ON_PAGES`` with a
   reason.
4. **The parameters.** Each page's own GET forms name its query parameters, and the view's form says what each
   reads (a date, an id, a code, text); each is sent the values ``WEB_MALFORMED`` gives its kind, 10,000
   characters, a NUL and markup: the page answers 200 (with the form's error) or 400, never a 500, and shows what
   was sent escaped. An id in a path larger than any column holds is the 404 page.
5. **Uploads.** An import file one byte over the documented limit, of another type, not UTF-8 or holding a NUL,
   and a request over Django's own limits: refused with the reason, and no run recorded.

Templates escape by default; the only ``autoescape off`` blocks are the plain-text emails (never HTML), ``json_script``
escapes for a ``<script type="application/json">`` data block, and no Python code marks user text safe
(``test_nothing_marks_user_text_safe``).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.test.utils import ContextList
from django.utils import timezone
from guardian.shortcuts import assign_perm
from knox.models import AuthToken

from iom import services as iom_services
from iom.audit import audit_record
from iom.models import (
    AccessChange,
    AuditAction,
    BreakGlassAccess,
    Invitation,
    Notification,
    Role,
    Sensitivity,
    SubjectAccessExport,
)
from iom.policy import RULES
from iom.services import staff
from outcomes import financial_years
from outcomes.models import ImportKind, ImportRun, ImportState, PlanActual, PlanMeasure
from outcomes.models.retention import RetentionDecision, RetentionSchedule
from outcomes.services import imports
from referrals import services as referral_services
from referrals.models import ReferralState
from tests.hostile_input import HUGE, LONG, NUL, SCRIPT, build_cast, module_transaction
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory, OffenceRecordFactory, ProgrammeFactory
from tests.partners.factories import (
    GatewayEmployerFactory,
    GatewayOpportunityFactory,
    GatewayServiceFactory,
    PledgeFactory,
    ServiceFactory,
)
from tests.test_access_matrix import PAGES, ROUTES, Route
from tests.test_idor_sweep import KIND_OF
from tests.web.gateway_fixtures import Gateway
from tests.web.security.inline_code import inline_code_in

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("iom", "partners", "referrals", "outcomes")
# Text columns nobody types free text into, with the reason; every other text column is free text.
NOT_FREE_TEXT = {
    "iom.User.password": "a password hash",
    "iom.User.username": "a sign-in name: letters, digits and @ . + - _ (Django's username validator)",
    "iom.AuditEvent.username": "copied from the account by the audit service",
    "iom.AuditEvent.object_type": "written by the audit service",
    "iom.AuditEvent.object_id": "written by the audit service",
    "iom.AuditEvent.request_id": "written by the request middleware",
    "iom.Person.pnc_id": "a PNC ID, checked against its format and check letter",
    "iom.Person.crn": "a CRN, checked against its format",
    "iom.Notification.kind": "a code the service sets",
    "iom.Notification.link": "a path the service builds",
    "iom.Notification.dedupe_key": "a key the service builds",
    "iom.OutboxMessage.task_name": "background machinery: a task's name",
    "iom.OutboxMessage.last_error": "background machinery: the broker's error, never shown",
    "referrals.DisclosedConviction.offence_category": "a code the disclosure service checks",
    "referrals.DisclosedConviction.sentence_type": "a code the disclosure service checks",
    "outcomes.ImportRun.via": "where an upload came from: page, api or command",
    "outcomes.MetricSnapshot.cohort_slug": "a cohort's slug",
    "outcomes.CrimeUnitCost.price_year": "a financial year, such as 2015/16",
    "outcomes.RetentionSchedule.group_category": "an offence category code the nightly task sets",
    "outcomes.RetentionSchedule.last_activity_source": "the kind of record the nightly task found, a code",
    "outcomes.RetentionSchedule.active_reason": "the kind of active management the nightly task found, a code",
}
# Free-text fields no page shows, with the reason (they still carry their payload through every page).
NOT_ON_PAGES = {
    "iom.Scheme.force_area": "reference data about a scheme; pages name the scheme only",
    "iom.PathwayAssessment.notes": "the person page shows each pathway's need and RAG; the notes are in the API",
    "iom.AuditEvent.justification": "the audit page shows who, what, when and the record; the reason is in the API",
    "partners.Service.eligibility": "reference data kept in django-admin; the referral form names the service only",
    "referrals.Consent.withdrawal_reason": "the person page says consent was withdrawn and when; the reason is audited",
    "iom.SubjectAccessExport.error": "the failed build's message is for the logs; the page says the build failed",
    "outcomes.CrimeUnitCost.source": "reference data read by the metrics; no page lists the unit costs",
}


def _label(model: type[models.Model], name: str) -> str:
    return f"{model._meta.label}.{name}"


def free_text_fields() -> list[models.Field]:
    """Every text column of the domain apps' models that a person or an import fills in with free text."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        for column in model._meta.concrete_fields:
            if not isinstance(column, models.CharField | models.TextField) or isinstance(column, models.SlugField):
                continue
            if column.choices or not column.editable or _label(model, column.name) in NOT_FREE_TEXT:
                continue
            found.append(column)
    return found


FREE_TEXT = free_text_fields()
NUMBER = {_label(column.model, column.name): index for index, column in enumerate(FREE_TEXT, start=1)}


def payload(column: models.Field) -> str:
    """The field's own hostile text: breaks out of an attribute and a textarea, then opens a script and an image
    whose error handler runs; numbered so a page showing it says which field it shows."""
    n = NUMBER[_label(column.model, column.name)]
    if isinstance(column, models.EmailField):
        return f"o'neil&co+{n}@example.org"  # what an address may hold of the markup characters
    long = f"\"'></textarea><script>alert({n})</script><img src=x onerror=alert({n})>&"
    short = f"\"'><b onclick=alert({n})>&"
    room = (column.max_length or 10_000) - (8 if column.unique else 0)  # a unique column takes the row's id too
    text = long if len(long) <= room else short
    assert len(text) <= room, f"{column} is too short for a payload"
    return text


# Markup the payloads would add to a page if it were not escaped.
UNESCAPED = re.compile(r"<script>alert\(|<img src=x|<b onclick=|onerror=alert\(\d+\)>")


# --- The world ---------------------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    objects: dict[str, list[str]] = field(default_factory=dict)  # a kind (tests/test_idor_sweep.py) -> path values
    measure_code: str = ""
    actual_period: str = ""
    invitation_token: str = ""


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _build(users: dict, norwich, yarmouth) -> World:
    officer, probation, manager = users["officer"], users["probation"], users["manager"]
    coordinator, employer, partner = users["coordinator"], users["employer"], users["partner"]
    officer2 = users["officer2"]
    flag = factories.FlagFactory(code="night-time-economy", name="Night-time economy")
    case = factories.CaseFactory(team=norwich, lead_officer=officer, offender_manager=probation)
    person = case.person
    person.aliases = "alias"
    person.save()
    person.flags.add(flag)
    cohort = factories.CohortFactory(slug="fixed", name="Fixed", scheme=norwich.scheme, description="Neighbourhood")
    exited = iom_services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days(-300))
    iom_services.membership_exit(acting_user=officer, membership=exited, exited_on=days(-200), exit_reason="Moved")
    flex = factories.CohortFactory(slug="flex", name="Flex", scheme=norwich.scheme)
    current = iom_services.membership_adopt(acting_user=officer, person=person, cohort=flex, adopted_on=days(-100))
    assessment = factories.AssessmentFactory(case=case, assessed_by=officer, notes="Needs a tenancy")
    action = factories.ActionFactory(case=case, owner=officer, description="Find a hostel place", due_on=days(-3))
    factories.NoteFactory(case=case, author=officer, text="Restricted detail", sensitivity=Sensitivity.RESTRICTED)
    note = factories.NoteFactory(case=case, author=probation, text="Office visit")
    iom_services.case_grant(acting_user=officer, case=case, grantee=officer2, permission="view_case", reason="Cover")
    assign_perm("view_case", officer2, case)
    OffenceRecordFactory(person=person, record_id="REC-1")
    intervention = InterventionFactory(case=case, programme=ProgrammeFactory(name="Drug treatment"))

    # Consent, a housing referral the partner works, withdrawn consent
    housing = ServiceFactory(organisation=partner.organisation, name="Tenancy sustainment", eligibility="Adults")
    consent = referral_services.consent_record(
        acting_user=officer,
        person=person,
        shared_information="Name and needs",
        method="written",
        given_on=days(-30),
        scope_service_type="housing",
    )
    referral = referral_services.referral_create(
        acting_user=officer, case=case, service=housing, reason="Homeless", shared_information="Name"
    )
    referral_services.referral_transition(acting_user=officer, referral=referral, to_state=ReferralState.SUBMITTED)
    referral_services.referral_transition(
        acting_user=partner, referral=referral, to_state=ReferralState.ACCEPTED, reason="Room available"
    )
    referral_services.referral_add_update(acting_user=partner, referral=referral, text="Viewing booked")
    withdrawn = referral_services.consent_record(
        acting_user=officer,
        person=person,
        shared_information="Name",
        method="verbal",
        given_on=days(-60),
        scope_organisation=partner.organisation,
        scope_service_type="",
    )
    referral_services.consent_withdraw(acting_user=officer, consent=withdrawn, reason="Changed mind")

    # Gateway to Employment: an employer with a pledge, an opportunity, a started placement, one referral to match
    anglia = GatewayEmployerFactory(organisation=employer.organisation, contact_name="Ann", contact_phone="01603")
    PledgeFactory(employer=anglia, signed_by="Ann", recorded_by=coordinator)
    opportunity = GatewayOpportunityFactory(employer=anglia, title="Care assistant", created_by=coordinator)
    gateway = Gateway(
        officer=officer, coordinator=coordinator, service=GatewayServiceFactory(organisation=coordinator.organisation),
        team=norwich,
    )  # fmt: skip
    placement = gateway.started(opportunity, days_ago=30, employer_user=employer, case=case)
    to_match = gateway.referral(case)

    # The Plan, imports, notifications, staff, tokens, openings, exports, retention, audit
    measure = PlanMeasure.objects.filter(computed="").order_by("position").first()
    PlanActual.objects.create(
        measure=measure, period=measure.period_to, value=Decimal(10), entered_by=manager, note="From the survey"
    )
    run = ImportRun.objects.create(
        kind=ImportKind.COHORTS, filename="cohorts.csv", uploaded_by=manager, via="page", state=ImportState.FAILED,
        errors=[f"row 2, column name: text (found {SCRIPT!r})"], error_count=1,
    )  # fmt: skip
    Notification.objects.create(user=officer, kind="action_overdue", title="Overdue", body="Chase it", link="/")
    token = "a-known-invitation-token"
    Invitation.objects.create(
        email="new@example.org", first_name="New", last_name="Starter", role=Role.IOM_OFFICER,
        organisation=officer.organisation, token_digest=staff._digest(token), invited_by=manager,
        sent_at=timezone.now(), expires_at=timezone.now() + datetime.timedelta(days=3),
    )  # fmt: skip
    change = AccessChange.objects.create(user=officer2, role=Role.IOM_OFFICER, reason="Moving", requested_by=manager)
    change.teams.set([norwich])
    api_token, _secret = AuthToken.objects.create(user=officer)
    opened = BreakGlassAccess.objects.create(
        user=users["outsider"], person=person, case=case, reason="Arrested overnight in Ipswich",
        expires_at=timezone.now() + datetime.timedelta(hours=12),
        reviewed_by=manager, reviewed_at=timezone.now(), review="appropriate", review_note="Fine",
    )  # fmt: skip
    export = SubjectAccessExport.objects.create(person=person, requested_by=manager, reason="Letter of 1 May")
    _retention_rows(person=person, manager=manager)
    audit_record(user=manager, action=AuditAction.VIEW, obj=person, justification="Checking the record")

    return World(
        users=users,
        objects={
            "person": [str(person.pk)],
            "case": [str(case.pk)],
            "action": [str(action.pk)],
            "note": [str(note.pk)],
            "assessment": [str(assessment.pk)],
            "membership": [str(current.pk), str(exited.pk)],
            "cohort": [cohort.slug, flex.slug],
            "consent": [str(consent.pk)],
            "referral": [str(referral.pk), str(placement.referral_id), str(to_match.pk)],
            "placement": [str(placement.pk)],
            "employer": [str(anglia.pk)],
            "opportunity": [str(opportunity.pk)],
            "intervention": [str(intervention.pk)],
            "staff": [str(officer2.pk), str(officer.pk)],
            "access_change": [str(change.pk)],
            "token": [api_token.token_key],
            "import_run": [str(run.pk)],
            "break_glass": [str(opened.pk)],
            "subject_access_export": [str(export.pk)],
        },
        measure_code=measure.code,
        actual_period=financial_years.code(measure.period_to),
        invitation_token=token,
    )


def _retention_rows(*, person, manager) -> None:
    """A retention schedule and a decision to retain (outcomes/models/retention.py), written as the service would."""
    RetentionSchedule.objects.create(
        person=person, group=3, last_activity_on=days(-400), last_activity_source="case_note",
        next_review_on=days(-1), computed_at=timezone.now(),
    )  # fmt: skip
    RetentionDecision.objects.create(
        person=person, decision="retain", decided_by=manager, reason="Still relevant", next_review_on=days(365),
        group=3, last_activity_on=days(-400), due_on=days(-1),
    )  # fmt: skip


def _fill_every_free_text_field() -> None:
    """Every row of every model gets each free-text field's payload (unique columns a payload and the row's id)."""
    for column in FREE_TEXT:
        model = column.model
        if model._meta.label == "iom.AuditEvent":
            continue  # append-only: its free text is written with new rows below
        if column.unique:
            for pk in model._base_manager.values_list("pk", flat=True):
                model._base_manager.filter(pk=pk).update(**{column.name: f"{payload(column)} {pk}"})
        else:
            model._base_manager.update(**{column.name: payload(column)})
    justification = next(
        column for column in FREE_TEXT if _label(column.model, column.name) == "iom.AuditEvent.justification"
    )
    person = apps.get_model("iom", "Person").objects.first()
    for user in apps.get_model("iom", "User").objects.filter(username__in=("manager", "officer")):
        audit_record(user=user, action=AuditAction.VIEW, obj=person, justification=payload(justification))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with module_transaction(django_db_blocker):
        norfolk = factories.SchemeFactory(name="Norfolk IOM")
        norwich = factories.TeamFactory(name="Norwich IOM", scheme=norfolk)
        yarmouth = factories.TeamFactory(name="Great Yarmouth IOM", scheme=norfolk)
        users = build_cast(norwich)
        police = users["officer"].organisation
        users["officer2"] = factories.UserFactory(
            username="officer2", role=Role.IOM_OFFICER, organisation=police, teams=[yarmouth]
        )
        suffolk = factories.TeamFactory(name="Ipswich IOM", scheme=factories.SchemeFactory(name="Suffolk IOM"))
        users["outsider"] = factories.UserFactory(
            username="suffolkofficer", role=Role.IOM_OFFICER, organisation=police, teams=[suffolk]
        )
        built = _build(users, norwich, yarmouth)
        _fill_every_free_text_field()
        yield built


# --- Reading a page ----------------------------------------------------------------------------------------------


class Shown(HTMLParser):
    """The text and attribute values of a page as a reader's browser has them (entities decoded), outside scripts;
    its elements; and the fields of each GET form, by the address the form sends them to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.get_forms: list[tuple[str, list[str]]] = []
        self._skip = 0
        self._form: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        self.parts += [value for name, value in values.items() if name in ("value", "title", "alt", "aria-label")]
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "form":
            self._form = [] if values.get("method", "get").lower() == "get" else None
            if self._form is not None:
                self.get_forms.append((values.get("action", ""), self._form))
        named = self._form is not None and tag in ("input", "select", "textarea") and values.get("name")
        if named and values.get("type", "text") not in ("submit", "button", "hidden"):
            self._form.append(values["name"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def read(html: str) -> Shown:
    shown = Shown()
    shown.feed(html)
    shown.close()
    return shown


def markup_problems(html: str) -> list[str]:
    """What a payload would have added had it not been escaped: its elements and attributes, or inline code."""
    problems = [f"unescaped: {match.group(0)}" for match in UNESCAPED.finditer(html)]
    shown = read(html)
    for tag, attrs in shown.tags:
        if tag == "img" and attrs.get("src") == "x":
            problems.append("an <img src=x> element")
        if tag == "b" and "onclick" in attrs:
            problems.append("a <b onclick> element")
    return problems + inline_code_in(html)


# --- The sweep ---------------------------------------------------------------------------------------------------

# Pages that are not HTML for a person, or that end the visit, with the reason.
NOT_SWEPT = {
    "healthz": "JSON for the load balancer",
    "logout": "signs the visitor out",
    "gateway-csv": "a CSV file (tests/test_csv_exports.py)",
    "subject-access-download": "a zip file (the subject access tests)",
    "password_reset_confirm": "its path carries a secret token for one account (tests/web/account/)",
}
# Pages that cannot answer 200 to a plain visit, with why: they are still checked for server errors and markup.
NO_PLAIN_VISIT = {
    "sign-in-code": "the second step of signing in: without a sign-in in progress it sends the visitor to sign in",
    "sign-in-set-up": "setting up the app at a first sign-in: likewise (tests/web/two_factor/)",
    "case": "sends the reader to the case's section of its person's page, which is swept",
}
# Pages every signed-in user may open: each role's home differs; the others show the same to each kind of user.
EVERY_ROLE = {"home"}
ONE_OF_EACH_KIND = ("officer", "partner", "employer", "admin")
# Placeholders ``ROUTES`` puts in paths (tests/test_access_matrix.py ``KWARGS``).
PLACEHOLDER = {"pk": "999999", "slug": "no-such-cohort", "code": "no-such-measure", "period": "2016-17"}
KIND_OF_PAGE = {**KIND_OF, "import-detail": "import_run"}
PAGE_ROUTES = [route for route in ROUTES if not route.is_api and route.method == "GET" and route.name not in NOT_SWEPT]


def paths(route: Route, world: World) -> list[str]:
    """The addresses of ``route`` for the world's objects of the kind it names."""
    path = route.path
    if route.name == "invitation-accept":
        return [path.replace("no-such-token", world.invitation_token)]
    if PLACEHOLDER["code"] in path:
        path = path.replace(PLACEHOLDER["code"], world.measure_code).replace(PLACEHOLDER["period"], world.actual_period)
        return [path]
    placeholder = next(
        (value for value in (PLACEHOLDER["pk"], PLACEHOLDER["slug"], "no-such-token") if value in path), None
    )
    if placeholder is None:
        return [path]
    kind = KIND_OF_PAGE.get(route.name)
    assert kind in world.objects, f"{route.name} names a {kind!r}: add one to the world"
    return [path.replace(placeholder, value) for value in world.objects[kind]]


@dataclass
class Visit:
    route: str
    role: str | None
    path: str
    status: int
    problems: list[str]


@dataclass
class Filters:
    """A page's GET form: who saw it, where, and what kind of value each of its fields reads."""

    role: str | None
    path: str
    kinds: dict[str, str]


@dataclass
class Sweep:
    visits: list[Visit] = field(default_factory=list)
    shown: str = ""  # the text of every page, joined
    filters: dict[str, Filters] = field(default_factory=dict)  # by route name


def _kind(form_field: forms.Field | None) -> str:
    if isinstance(form_field, forms.DateField):
        return "date"
    if isinstance(form_field, forms.IntegerField):
        return "id"
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        return "code"
    if isinstance(form_field, forms.CharField):
        return "text"
    return "unknown"  # a field the template writes by hand: every malformed value


def _filters(response, path: str, role: str | None, shown: Shown) -> Filters | None:
    """The GET form that sends its fields back to this page, its fields' kinds read from the view's form."""
    names = sorted({name for action, fields in shown.get_forms if action in ("", path) for name in fields})
    if not names:
        return None
    contexts = response.context if isinstance(response.context, ContextList) else [response.context or {}]
    page_forms = [value for context in contexts for value in (context.flatten() if context else {}).values()]
    fields = {
        name: form.fields[name]
        for form in page_forms
        if isinstance(form, forms.BaseForm)
        for name in names
        if name in form.fields
    }
    return Filters(role=role, path=path, kinds={name: _kind(fields.get(name)) for name in names})


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(scope="module")
def sweep(world, django_db_blocker) -> Sweep:
    """Every page, as every role its rule admits, for every object of its kind: visited once for the module."""
    result = Sweep()
    texts = []
    with django_db_blocker.unblock():
        clients = {role: _client(world.users.get(role) if role else None) for role in (None, *world.users)}
        for route in PAGE_ROUTES:
            rule = PAGES[route.name]
            roles = [None] if rule == "public" else [r for r in world.users if RULES[rule].allows(world.users[r])]
            if rule == "signed_in" and route.name not in EVERY_ROLE:
                roles = list(ONE_OF_EACH_KIND)
            for role in roles:
                for path in paths(route, world):
                    response = clients[role].get(path)
                    problems = []
                    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                        html = response.content.decode()
                        problems = markup_problems(html)
                        shown = read(html)
                        texts.append(shown.text)
                        if route.name not in result.filters and (found := _filters(response, path, role, shown)):
                            result.filters[route.name] = found
                    result.visits.append(Visit(route.name, role, path, response.status_code, problems))
    result.shown = "\n".join(texts)
    return result


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=lambda route: route.name)
def test_no_page_carries_hostile_text_as_markup(sweep, route):
    visits = [visit for visit in sweep.visits if visit.route == route.name]
    assert visits, f"{route.name} was not visited"
    assert all(visit.status < 500 for visit in visits), [(v.role, v.path, v.status) for v in visits if v.status >= 500]
    if route.name not in NO_PLAIN_VISIT:
        assert any(visit.status == 200 for visit in visits), [(v.role, v.path, v.status) for v in visits]
    for visit in visits:
        assert not visit.problems, f"{visit.role} at {visit.path}: {visit.problems[:5]}"


def test_every_free_text_field_is_shown_escaped_on_some_page(sweep):
    missing = [
        label
        for column in FREE_TEXT
        if (label := _label(column.model, column.name)) not in NOT_ON_PAGES and payload(column) not in sweep.shown
    ]
    assert not missing, f"Shown on no page (or not escaped): {missing}"


def test_the_lists_of_exceptions_name_real_fields_and_stay_true(sweep):
    labels = {_label(column.model, column.name) for column in FREE_TEXT}
    for label in NOT_FREE_TEXT:
        app_model, name = label.rsplit(".", 1)
        apps.get_model(app_model)._meta.get_field(name)  # still a field
    assert set(NOT_ON_PAGES) <= labels
    shown_anyway = [label for label in NOT_ON_PAGES if payload(_field(label)) in sweep.shown]
    assert not shown_anyway, f"Now shown on a page: take them out of NOT_ON_PAGES: {shown_anyway}"


def _field(label: str) -> models.Field:
    app_model, name = label.rsplit(".", 1)
    return apps.get_model(app_model)._meta.get_field(name)


def test_every_model_with_free_text_has_a_row_in_the_world(world):
    empty = sorted({column.model._meta.label for column in FREE_TEXT if not column.model._base_manager.exists()})
    assert not empty, f"No row in the world, so no page shows their free text: {empty}"


# --- Query parameters of the pages -------------------------------------------------------------------------------

HOSTILE = "\"'><script>alert('q')</script><img src=x onerror=alert('q')>"
# What each kind of field cannot use; every field is also sent a 10,000-character value, a NUL and markup.
WEB_MALFORMED = {
    "date": ["2026-13-45", "yesterday", "0000-00-00", "2026-02-30", HUGE],
    "id": ["abc", "1.5", "-1", "0", HUGE, "1e9"],
    "code": ["nonsense", "-1", HUGE],
    "text": ["2026-13-45"],
    "unknown": ["nonsense", "1.5", "-1", HUGE],
    "page": ["abc", "1.5", "-1", "0", HUGE, "1e9"],
}
EVERY_FIELD = [LONG, NUL, HOSTILE]


def test_every_page_with_a_filter_form_was_found(sweep):
    """The pages whose filters are swept below: a page losing its GET form would drop out silently."""
    expected = {"people", "audit", "cohort", "gateway", "gateway-opportunities", "outcomes-dashboard", "staff"}
    assert expected <= set(sweep.filters), sorted(sweep.filters)
    assert sweep.filters["audit"].kinds == {
        "action": "code", "date_from": "date", "date_to": "date", "person": "id", "user": "text",
    }  # fmt: skip


def test_malformed_query_parameters_never_break_a_page(world, sweep):
    """Each field of each page's GET form, and ``page``: 200 with the form's error or 400, never a 500, and what
    was sent shown back escaped."""
    failures = []
    for route_name, filters in sorted(sweep.filters.items()):
        client = _client(world.users.get(filters.role) if filters.role else None)
        for name, kind in [*filters.kinds.items(), ("page", "page")]:
            for value in [*WEB_MALFORMED[kind], *EVERY_FIELD]:
                response = client.get(f"{filters.path}?{urlencode({name: value})}")
                sent = f"{route_name} {filters.path}?{name}={value[:20]!r}"
                if response.status_code not in (200, 400):
                    failures.append(f"{sent}: {response.status_code}")
                elif response["Content-Type"].startswith("text/html"):
                    problems = markup_problems(response.content.decode())
                    if problems:
                        failures.append(f"{sent}: {problems[:3]}")
    assert not failures, failures[:20]


ID_ROUTES = [route for route in PAGE_ROUTES if PLACEHOLDER["pk"] in route.path]


def test_an_id_no_row_could_have_is_a_404_on_every_page(world):
    """``<int:pk>`` takes any digits: one larger than any column holds must be the 404 page, not a 500."""
    failures = []
    for route in ID_ROUTES:
        rule = RULES[PAGES[route.name]]
        client = _client(next(user for user in world.users.values() if rule.allows(user)))
        for value in (HUGE, "0"):
            response = client.get(route.path.replace(PLACEHOLDER["pk"], value))
            if response.status_code != 404:
                failures.append(f"{route.path.replace(PLACEHOLDER['pk'], value)}: {response.status_code}")
    assert ID_ROUTES and not failures, failures


def test_a_hostile_search_is_shown_back_escaped(world):
    response = _client(world.users["officer"]).get(f"/people/?{urlencode({'q': HOSTILE})}")
    assert response.status_code == 200
    assert not markup_problems(response.content.decode())
    assert HOSTILE in read(response.content.decode()).text


# --- What the templates and code may mark safe -------------------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
# Each use of a construct that turns escaping off, with why it cannot carry user text into HTML.
SAFE_USES = {
    "web/templates/account/password_reset_email.txt": "a plain-text email, never HTML",
    "iom/templates/iom/emails/invitation.txt": "a plain-text email, never HTML",
}
UNSAFE = re.compile(r"autoescape\s+off|\|\s*safe\b|mark_safe|format_html|SafeString|\|\s*safeseq\b")


def test_nothing_marks_user_text_safe():
    found = {}
    for package in (*DOMAIN_APPS, "web", "api"):
        for source in (ROOT / package).rglob("*"):
            readable = source.suffix in (".py", ".html", ".txt") and "migrations" not in source.parts
            if readable and UNSAFE.search(source.read_text(encoding="utf-8")):
                found[str(source.relative_to(ROOT))] = True
    assert set(found) == set(SAFE_USES), f"Justify or remove: {sorted(set(found) - set(SAFE_USES))}"


# --- Uploads -----------------------------------------------------------------------------------------------------

COHORTS_CSV = b"slug,name\nfixed-2030,Fixed 2030\n"


def _upload(client: Client, content: bytes, content_type: str = "text/csv", **extra):
    upload = SimpleUploadedFile("cohorts.csv", content, content_type=content_type)
    return client.post("/imports/", {"kind": "cohorts", "file": upload, **extra})


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (COHORTS_CSV, "image/png", "The file is image/png, not a CSV file"),
        (COHORTS_CSV, "application/pdf", "The file is application/pdf, not a CSV file"),
        ("slug,name\nfixed,Café\n".encode("latin-1"), "text/csv", "byte 20 is not UTF-8"),
        (bytes(range(256)), "text/csv", "byte 129 is not UTF-8"),
        (b"slug,name\nfixed,Fi\x00xed\n", "text/csv", "byte 19 is a NUL character"),
    ],
    ids=["an-image", "a-pdf", "latin-1", "binary", "a-nul"],
)
def test_an_upload_that_is_not_utf8_csv_is_refused_with_nothing_written(world, content, content_type, message):
    runs = ImportRun.objects.count()
    response = _upload(_client(world.users["manager"]), content, content_type)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert message in read(response.content.decode()).text
    assert ImportRun.objects.count() == runs


def test_a_file_one_byte_over_the_limit_is_refused_naming_it_and_one_at_the_limit_is_taken(world, monkeypatch):
    runs = ImportRun.objects.count()
    client = _client(world.users["manager"])
    monkeypatch.setattr("outcomes.services.imports.MAX_FILE_BYTES", len(COHORTS_CSV) - 1)
    refused = _upload(client, COHORTS_CSV)
    assert refused.status_code == 200
    limit = f"{len(COHORTS_CSV) - 1} bytes"
    assert f"The file is larger than {limit}, the most one import takes" in read(refused.content.decode()).text
    assert f"at most {limit}" in read(refused.content.decode()).text  # the hint says so before uploading
    assert ImportRun.objects.count() == runs
    monkeypatch.setattr("outcomes.services.imports.MAX_FILE_BYTES", len(COHORTS_CSV))
    assert _upload(client, COHORTS_CSV).status_code == 302
    assert ImportRun.objects.count() == runs + 1


def test_the_documented_limit_is_the_one_applied():
    documented = (ROOT / "docs" / "data-formats.md").read_text(encoding="utf-8")
    limit = imports.MAX_FILE_BYTES
    assert f"at most {imports.size_text(limit)} ({limit:,} bytes)" in documented


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"dry_run": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}, "a form may send at most 2,621,440 bytes"),
        ({f"field{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}, "at most 1,000"),
    ],
    ids=["too-large", "too-many-fields"],
)
def test_a_request_over_djangos_limits_is_a_400_page_with_nothing_written(world, extra, message):
    runs = ImportRun.objects.count()
    response = _upload(_client(world.users["manager"]), COHORTS_CSV, **extra)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = read(response.content.decode()).text
    assert "The request could not be read" in text and message in text and "Nothing was saved" in text
    assert ImportRun.objects.count() == runs
