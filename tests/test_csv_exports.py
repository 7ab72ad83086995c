"""Every CSV export of the URLconf defuses each of the six characters that make a spreadsheet cell a formula
(OWASP ASVS 5.0 V1.2.10; iom/csv_export.py): ``=``, ``+``, ``-``, ``@``, a tab and a carriage return.

The exports are found, not listed by hand: the API routes whose view is a ``CsvExportMixin`` and the pages whose
view writes ``text/csv``; each must have an entry in ``EXPORTS`` saying where text from the database reaches its
cells. There, six rows each carry a value starting with one of the six characters, written straight into the
database (past the forms' and imports' own checks, as a legacy or tampered value would be); the export must show
each with a leading ``'`` and nothing else changed. The metric exports whose every text cell is a code or a label
the service writes (``value`` is a quarter or an offence category) are checked for the rule on every cell
instead. And on every export, no cell starts with one of the six unless it is a plain number (``-3.2``).

The NUL character, also defused, cannot be stored in a PostgreSQL text column; the rule itself is checked for it in
tests/api/test_api_csv_injection.py.
"""

import csv
import datetime
import inspect
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from api.exports import CsvExportMixin
from iom.models import Cohort, District, Person, Role
from iom.policy import RULES
from outcomes.models import MetricKind, MetricSnapshot, PlanMeasure, PlanObjective
from partners.models import Employer
from tests.hostile_input import build_cast, module_transaction
from tests.iom import factories
from tests.outcomes.factories import OffenceRecordFactory
from tests.partners.factories import GatewayEmployerFactory, GatewayOpportunityFactory, GatewayServiceFactory
from tests.test_access_matrix import API, PAGES, ROLES, ROUTES, Route
from tests.web.gateway_fixtures import Gateway

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Six formulas, one per leading character, each within 20 characters (the shortest column they are put in).
FORMULAS = tuple(f"{trigger}1+cmd|' /C calc'!A0" for trigger in TRIGGERS)
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Export:
    """Where hostile text reaches an export's cells.

    ``plant`` writes ``formulas`` (one to a row) and gives what to add to ``query`` to fetch them, in one request or
    one each; ``column`` is the column they come out in. No ``plant``: no text from the database reaches a cell
    (every one is a figure, a code or a label the service writes).
    """

    query: str
    column: str = ""
    plant: Callable[["World"], list[dict[str, str]]] | None = None
    formulas: tuple[str, ...] = FORMULAS


@dataclass
class World:
    users: dict
    cohort: Cohort


def _plant_districts(world: World) -> list[dict[str, str]]:
    for person, district in zip(Person.objects.order_by("pk"), FORMULAS, strict=False):
        Person.objects.filter(pk=person.pk).update(district=district)
    return [{}]


def _plant_plan_titles(world: World) -> list[dict[str, str]]:
    for measure, title in zip(PlanMeasure.objects.order_by("position", "pk"), FORMULAS, strict=False):
        PlanMeasure.objects.filter(pk=measure.pk).update(title=title)
    PlanObjective.objects.update(title=FORMULAS[0])
    return [{}]


def _plant_sectors(world: World) -> list[dict[str, str]]:
    for employer, sector in zip(Employer.objects.order_by("pk"), FORMULAS, strict=True):
        Employer.objects.filter(pk=employer.pk).update(sector=sector)
    return [{}]


# A snapshot's cohort is asked for by its slug, trimmed like every parameter: a slug starting with a tab or a carriage
# return cannot be asked for, so cannot reach the export.
SNAPSHOT_FORMULAS = tuple(formula for formula in FORMULAS if not formula[0].isspace())


def _plant_snapshot_cohorts(world: World) -> list[dict[str, str]]:
    """Six cohorts whose slugs are the formulas, each with a snapshot: asked for one at a time."""
    for formula in SNAPSHOT_FORMULAS:
        factories.CohortFactory(slug=formula, name=formula, scheme=world.cohort.scheme)
        MetricSnapshot.objects.create(
            metric=MetricKind.QUARTERLY, cohort_slug=formula, taken_on=datetime.date(2026, 1, 1), figures={}
        )
    return [{"cohort": formula} for formula in SNAPSHOT_FORMULAS]


# Route name -> where hostile text reaches its cells.
EXPORTS: dict[str, Export] = {
    "v1:metrics-reoffending": Export(
        "index_from=2016-01-01&index_to=2017-12-31&format=csv", column="value", plant=_plant_districts
    ),
    "v1:metrics-reoffending-quarterly": Export("from_quarter=2016Q1&to_quarter=2017Q4&format=csv"),
    "v1:metrics-pre-post": Export("cohort=fixed&format=csv"),
    "v1:metrics-snapshots": Export(
        "metric=quarterly&format=csv", column="cohort", plant=_plant_snapshot_cohorts, formulas=SNAPSHOT_FORMULAS
    ),
    "v1:plan": Export("format=csv", column="title", plant=_plant_plan_titles),
    "v1:plan-framework": Export("format=csv", column="title", plant=_plant_plan_titles),
    "gateway-csv": Export("", column="group", plant=_plant_sectors),
}


def _writes_csv(route: Route) -> bool:
    callback = resolve(route.path).func
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if route.is_api:
        return isinstance(view, type) and issubclass(view, CsvExportMixin)
    return "text/csv" in inspect.getsource(callback)


CSV_ROUTES = [route for route in ROUTES if route.method == "GET" and _writes_csv(route)]


def test_every_csv_export_is_found_and_has_an_entry():
    assert {route.name for route in CSV_ROUTES} == set(EXPORTS)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """Eight measurable people (cautioned in 2016, members of ``fixed``) and six employers with a placement each."""
    with module_transaction(django_db_blocker):
        team = factories.TeamFactory(name="Norwich IOM", scheme=factories.SchemeFactory(name="Norfolk IOM"))
        users = build_cast(team)
        cohort = factories.CohortFactory(slug="fixed", name="Fixed", scheme=team.scheme)
        for day in range(8):
            case = factories.CaseFactory(team=team, lead_officer=users["officer"])
            OffenceRecordFactory(person=case.person, offence_date=datetime.date(2016, 3, 1 + day))
            factories.MembershipFactory(person=case.person, cohort=cohort, adopted_on=datetime.date(2015, 1, 1))
        gateway = Gateway(
            officer=users["officer"], coordinator=users["coordinator"], team=team,
            service=GatewayServiceFactory(organisation=users["coordinator"].organisation),
        )  # fmt: skip
        for number in range(6):
            organisation = factories.OrganisationFactory(name=f"Employer {number}", type="employer")
            employer = GatewayEmployerFactory(organisation=organisation)
            employer_user = factories.UserFactory(role=Role.EMPLOYER, organisation=organisation)
            opportunity = GatewayOpportunityFactory(employer=employer, created_by=users["coordinator"])
            gateway.started(opportunity, days_ago=20, employer_user=employer_user)
        Person.objects.update(district=District.NORWICH)
        yield World(users=users, cohort=cohort)


def _fetch(world: World, route: Route, query: str) -> list[dict[str, str]]:
    rule = RULES[API[route.name]["GET"] if route.is_api else PAGES[route.name]]
    user = next(world.users[role] for role in ROLES if rule.allows(world.users[role]))
    client = APIClient() if route.is_api else Client()
    client.force_login(user)
    response = client.get(f"{route.path}?{query}" if query else route.path)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def _unsafe_cells(rows: list[dict[str, str]]) -> list[str]:
    return [
        cell
        for row in rows
        for cell in [*row, *row.values()]
        if cell and cell.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(cell)
    ]


@pytest.mark.parametrize("route", CSV_ROUTES, ids=lambda route: route.name)
def test_an_export_defuses_every_cell_a_spreadsheet_would_run(world, route):
    export = EXPORTS[route.name]
    written: set[str] = set()
    for extra in export.plant(world) if export.plant else [{}]:
        rows = _fetch(world, route, "&".join(filter(None, [export.query, urlencode(extra)])))
        assert rows, "the export has no rows to check"
        assert not _unsafe_cells(rows), _unsafe_cells(rows)[:5]
        written |= {row[export.column] for row in rows} if export.column else set()
    if export.plant is not None:
        assert {"'" + formula for formula in export.formulas} <= written, sorted(written)
