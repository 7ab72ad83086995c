"""The pages in a real browser (Chromium driven by Playwright, against the live server): the Content-Security-Policy
blocks nothing the service sends, nothing is asked of another site, and the pages' scripts still work — GOV.UK
Frontend starts (the sign-in page), the dashboard's and the Gateway's charts are drawn, an import's progress
refreshes itself, Swagger UI reads the schema and calls the API.

Chromium is Debian's (/usr/bin/chromium; .ci/run installs it). Without it these tests are skipped, except where
REQUIRE_BROWSER is set (CI), where a missing browser is a failure.
"""

import datetime
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from iom.models import District
from outcomes.models import CrimeUnitCost, ImportKind, ImportRun, ImportState, OffenceCategory
from partners.models import Sector
from tests.iom.factories import MembershipFactory, PersonFactory
from tests.outcomes.factories import OffenceRecordFactory
from tests.partners.factories import GatewayEmployerFactory, GatewayOpportunityFactory, GatewayServiceFactory
from tests.web.gateway_fixtures import Gateway

# The live server reads what the tests write, so they commit (and each test's flush empties every table).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
# Installed before any page script runs (and, like Playwright's own scripts, not subject to the page's policy).
LISTEN_FOR_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " in "
    + (event.sourceFile || "the page") + ":" + event.lineNumber);
});
"""
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER is set: install Debian's chromium", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's synchronous API keeps an event loop running in this thread, so Django would take the tests'
        # own ORM calls (their data, between page loads) for calls from async code and refuse them; and they get
        # database connections of their own, closed here before the loop stops (or the test database could not
        # be dropped at the end).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            yield browser
            browser.close()
            connections.close_all()


@dataclass
class Tab:
    """A page opened as a user, with everything the browser objected to while it ran."""

    page: Page
    origin: str
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        violations = self.page.evaluate("window.__violations")
        foreign = [url for url in self.requests if not url.startswith((self.origin + "/", "data:", "blob:"))]
        return [*violations, *self.console, *(f"a request to another site: {url}" for url in foreign)]


def _watch(context: BrowserContext, origin: str) -> Tab:
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    tab = Tab(page=context.new_page(), origin=origin)
    tab.page.set_default_timeout(TIMEOUT_MS)

    def on_console(message) -> None:
        policy_warning = "Policy" in message.text  # Content-Security-Policy, Permissions-Policy header errors
        if message.type == "error" or policy_warning:
            tab.console.append(f"console {message.type}: {message.text}")

    tab.page.on("console", on_console)
    tab.page.on("pageerror", lambda error: tab.console.append(f"uncaught: {error}"))
    tab.page.on("request", lambda request: tab.requests.append(request.url))
    return tab


@pytest.fixture
def open_as(chromium, live_server) -> Iterator[Callable[..., Tab]]:
    """``open_as(user, path)``: the page as that user signed in (a session made as the other tests make one)."""
    contexts: list[BrowserContext] = []

    def _open(user, path: str) -> Tab:
        context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        tab = _watch(context, live_server.url)
        response = tab.page.goto(path)
        assert response is not None and response.status == 200, path
        tab.page.wait_for_load_state("networkidle")
        return tab

    yield _open
    for context in contexts:
        context.close()


def charts_drawn(page: Page, selector: str) -> list[bool]:
    """For each chart box: whether it is shown and Chart.js has a chart on its canvas."""
    drawn = "boxes => boxes.map(box => !box.hidden && Boolean(window.Chart.getChart(box.querySelector('canvas'))))"
    return page.eval_on_selector_all(selector, drawn)


# --- The pages --------------------------------------------------------------------------------------------------


def test_the_sign_in_page_runs_under_the_policy(open_as):
    tab = open_as(None, "/sign-in/")
    expect(tab.page.locator("body")).to_have_class("govuk-template__body js-enabled govuk-frontend-supported")
    assert tab.problems() == []


def test_the_dashboard_draws_its_charts(open_as, analyst, cohort):
    # The unit costs the migrations seed, if an earlier test's flush has emptied them: the cost chart needs them.
    for category, cost in ((OffenceCategory.DOMESTIC_BURGLARY, 5930), (OffenceCategory.CRIMINAL_DAMAGE, 1350)):
        CrimeUnitCost.objects.get_or_create(
            category=category, defaults={"unit_cost": cost, "price_year": "2015/16", "source": "Home Office (2018)"}
        )
    for n in range(6):  # six members cautioned before and after adoption, three of them again (a reoffence)
        person = PersonFactory()
        MembershipFactory(person=person, cohort=cohort, adopted_on=datetime.date(2017, 3, 1))
        dates = [(datetime.date(2016, 6, 1), OffenceCategory.DOMESTIC_BURGLARY)]
        dates += [(datetime.date(2017, 6, 1), OffenceCategory.CRIMINAL_DAMAGE)]
        dates += [(datetime.date(2017, 12, 1), OffenceCategory.SHOPLIFTING)] if n < 3 else []
        for committed, category in dates:
            OffenceRecordFactory(
                person=person,
                offence_date=committed,
                outcome_date=committed + datetime.timedelta(days=30),
                offence_category=category,
            )
    quarters = "from_quarter=2017Q3&to_quarter=2018Q3&as_of=2020-12-31"
    tab = open_as(analyst, f"/outcomes/dashboard/?cohort=fixed&{quarters}")
    assert tab.page.locator("[data-dashboard-chart]").count() == 3  # by quarter, before and after, cost
    assert charts_drawn(tab.page, "[data-dashboard-chart]") == [True, True, True]
    expect(tab.page.locator("[data-dashboard-chart] canvas").first).to_be_visible()
    assert tab.problems() == []


def test_the_gateway_dashboard_draws_the_funnel_and_the_targets_progress(
    open_as, coordinator, officer, employer, norwich
):
    service = GatewayServiceFactory(organisation=coordinator.organisation)
    anglia = GatewayEmployerFactory(organisation=employer.organisation, sector=Sector.CARE)
    opportunity = GatewayOpportunityFactory(employer=anglia, title="Care assistant", created_by=coordinator)
    gateway = Gateway(officer=officer, coordinator=coordinator, service=service, team=norwich)
    gateway.started(opportunity, days_ago=30, employer_user=employer)  # 1 employer of the 100: 1%
    gateway.referral(gateway.case(district=District.GREAT_YARMOUTH))

    tab = open_as(coordinator, "/gateway/")
    assert charts_drawn(tab.page, "[data-chart]") == [True, True, True]  # everyone, by district, by sector
    expect(tab.page.locator("[data-chart] canvas").first).to_be_visible()
    # The bar's width comes from its class (app-progress-bar__value--1): 1% of the bar, drawn without JavaScript.
    widths = tab.page.eval_on_selector(
        ".app-progress-bar__value", "bar => [bar.getBoundingClientRect().width, bar.parentElement.clientWidth]"
    )
    assert widths[0] == pytest.approx(widths[1] / 100, abs=1)
    assert tab.problems() == []


def test_an_imports_page_follows_the_run_until_it_has_finished(open_as, manager):
    run = ImportRun.objects.create(
        kind=ImportKind.COHORTS, filename="cohorts.csv", uploaded_by=manager, via="page",
        state=ImportState.VALIDATING, rows_total=10, rows_processed=4,
    )  # fmt: skip
    tab = open_as(manager, f"/imports/{run.pk}/")
    expect(tab.page.locator("#run-state")).to_have_text("Checking rows")
    tab.page.wait_for_event("response", lambda response: response.url.endswith(f"/api/v1/imports/{run.pk}/"))

    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportState.SUCCEEDED, rows_processed=10, created=10, finished_at=timezone.now()
    )
    expect(tab.page.locator("#outcome-succeeded")).to_be_visible()
    expect(tab.page.locator("#run-state")).to_have_text("Imported")
    expect(tab.page.locator("#run-created")).to_have_text("10")
    expect(tab.page.locator("#outcome-running")).to_be_hidden()
    assert tab.problems() == []


def test_swagger_ui_reads_the_schema_and_calls_the_api_from_the_services_own_files(open_as, partner):
    tab = open_as(partner, "/api/docs/")
    expect(tab.page.locator(".swagger-ui .info .title")).to_contain_text("IOM Partnership Tracker API")
    me = tab.page.locator(".opblock-get", has_text="/api/v1/me/")
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    with tab.page.expect_response(lambda response: response.url.endswith("/api/v1/me/")) as called:
        me.get_by_role("button", name="Execute").click()
    assert called.value.status == 200
    expect(me.locator(".live-responses-table")).to_contain_text('"username": "partner"')
    assert all(url.startswith(tab.origin) for url in tab.requests)
    assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in url for url in tab.requests)
    assert tab.problems() == []


def test_redoc_draws_the_schema_from_the_services_own_files_with_its_styles_allowed_by_the_nonce(open_as, analyst):
    tab = open_as(analyst, "/api/redoc/")
    expect(tab.page.locator("#redoc h1")).to_contain_text("IOM Partnership Tracker API", timeout=TIMEOUT_MS)
    expect(tab.page.locator("#redoc").get_by_text("/api/v1/me/").first).to_be_attached()
    # Its look comes from the <style> elements it wrote: without the nonce the menu would be unstyled.
    assert tab.page.locator("style[nonce]").count() > 0
    assert tab.page.locator("#redoc .menu-content").evaluate("e => getComputedStyle(e).position") != "static"
    assert all(url.startswith(tab.origin) for url in tab.requests), tab.requests
    assert tab.problems() == []
