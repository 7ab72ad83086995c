"""No page has inline script or style, so the Content-Security-Policy blocks nothing the service itself sends.

The demo data (``seed_demo``) and every demo account: from each account's home page, and every page without
parameters its role may open, the test follows every link to another page of the service, as that account, and
checks each HTML page it reaches with :mod:`tests.web.security.inline_code` (no inline script that runs, no
``<style>``, no ``style=``, no ``on…=``, nothing from another site) and for the strict policy header. Anonymous
visitors start from the public pages and the emailed links (a real password reset link; the others with an
unknown token). Then every page of the URLconf must have been reached, so a page no link leads to, or a new
page, cannot be missed.

Each page is opened at most a few times per account (a few people, a few referrals), which shows each page in
its different states without opening all 400 demo people.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from iom.access import person_list_visible_to
from iom.models import Case, Person, User
from iom.services.break_glass import break_glass_open
from iom.services.people import person_update
from outcomes.models import ImportKind, ImportRun, ImportState, PlanActual, PlanMeasure
from outcomes.services.retention import retention_schedules_refresh
from outcomes.services.subject_access import subject_access_request
from outcomes.tasks import build_subject_access
from tests.test_access_matrix import ROUTES
from tests.web.security.inline_code import inline_code_in
from tests.web.security.policy import STYLE_NONCE_PAGES, assert_strict_policy
from tests.web.test_retention_pages import due_in
from web.access import PUBLIC
from web.people.person_page import CORRECTIONS_SHOWN

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = ("officer", "officer2", "probation", "manager", "partner", "coordinator", "employer", "employer2")
DEMO_ACCOUNTS += ("analyst", "admin")
VISITS_PER_PAGE = 3
# The administrator's admin site is Django's own: its index, a list and a form are checked, its links not followed.
ADMIN_PAGES = ("/django-admin/", "/django-admin/iom/user/", "/django-admin/iom/team/add/")
# Pages that are not HTML for a person, with the reason.
NOT_PAGES = {
    "healthz": "JSON for the load balancer",
    "logout": "a form that posts to it",
    "subject-access-progress": "JSON that a bundle's page polls",
}


@dataclass
class Visit:
    account: str
    path: str
    page: str
    status: int
    problems: list[str] = field(default_factory=list)


class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


def links_in(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def page_name(path: str) -> str | None:
    """The route's name (with its namespace) of a path of the service, or None for what is not a page here."""
    if path.startswith(("/static/", "/django-admin/")) or (
        path.startswith("/api/") and path not in {"/api/docs/", "/api/redoc/"}
    ):
        return None
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "(no such page)"
    return match.view_name


def check(response, *, account: str, path: str, name: str) -> Visit:
    visit = Visit(account, path, name, response.status_code)
    if response.get("Content-Type", "").startswith("text/html"):  # pages, error pages and redirects
        visit.problems = inline_code_in(response.content.decode())
        try:
            assert_strict_policy(response, style_nonce=path in STYLE_NONCE_PAGES)
        except AssertionError as error:
            visit.problems.append(f"the policy header: {error}")
    return visit


def unknown_link(route) -> str:
    """An emailed link's page with the values of tests/test_access_matrix.py: an unknown token (its page may say
    the link is not valid, or be the page for a missing record, 404)."""
    return route.path


def start_pages(user: User | None) -> list[str]:
    """The pages without parameters that ``user`` may open, besides the links; for anonymous visitors the public
    pages, and those with parameters (emailed links) with an unknown token."""
    paths = []
    for route in ROUTES:
        if route.method != "GET" or route.is_api or route.name in NOT_PAGES:
            continue
        public = route.declared == PUBLIC
        if public != (user is None) or (not public and not route.declared.allows(user)):
            continue
        try:
            paths.append(reverse(route.name))
        except NoReverseMatch:
            if public:
                paths.append(unknown_link(route))
            # a signed-in user's page about an object is reached through the links
    return paths


def password_reset_link(user: User) -> str:
    """A real emailed password reset link (Django's), so its form is checked too, not only the page of a bad link."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def crawl(client: Client, account: str, start: list[str]) -> list[Visit]:
    visits: list[Visit] = []
    opened: Counter[str] = Counter()
    seen: set[str] = set()
    queue = list(start)
    while queue:
        path = urldefrag(queue.pop(0)).url
        name = page_name(path)
        if path in seen or name is None or name in NOT_PAGES or opened[name] >= VISITS_PER_PAGE:
            continue
        seen.add(path)
        opened[name] += 1
        response = client.get(path)
        visits.append(check(response, account=account, path=path, name=name))
        if response.status_code == 302 and response["Location"].startswith("/"):
            queue.append(response["Location"])
        elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            queue += [href for href in links_in(response.content.decode()) if href.startswith("/")]
    return visits


@pytest.fixture
def demo(settings):
    call_command("seed_demo", force=True, verbosity=0)  # pytest-django runs with DEBUG off
    manager = User.objects.get(username="manager")
    # A run still going, so its page has the progress script (seed_demo imports nothing).
    ImportRun.objects.create(
        kind=ImportKind.COHORTS, filename="cohorts.csv", uploaded_by=manager, via="page",
        state=ImportState.VALIDATING, rows_total=10, rows_processed=4,
    )  # fmt: skip
    # An entered actual, so a measure's page links to changing it (the demo Plan has none).
    measure = PlanMeasure.objects.filter(computed="").order_by("position").first()
    PlanActual.objects.create(measure=measure, period=measure.period_to, value=Decimal(10), entered_by=manager)
    # A record officer2 opened outside their teams, so the managers' queue links to a review (seed_demo opens none).
    officer2 = User.objects.get(username="officer2")
    unseen = Person.objects.filter(cases__isnull=False).exclude(pk__in=person_list_visible_to(user=officer2))
    reason = "Arrested in Norwich overnight; checking risk before the interview"
    break_glass_open(acting_user=officer2, identifier=unseen.order_by("pk").first().pnc_id, reason=reason)
    # More corrections than the person page shows, so it links to all of them; a finished subject access bundle
    # (built here: its task would run after a commit that never comes); someone due for a retention review.
    person = Case.objects.filter(team__in=manager.teams.all()).order_by("pk").first().person
    for number in range(CORRECTIONS_SHOWN + 1):
        person.refresh_from_db()
        person_update(
            acting_user=manager, person=person, version=person.version, aliases=[f"Alias {number}"],
            reason=f"Alias confirmed by the custody record, check {number}.",
        )  # fmt: skip
    export = subject_access_request(acting_user=manager, person=person, reason="Letter of 1 December, ref SAR-1.")
    build_subject_access(export.pk)
    due_in(manager.teams.order_by("pk").first(), surname="Longago")
    retention_schedules_refresh()
    return {user.username: user for user in User.objects.filter(username__in=DEMO_ACCOUNTS)}


def test_no_page_any_demo_account_reaches_has_inline_script_or_style(demo):
    anonymous = start_pages(None)
    if "password_reset_confirm" in {route.name for route in ROUTES}:
        anonymous.append(password_reset_link(demo["officer"]))
    visits = crawl(Client(), "anonymous", anonymous)
    for account in DEMO_ACCOUNTS:
        client = Client()
        client.force_login(demo[account])
        # The person with the corrections and the bundle first, whichever people the crawl would open itself.
        corrected = [reverse("person", args=[pk]) for pk in Person.objects.filter(subject_access_exports__isnull=False)
                     .values_list("pk", flat=True)] if account == "manager" else []  # fmt: skip
        visits += crawl(client, account, ["/", *corrected, *start_pages(demo[account])])
        if account == "admin":
            visits += [check(client.get(path), account=account, path=path, name="admin") for path in ADMIN_PAGES]

    problems = [f"{v.account} {v.path}: {problem}" for v in visits for problem in v.problems]
    assert problems == [], "\n".join(problems)
    unknown_links = {unknown_link(route) for route in ROUTES if route.declared == PUBLIC}
    answered = [v for v in visits if v.status in (200, 302) or (v.status == 404 and v.path in unknown_links)]
    broken = [f"{v.account} {v.path}: {v.status}" for v in visits if v not in answered]
    assert broken == [], "links that lead nowhere:\n" + "\n".join(broken)
    pages = {route.name for route in ROUTES if route.method == "GET" and not route.is_api} - set(NOT_PAGES)
    reached = {visit.page for visit in answered}
    missing = sorted(pages - reached)
    assert missing == [], f"pages no demo account reached (add a link, demo data or a start page): {missing}"


# --- The checker itself ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<script>alert(1)</script>", "an inline script"),
        ('<script type="module">import "/x.js";</script>', "an inline script"),
        ('<script type="text/javascript">go()</script>', "an inline script"),
        ('<div style="width: 5%"></div>', "a style attribute"),
        ("<style>p { color: red }</style>", "a <style> element"),
        ('<button onclick="go()">Go</button>', "an event handler attribute (onclick)"),
        ('<body onload="go()">', "an event handler attribute (onload)"),
        ('<a href="javascript:go()">Go</a>', "a javascript: address"),
        ('<script src="https://cdn.example.org/x.js"></script>', "a resource from another site"),
        ('<link rel="stylesheet" href="//cdn.example.org/x.css">', "a resource from another site"),
        ('<img src="http://example.org/x.png" alt="">', "a resource from another site"),
    ],
)
def test_the_checker_finds_what_the_policy_would_block(html, problem):
    problems = inline_code_in(f"<html><body>{html}</body></html>")
    assert len(problems) == 1
    assert problems[0].startswith(problem), problems


def test_the_checker_lets_through_what_the_policy_allows():
    html = (
        '<script src="/static/web/charts.js" defer></script><script type="module" src="/static/x.js"></script>'
        '<script id="chart-all" type="application/json">{"labels": ["<b>"]}</script>'
        '<link rel="stylesheet" href="/static/build/app.css"><link rel="icon" href="data:,">'
        '<img src="data:image/png;base64,AAAA" alt=""><div class="app-chart" data-chart="chart-all" hidden></div>'
        '<a href="https://www.gov.uk/tell-employer-or-college-about-criminal-record">Rehabilitation periods</a>'
    )
    assert inline_code_in(html) == []
