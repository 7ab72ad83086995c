"""The managers' dashboard at /outcomes/dashboard/: for IOM managers, analysts and administrators, aggregates only.

The world: six members of the Fixed cohort, adopted on 2017-03-01. Each was cautioned for a domestic burglary
committed on 2016-06-01 (the year before adoption) and for criminal damage committed on 2017-06-01 (cautioned
2017-07-01: their index date, in 2017Q3); three of them were cautioned again for shoplifting committed on
2017-12-01 (cautioned 2018-01-05: a proven reoffence, and an index event in 2018Q1). As of 2020-12-31 everyone
is measurable: 2017Q3 has 6 people and 3 reoffenders (50%), 2018Q1 has 3 people (suppressed), the other
quarters nobody. Before adoption 6 domestic burglaries (£5,930 each); after it 6 criminal damage (£1,350 each)
and 3 shoplifting offences (no unit cost).
"""

import csv
import datetime
import io
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from iom.models import Role
from outcomes import metrics
from outcomes.models import CrimeUnitCost, OffenceCategory
from outcomes.selectors import plan_scorecard
from outcomes.selectors.metrics import data_as_of
from outcomes.services.snapshots import metric_snapshots_take
from tests.iom.factories import CohortFactory, MembershipFactory, PersonFactory, UserFactory
from tests.outcomes.factories import OffenceRecordFactory
from tests.web.test_pages_html import assert_error_summary_links_to_fields, assert_well_formed
from web.dashboard.views import default_quarters, percent, pounds

pytestmark = pytest.mark.django_db

date = datetime.date
URL = "/outcomes/dashboard/"
ADOPTED = date(2017, 3, 1)
AS_OF = date(2020, 12, 31)
FILTERS = {"cohort": "fixed", "from_quarter": "2017Q3", "to_quarter": "2018Q3", "as_of": AS_OF.isoformat()}
READERS = ["manager", "outsider_manager", "analyst", "admin"]
REFUSED = ["officer", "officer2", "probation", "partner", "coordinator", "employer"]
# Measured 55: the metrics (one query for the headline, one for the quarterly series, the maturing snapshots and
# pre/post), the scorecard (one per computed year), the funnel, the page.
QUERY_CEILING = 55


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(**params) -> str:
    return f"{URL}?{urlencode(params)}" if params else URL


class Tables(HTMLParser):
    """Every <table> with an id as rows of cell texts (header cells included), and every link's href."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response) -> Tables:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser


def body_rows(rows: list[list[str]]) -> list[list[str]]:
    return rows[1:]


# --- The world ---------------------------------------------------------------------------------------------------


def member(cohort, *, reoffends: bool, **person):
    someone = PersonFactory(**person)
    MembershipFactory(person=someone, cohort=cohort, adopted_on=ADOPTED)
    OffenceRecordFactory(
        person=someone,
        offence_date=date(2016, 6, 1),
        outcome_date=date(2016, 7, 1),
        offence_category=OffenceCategory.DOMESTIC_BURGLARY,
    )
    OffenceRecordFactory(
        person=someone,
        offence_date=date(2017, 6, 1),
        outcome_date=date(2017, 7, 1),
        offence_category=OffenceCategory.CRIMINAL_DAMAGE,
    )
    if reoffends:
        OffenceRecordFactory(
            person=someone,
            offence_date=date(2017, 12, 1),
            outcome_date=date(2018, 1, 5),
            offence_category=OffenceCategory.SHOPLIFTING,
        )
    return someone


@pytest.fixture
def world(cohort):
    # Names no page text could contain by chance, so the identifier test can look for them.
    return [
        member(cohort, reoffends=n < 3, first_name=f"Zebediah{letter}", last_name=f"Quillfeather{letter}")
        for n, letter in enumerate("ABCDEF")
    ]


def grow(cohort, n: int) -> None:
    """More members like the first ones, for the query counts."""
    for index in range(n):
        member(cohort, reoffends=index % 2 == 0)


# --- Who may open it ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_managers_analysts_and_administrators_open_the_dashboard(all_roles, role):
    response = signed_in(all_roles[role]).get(URL)
    assert response.status_code == 200
    assert_well_formed(response)


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_the_dashboard(all_roles, world, role):
    response = signed_in(all_roles[role]).get(url(**FILTERS))
    assert response.status_code == 403
    assert "Reoffending rate" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(url(**FILTERS))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_an_inactive_manager_is_refused(norwich, police):
    user = UserFactory(username="gone", role=Role.IOM_MANAGER, organisation=police, teams=[norwich], is_active=False)
    client = Client()
    client.force_login(user)
    assert client.get(URL).status_code in (302, 403)


@pytest.mark.parametrize("role", ["manager", "analyst", "admin"])
def test_the_navigation_links_to_the_dashboard_for_its_readers(all_roles, role):
    assert f'href="{URL}"' in signed_in(all_roles[role]).get("/notifications/").content.decode()


@pytest.mark.parametrize("role", ["officer", "partner", "coordinator", "employer"])
def test_the_navigation_has_no_dashboard_link_for_other_roles(all_roles, role):
    assert f'href="{URL}"' not in signed_in(all_roles[role]).get("/notifications/").content.decode()


# --- Filters -----------------------------------------------------------------------------------------------------


def test_default_quarters_are_the_last_eight_that_are_measurable():
    # 2025Q1 ends 2025-03-31: followed up to 2026-03-31, proven by 2026-09-30.
    assert default_quarters(date(2026, 12, 1)) == ("2023Q2", "2025Q1")
    assert default_quarters(date(2026, 9, 30)) == ("2023Q2", "2025Q1")
    assert default_quarters(date(2026, 9, 29)) == ("2023Q1", "2024Q4")
    # 2024Q4 ends 2024-12-31: proven by 2026-06-30.
    assert default_quarters(date(2026, 6, 30)) == ("2023Q1", "2024Q4")
    assert default_quarters(date(2026, 6, 29)) == ("2022Q4", "2024Q3")


def test_without_filters_the_page_shows_the_default_quarters_as_of_today(manager):
    response = signed_in(manager).get(URL)
    first, last = default_quarters(timezone.localdate())
    content = response.content.decode()
    assert f'value="{first}"' in content
    assert f'value="{last}"' in content
    assert f'value="{timezone.localdate().isoformat()}"' in content
    assert "newer quarters are not yet measurable" in content
    quarters = body_rows(tables(response).tables.get("quarterly-table", [[]])) if "quarterly-table" in content else []
    assert quarters == []  # nobody has an index event: the empty state instead
    assert 'id="quarterly-empty"' in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from_quarter": "2018Q5"}, "Enter the first quarter as a year and quarter, for example 2018Q1"),
        ({"to_quarter": "last year"}, "Enter the last quarter as a year and quarter, for example 2018Q1"),
        ({"from_quarter": "2019Q1", "to_quarter": "2018Q4"}, "The last quarter must be the same as or after the first"),
        ({"from_quarter": "2000Q1", "to_quarter": "2018Q4"}, "Choose at most 40 quarters"),
        ({"as_of": "2020-02-30"}, "Enter the figures&#x27; date as a real date"),
        ({"cohort": "no-such-cohort"}, "Choose a cohort from the list."),
    ],
    ids=["bad-first", "bad-last", "last-before-first", "too-many", "bad-date", "unknown-cohort"],
)
def test_bad_filters_show_the_error_summary_and_no_figures(manager, world, params, message):
    response = signed_in(manager).get(url(**{**FILTERS, **params}))
    assert_error_summary_links_to_fields(response)
    content = response.content.decode()
    assert message in content
    assert 'id="filters-invalid"' in content
    assert 'id="quarterly-table"' not in content
    # The sections that do not depend on the filters are still there.
    assert 'id="plan-table"' in content
    assert "Gateway to Employment" in content


def test_a_manager_cannot_choose_a_cohort_of_another_scheme(outsider_manager, world):
    response = signed_in(outsider_manager).get(url(**FILTERS))
    assert_error_summary_links_to_fields(response)
    assert "Choose a cohort from the list." in response.content.decode()


def test_the_cohort_list_is_the_users_metric_cohorts(manager, analyst, cohort, suffolk_team):
    CohortFactory(slug="suffolk-fixed", name="Suffolk Fixed", scheme=suffolk_team.scheme)
    assert "Suffolk Fixed" not in signed_in(manager).get(URL).content.decode()
    assert "Suffolk Fixed" in signed_in(analyst).get(URL).content.decode()


def test_lowercase_quarters_are_accepted(manager, world):
    response = signed_in(manager).get(url(**{**FILTERS, "from_quarter": "2017q3", "to_quarter": " 2018q3 "}))
    assert response.status_code == 200
    assert "There is a problem" not in response.content.decode()
    assert 'id="quarterly-table"' in response.content.decode()


# --- The figures, in tables the same as the metrics ----------------------------------------------------------


def test_the_headline_is_the_whole_window_without_breakdowns(manager, world, cohort):
    response = signed_in(manager).get(url(**FILTERS))
    expected = metrics.reoffending(
        index_from=date(2017, 7, 1), index_to=date(2018, 9, 30), as_of=AS_OF, cohort=cohort, with_breakdowns=False
    )
    assert (expected["measurable"], expected["reoffenders"], expected["binary_rate"]) == (6, 3, 0.5)
    headline = dict(tables(response).tables["headline-table"])
    assert headline["People with an index event"] == str(expected["people_with_index_event"])
    assert headline["Not yet measurable"] == str(expected["not_yet_measurable"])
    assert headline["Measurable people"] == "6"
    assert headline["Reoffenders"] == "3"
    assert headline["Proven reoffences"] == str(expected["proven_reoffences"])
    assert headline["Reoffending rate"] == "50%"
    low, high = expected["binary_rate_ci95"]
    assert headline["95% interval"] == f"{percent(low)} to {percent(high)}"
    assert headline["Reoffences per offender"] == str(expected["frequency_per_offender"])


def test_the_quarterly_table_has_the_figures_of_each_quarter(manager, world, cohort):
    response = signed_in(manager).get(url(**FILTERS))
    expected = metrics.reoffending_quarterly(from_quarter="2017Q3", to_quarter="2018Q3", as_of=AS_OF, cohort=cohort)
    rows = body_rows(tables(response).tables["quarterly-table"])
    assert [row[0] for row in rows] == [quarter["quarter"] for quarter in expected["quarters"]]
    for row, quarter in zip(rows, expected["quarters"], strict=True):
        assert row[1] == str(quarter["people_with_index_event"])
        assert row[2] == str(quarter["not_yet_measurable"])
        if quarter["suppressed"]:
            assert row[3:] in (["suppressed (fewer than 5)"], ["no one measurable"])
        else:
            low, high = quarter["binary_rate_ci95"]
            assert row[3:] == [
                str(quarter["measurable"]),
                str(quarter["reoffenders"]),
                percent(quarter["binary_rate"]),
                f"{percent(low)} to {percent(high)}",
            ]
    assert rows[0][1:5] == ["6", "0", "6", "3"]
    assert rows[2] == ["2018Q1", "3", "0", "suppressed (fewer than 5)"]
    assert rows[-1] == ["2018Q3", "0", "0", "no one measurable"]


def test_the_quarterly_chart_draws_the_rates_with_interval_bars_and_gaps(manager, world, cohort):
    response = signed_in(manager).get(url(**FILTERS))
    chart = response.context["quarterly"]["chart"]
    expected = metrics.reoffending_quarterly(from_quarter="2017Q3", to_quarter="2018Q3", as_of=AS_OF, cohort=cohort)
    assert chart["labels"] == ["2017Q3", "2017Q4", "2018Q1", "2018Q2", "2018Q3"]
    assert chart["rates"] == [50.0, None, None, None, None]
    low, high = expected["quarters"][0]["binary_rate_ci95"]
    assert chart["intervals"][0] == [pytest.approx(low * 100), pytest.approx(high * 100)]
    assert chart["intervals"][1:] == [None, None, None, None]
    assert 'id="chart-quarterly"' in response.content.decode()


def test_the_before_and_after_table_has_the_pre_post_figures(manager, world, cohort):
    response = signed_in(manager).get(url(**FILTERS))
    expected = metrics.pre_post(cohort=cohort, as_of=AS_OF)
    assert (expected["members"], expected["offences_before"], expected["offences_after"]) == (6, 6, 9)
    rows = body_rows(tables(response).tables["pre-post-table"])
    labels = dict(OffenceCategory.choices)
    assert rows == [
        *[[labels[row["category"]], str(row["before"]), str(row["after"])] for row in expected["by_category"]],
        ["All categories", "6", "9"],
    ]
    assert [row[0] for row in rows[:-1]] == ["Domestic burglary", "Shoplifting", "Criminal damage"]
    assert "+50.0%" in response.content.decode()
    before, after = response.context["pre_post"]["offences_chart"]["datasets"]
    assert (before["data"], after["data"]) == ([6, 0, 0], [0, 3, 6])


def test_the_cost_table_prices_the_costed_categories_in_whole_pounds(manager, world, cohort):
    response = signed_in(manager).get(url(**FILTERS))
    expected = metrics.pre_post(cohort=cohort, as_of=AS_OF)
    assert expected["cost_before"] == 6 * 5930
    rows = body_rows(tables(response).tables["cost-table"])
    assert rows == [
        ["Domestic burglary", "£35,580", "£0"],
        ["Criminal damage", "£0", "£8,100"],
        ["All costed categories", "£35,580", "£8,100"],
    ]
    content = response.content.decode()
    assert expected["cost_change"] == -27480
    assert "-£27,480" in content
    assert "3 offences in categories without a unit cost are counted above but not priced" in content
    source = CrimeUnitCost.objects.values_list("source", "price_year").first()
    assert f"{source[0]}, {source[1]} prices" in content


def test_pounds_and_percents_are_written_as_the_figures_are():
    assert pounds(1234) == "£1,234"
    assert pounds(-162230) == "-£162,230"
    assert pounds(0) == "£0"
    assert percent(0.4623) == "46.23%"
    assert percent(0.5) == "50%"
    assert percent(1.0) == "100%"
    assert percent(0.0) == "0%"


def test_the_plan_table_shows_each_measure_with_its_status(manager, world):
    response = signed_in(manager).get(url(**FILTERS))
    scorecard = plan_scorecard(user=manager)
    rows = body_rows(tables(response).tables["plan-table"])
    measures = [measure for objective in scorecard["objectives"] for measure in objective["measures"]]
    assert [row[0] for row in rows] == [measure["title"] for measure in measures]
    labels = {"met": "Met", "on_track": "On track", "off_track": "Off track", "no_data": "No data"}
    assert [row[3] for row in rows] == [labels[measure["status"]] for measure in measures]
    assert 'href="/plan/"' in response.content.decode()


def test_the_gateway_section_uses_the_gateway_figures_and_funnel(manager, world):
    response = signed_in(manager).get(url(**FILTERS))
    content = response.content.decode()
    assert "Employers who have taken on an ex-offender" in content
    assert 'id="funnel-all"' in content
    assert "No employment referrals have been sent yet." in content
    assert 'href="/gateway/figures.csv"' in content


def test_administrators_see_the_funnel_with_its_download_as_on_the_gateway_page(admin_user, world):
    content = signed_in(admin_user).get(url(**FILTERS)).content.decode()
    assert 'id="funnel-all"' in content
    assert 'href="/gateway/figures.csv"' in content
    assert signed_in(admin_user).get("/gateway/figures.csv").status_code == 200


def test_the_page_says_how_fresh_the_data_is(manager, world):
    response = signed_in(manager).get(url(**FILTERS))
    moment = timezone.localtime(data_as_of())
    assert f"Data as of {moment:%-d %B %Y, %H:%M}" in response.content.decode()


def test_no_name_or_pnc_id_is_on_the_dashboard(manager, analyst, world):
    for user in (manager, analyst):
        content = signed_in(user).get(url(**FILTERS)).content.decode()
        for person in world:
            assert person.pnc_id not in content
            assert person.first_name not in content
            assert person.last_name not in content
        assert "Zebediah" not in content
        assert "Quillfeather" not in content
        assert "2010/" not in content  # the factories' PNC IDs


# --- CSV links -----------------------------------------------------------------------------------------------


def _read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_each_section_links_to_its_api_endpoint_as_csv(manager, world):
    client = signed_in(manager)
    links = tables(client.get(url(**FILTERS))).links
    quarterly = (
        "/api/v1/metrics/reoffending/quarterly/?from_quarter=2017Q3&to_quarter=2018Q3&as_of=2020-12-31"
        "&cohort=fixed&format=csv"
    )
    headline = (
        "/api/v1/metrics/reoffending/?index_from=2017-07-01&index_to=2018-09-30&as_of=2020-12-31"
        "&cohort=fixed&format=csv"
    )
    pre_post = "/api/v1/metrics/pre-post/?cohort=fixed&as_of=2020-12-31&format=csv"
    assert {quarterly, headline, pre_post, "/api/v1/plan/?format=csv"} <= set(links)

    # One row per quarter, labelled by its quarter (the column's name is the API's business).
    quarters = _read_csv(client.get(quarterly))
    labels = ["2017Q3", "2017Q4", "2018Q1", "2018Q2", "2018Q3"]
    assert [next(value for value in row.values() if value in labels) for row in quarters] == labels
    assert (quarters[0]["index_from"], quarters[0]["binary_rate"], quarters[2]["suppressed"]) == (
        "2017-07-01",
        "0.5",
        "true",
    )
    everyone = _read_csv(client.get(headline))[0]
    assert (everyone["dimension"], everyone["measurable"], everyone["reoffenders"]) == ("all", "6", "3")
    totals = _read_csv(client.get(pre_post))[0]
    assert (totals["members"], totals["before"], totals["after"], totals["cost_before"]) == ("6", "6", "9", "35580")
    assert client.get("/api/v1/plan/?format=csv").status_code == 200


def test_without_a_cohort_the_links_leave_it_out(manager, world):
    links = tables(signed_in(manager).get(url(**{**FILTERS, "cohort": ""}))).links
    assert (
        "/api/v1/metrics/reoffending/quarterly/?from_quarter=2017Q3&to_quarter=2018Q3&as_of=2020-12-31&format=csv"
        in links
    )
    assert not [link for link in links if link.startswith("/api/v1/metrics/pre-post/")]


# --- Empty and suppressed states ---------------------------------------------------------------------------


def test_with_no_data_every_section_says_so(analyst):
    response = signed_in(analyst).get(url(from_quarter="2017Q3", to_quarter="2018Q3", as_of=AS_OF.isoformat()))
    content = response.content.decode()
    assert 'id="headline-empty"' in content
    assert 'id="quarterly-empty"' in content
    assert 'data-dashboard-chart="chart-quarterly"' not in content
    assert 'id="pre-post-empty"' in content
    assert 'id="cost-empty"' in content
    assert "No offence records, people or memberships have been imported or recorded yet." in content
    assert "No employment referrals have been sent yet." in content
    assert_well_formed(response)


def test_without_a_cohort_before_and_after_asks_for_one(manager, world):
    content = signed_in(manager).get(url(**{**FILTERS, "cohort": ""})).content.decode()
    assert "Choose a cohort in the filters above" in content
    assert 'id="pre-post-table"' not in content
    assert 'id="cost-table"' not in content
    assert 'id="quarterly-table"' in content


def test_a_cohort_of_fewer_than_five_is_suppressed(manager, cohort):
    for _ in range(4):
        member(cohort, reoffends=True)
    content = signed_in(manager).get(url(**FILTERS)).content.decode()
    assert 'id="pre-post-suppressed"' in content
    assert 'id="cost-suppressed"' in content
    assert "suppressed (fewer than 5)" in content
    assert "Reoffending rate: suppressed (fewer than 5 measurable people)." in content
    assert 'id="pre-post-table"' not in content
    assert 'data-dashboard-chart="chart-quarterly"' not in content  # every quarter suppressed: nothing to draw


def test_members_not_yet_measurable_for_pre_post_are_left_out(manager, world):
    # As of 2018-08-31, eighteen months after the adoption have not passed: nobody can be compared yet.
    content = signed_in(manager).get(url(**{**FILTERS, "as_of": "2018-08-31"})).content.decode()
    assert 'id="pre-post-suppressed"' in content


# --- Queries -------------------------------------------------------------------------------------------------


def _count(client, django_assert_max_num_queries) -> int:
    client.get(url(**FILTERS))  # the first request stores the pre/post windows of new adoption dates
    with django_assert_max_num_queries(QUERY_CEILING) as captured:
        response = client.get(url(**FILTERS))
    assert response.status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_number_of_people(
    manager, world, cohort, django_assert_max_num_queries
):
    client = signed_in(manager)
    small = _count(client, django_assert_max_num_queries)
    grow(cohort, 25)
    large = _count(client, django_assert_max_num_queries)
    assert small == large


def test_the_maturing_table_shows_each_snapshots_rates_of_the_newest_quarters(manager, world, cohort):
    metric_snapshots_take(on=date(2019, 7, 1))  # quarters 2016Q3..2019Q2: the people's 2017Q3 not yet measurable
    metric_snapshots_take(on=date(2019, 7, 2))
    metric_snapshots_take(on=date(2019, 7, 2))  # taken twice: replaced, not added
    rows = tables(signed_in(manager).get(url(**FILTERS))).tables["maturing-table"]
    assert rows[0] == ["Snapshot", "2018Q3", "2018Q4", "2019Q1", "2019Q2"]
    assert [row[0] for row in body_rows(rows)] == ["2 July 2019", "1 July 2019"]
    # No one's index date falls in those quarters: every cell is suppressed, none invented.
    assert {cell for row in body_rows(rows) for cell in row[1:]} == {"suppressed"}


def test_without_snapshots_the_maturing_section_says_when_they_are_taken(manager, world):
    response = signed_in(manager).get(url(**FILTERS))
    assert 'id="maturing-empty"' in response.content.decode()
