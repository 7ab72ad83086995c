"""/api/v1/metrics/reoffending/, .../reoffending/quarterly/ and /api/v1/metrics/pre-post/ (docs/metrics.md).

What the figures mean is tested against the definitions in tests/outcomes/test_metrics_*.py; here: who may read
them, strict parameters, CSV (audited as an export), ``data_as_of``, no personal identifiers, the same figures as
``outcomes.metrics``, and a number of queries that does not grow with the people measured.
"""

import csv
import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.renderers import JSONRenderer

from iom.models import AuditAction, AuditEvent, Gender
from iom.pnc import make_pnc_id
from outcomes import metrics
from outcomes.models import OffenceRecord
from tests.iom import factories
from tests.outcomes.factories import OffenceRecordFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2021, 1, 1)
REOFFENDING = "/api/v1/metrics/reoffending/"
QUARTERLY = "/api/v1/metrics/reoffending/quarterly/"
PRE_POST = "/api/v1/metrics/pre-post/"
WINDOW = "index_from=2018-01-01&index_to=2018-12-31&as_of=2021-01-01"
QUARTERS = "from_quarter=2018Q1&to_quarter=2018Q4&as_of=2021-01-01"
ENDPOINTS = {
    "reoffending": f"{REOFFENDING}?{WINDOW}",
    "quarterly": f"{QUARTERLY}?{QUARTERS}",
    "pre-post": f"{PRE_POST}?cohort=fixed&as_of=2021-01-01",
}
READERS = ["manager", "outsider_manager", "analyst", "admin"]
REFUSED = ["officer", "officer2", "probation", "partner", "coordinator", "employer"]
GENDERS = [Gender.MALE, Gender.FEMALE, None, Gender.UNKNOWN]
DISTRICTS = ["norwich", "broadland", "great_yarmouth", None]


@pytest.fixture
def imported_cohort(db):
    """A cohort from an import: no scheme, so IOM managers of every scheme may use it."""
    return factories.CohortFactory(slug="imported", name="Imported", scheme=None)


@pytest.fixture
def grow(cohort, imported_cohort):
    """``grow(n)`` adds n people measured in 2018: members of ``fixed`` and ``imported`` from a day of their own
    in June or July 2017 (so each batch brings new adoption dates, as real panels do), an offence the year
    before, a caution in March 2018 (their index event) and, for every other one, a reoffence in September 2018.
    Names and PNC IDs are distinctive so a leak would show in a response."""
    people = []

    def _grow(count: int) -> list:
        for _ in range(count):
            n = len(people)
            person = factories.PersonFactory(
                pnc_id=make_pnc_id(2011, 7_000_000 + n),
                first_name=f"Zebedee{n:03d}",
                last_name=f"Quilliam{n:03d}",
                date_of_birth=datetime.date(1980 + n % 30, 1 + n % 12, 1 + n % 28),
                gender=GENDERS[n % len(GENDERS)],
                district=DISTRICTS[n % len(DISTRICTS)],
            )
            for member_of in (cohort, imported_cohort):
                factories.MembershipFactory(
                    person=person, cohort=member_of, adopted_on=datetime.date(2017, 6, 1) + datetime.timedelta(days=n)
                )
            OffenceRecordFactory(
                person=person, offence_date=datetime.date(2017, 1, 15), offence_category="domestic_burglary"
            )
            OffenceRecordFactory(
                person=person,
                offence_date=datetime.date(2018, 3, 1) + datetime.timedelta(days=n % 20),
                offence_category="shoplifting" if n % 3 else "criminal_damage",
                conviction=n % 4 == 1,
            )
            if n % 2 == 0:
                OffenceRecordFactory(person=person, offence_date=datetime.date(2018, 9, 1), offence_category="robbery")
            people.append(person)
        return people

    return _grow


@pytest.fixture
def people(grow):
    return grow(12)


def as_json(figures: dict) -> dict:
    """What the API would send for ``figures``: JSON's own types (dates as strings, tuples as lists)."""
    return json.loads(JSONRenderer().render(figures))


def without_data_as_of(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "data_as_of"}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


# --- Who may read the metrics ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", READERS)
def test_iom_managers_analysts_and_administrators_read_every_metric(api_as, all_roles, people, role, endpoint):
    url = ENDPOINTS[endpoint]
    if role == "outsider_manager":
        url = url.replace("cohort=fixed", "cohort=imported")  # fixed is another scheme's cohort
    response = api_as(all_roles[role]).get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_every_metric(api_as, all_roles, people, role, endpoint):
    response = api_as(all_roles[role]).get(ENDPOINTS[endpoint])
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_anonymous_gets_401_for_every_metric(api, people, endpoint):
    assert api.get(ENDPOINTS[endpoint]).status_code == 401
    assert api.get(ENDPOINTS[endpoint] + "&format=csv").status_code == 401


def test_an_unknown_format_is_refused_to_anonymous_and_other_roles_before_it_is_checked(api_as, api, officer):
    url = f"{REOFFENDING}?{WINDOW}&format=xml"
    assert api.get(url).status_code == 401
    assert api_as(officer).get(url).status_code == 403


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_refused_csv_request_gets_a_json_refusal_and_is_not_audited(api_as, officer, people, endpoint):
    response = api_as(officer).get(ENDPOINTS[endpoint] + "&format=csv")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_metrics_are_read_only(api_as, analyst, people, endpoint, method):
    response = getattr(api_as(analyst), method)(ENDPOINTS[endpoint], {}, format="json")
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_head_is_answered_for_readers_and_refused_to_others(api_as, all_roles, people, endpoint):
    assert api_as(all_roles["analyst"]).head(ENDPOINTS[endpoint]).status_code == 200
    assert api_as(all_roles["employer"]).head(ENDPOINTS[endpoint]).status_code == 403


# --- Strict parameters ----------------------------------------------------------------------------------------------

BAD_PARAMETERS = [
    pytest.param(f"{REOFFENDING}?{WINDOW}&colour=blue", {"colour": ["Unknown query parameter."]}, id="unknown-param"),
    pytest.param(f"{REOFFENDING}?{WINDOW}&page=2", {"page": ["Unknown query parameter."]}, id="no-paging"),
    pytest.param(f"{REOFFENDING}?{WINDOW}&format=xml", {"format": ["Choose json or csv."]}, id="unknown-format"),
    pytest.param(f"{PRE_POST}?cohort=fixed&format=html", {"format": ["Choose json or csv."]}, id="pp-unknown-format"),
    pytest.param(f"{REOFFENDING}?index_from=2018-13-01&index_to=2018-12-31", ["index_from"], id="malformed-month"),
    pytest.param(f"{REOFFENDING}?index_from=2018-01-01&index_to=31/12/2018", ["index_to"], id="malformed-date"),
    pytest.param(f"{REOFFENDING}?{WINDOW.replace('2021-01-01', 'yesterday')}", ["as_of"], id="malformed-as-of"),
    pytest.param(
        f"{REOFFENDING}?index_from=2019-01-01&index_to=2018-12-31",
        {"index_to": ["The index window must not end before it starts."]},
        id="window-ends-before-it-starts",
    ),
    pytest.param(f"{REOFFENDING}?index_from=2018-01-01", ["index_to"], id="missing-index-to"),
    pytest.param(f"{REOFFENDING}", ["index_from", "index_to"], id="missing-window"),
    pytest.param(f"{REOFFENDING}?{WINDOW}&cohort=nope", {"cohort": ["No cohort has the slug 'nope'."]}, id="cohort"),
    pytest.param(f"{QUARTERLY}?{QUARTERS}&colour=blue", {"colour": ["Unknown query parameter."]}, id="q-unknown"),
    pytest.param(f"{QUARTERLY}?to_quarter=2018Q4", ["from_quarter"], id="q-missing-from"),
    pytest.param(f"{QUARTERLY}?from_quarter=2018Q5&to_quarter=2019Q1", ["from_quarter"], id="q-malformed"),
    pytest.param(f"{QUARTERLY}?from_quarter=2018-Q1&to_quarter=2019Q1", ["from_quarter"], id="q-malformed-dash"),
    pytest.param(
        f"{QUARTERLY}?from_quarter=2019Q2&to_quarter=2019Q1",
        {"to_quarter": ["The last quarter must not be before the first."]},
        id="q-reversed",
    ),
    pytest.param(
        f"{QUARTERLY}?from_quarter=2000Q1&to_quarter=2020Q1",
        {"to_quarter": ["Ask for at most 80 quarters at once."]},
        id="q-too-many",
    ),
    pytest.param(f"{QUARTERLY}?{QUARTERS}&as_of=2021-02-30", ["as_of"], id="q-malformed-as-of"),
    pytest.param(f"{QUARTERLY}?{QUARTERS}&cohort=nope", {"cohort": ["No cohort has the slug 'nope'."]}, id="q-cohort"),
    pytest.param(f"{PRE_POST}?cohort=fixed&colour=blue", {"colour": ["Unknown query parameter."]}, id="pp-unknown"),
    pytest.param(f"{PRE_POST}?as_of=2021-01-01", ["cohort"], id="pp-missing-cohort"),
    pytest.param(f"{PRE_POST}?cohort=fixed&as_of=2021-02-30", ["as_of"], id="pp-impossible-as-of"),
    pytest.param(f"{PRE_POST}?cohort=nope", {"cohort": ["No cohort has the slug 'nope'."]}, id="pp-unknown-cohort"),
    pytest.param(f"{REOFFENDING}?index_from=2018-1-1&index_to=2018-12-31", ["index_from"], id="date-not-yyyy-mm-dd"),
    pytest.param(f"{PRE_POST}?cohort=fixed&as_of=20210101", ["as_of"], id="pp-date-without-dashes"),
]


@pytest.mark.parametrize(("url", "errors"), BAD_PARAMETERS)
def test_unknown_malformed_or_missing_parameters_are_400_with_field_errors(api_as, analyst, people, url, errors):
    response = api_as(analyst).get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] == "The request has errors; nothing was saved."
    if isinstance(errors, dict):
        assert body["errors"] == errors
    else:
        assert sorted(body["errors"]) == sorted(errors)


def test_a_csv_request_with_bad_parameters_gets_json_errors_and_is_not_audited(api_as, analyst, people):
    response = api_as(analyst).get(f"{REOFFENDING}?index_from=2018-01-01&format=csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "index_to" in response.json()["errors"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("endpoint", ["reoffending", "quarterly", "pre-post"])
def test_a_manager_cannot_restrict_to_another_schemes_cohort_and_it_reads_as_unknown(
    api_as, outsider_manager, people, endpoint
):
    base = ENDPOINTS[endpoint].replace("&cohort=fixed", "").replace("cohort=fixed&", "")
    hidden = api_as(outsider_manager).get(f"{base}&cohort=fixed")
    missing = api_as(outsider_manager).get(f"{base}&cohort=nope")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"] == {"cohort": ["No cohort has the slug 'fixed'."]}
    assert missing.json()["errors"] == {"cohort": ["No cohort has the slug 'nope'."]}


@pytest.mark.parametrize("endpoint", ["reoffending", "quarterly", "pre-post"])
def test_a_manager_of_any_scheme_can_restrict_to_an_imported_cohort(api_as, outsider_manager, people, endpoint):
    base = ENDPOINTS[endpoint].replace("&cohort=fixed", "").replace("cohort=fixed&", "")
    response = api_as(outsider_manager).get(f"{base}&cohort=imported")
    assert response.status_code == 200, response.content
    body = response.json()
    figures = body["quarters"][0] if endpoint == "quarterly" else body
    assert figures["cohort"] == "imported"


def test_the_manager_of_the_cohorts_scheme_and_an_analyst_can_restrict_to_it(api_as, manager, analyst, people):
    for user in (manager, analyst):
        response = api_as(user).get(f"{REOFFENDING}?{WINDOW}&cohort=fixed")
        assert response.status_code == 200
        assert response.json()["cohort"] == "fixed"


# --- The figures ----------------------------------------------------------------------------------------------------


def test_reoffending_json_is_the_metric_function_with_data_as_of(api_as, analyst, people):
    body = api_as(analyst).get(f"{REOFFENDING}?{WINDOW}").json()
    expected = metrics.reoffending(
        index_from=datetime.date(2018, 1, 1), index_to=datetime.date(2018, 12, 31), as_of=AS_OF
    )
    assert without_data_as_of(body) == as_json(expected)
    assert body["measurable"] == 12
    assert body["reoffenders"] == 6
    assert set(body["breakdowns"]) == {"gender", "ethnicity", "age_band", "district", "index_offence_category"}


def test_reoffending_for_a_cohort_is_the_metric_function_for_that_cohort(api_as, manager, cohort, people):
    body = api_as(manager).get(f"{REOFFENDING}?{WINDOW}&cohort=fixed").json()
    expected = metrics.reoffending(
        index_from=datetime.date(2018, 1, 1), index_to=datetime.date(2018, 12, 31), as_of=AS_OF, cohort=cohort
    )
    assert without_data_as_of(body) == as_json(expected)
    assert body["cohort"] == "fixed"


def test_as_of_defaults_to_today_in_london(api_as, analyst, people):
    body = api_as(analyst).get(f"{REOFFENDING}?index_from=2018-01-01&index_to=2018-12-31").json()
    assert body["as_of"] == timezone.localdate().isoformat()


def test_quarterly_json_is_the_metric_function(api_as, analyst, people):
    body = api_as(analyst).get(f"{QUARTERLY}?{QUARTERS}").json()
    expected = metrics.reoffending_quarterly(from_quarter="2018Q1", to_quarter="2018Q4", as_of=AS_OF)
    assert without_data_as_of(body) == as_json(expected)
    assert [quarter["quarter"] for quarter in body["quarters"]] == ["2018Q1", "2018Q2", "2018Q3", "2018Q4"]
    assert all("breakdowns" not in quarter for quarter in body["quarters"])


def test_pre_post_json_is_the_metric_function(api_as, analyst, cohort, people):
    body = api_as(analyst).get(f"{PRE_POST}?cohort=fixed&as_of=2021-01-01").json()
    expected = metrics.pre_post(cohort=cohort, as_of=AS_OF)
    assert without_data_as_of(body) == as_json(expected)
    assert (body["members"], body["suppressed"]) == (12, False)
    assert body["offences_before"] == 12


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_metric_carries_data_as_of_the_latest_change(api_as, analyst, people, endpoint):
    body = api_as(analyst).get(ENDPOINTS[endpoint]).json()
    latest = max(OffenceRecord.objects.latest("updated_at").updated_at, people[-1].updated_at)
    assert parse_datetime(body["data_as_of"]) >= latest
    assert parse_datetime(body["data_as_of"]) <= timezone.now()


def test_data_as_of_is_null_when_nothing_has_been_recorded(api_as, analyst):
    body = api_as(analyst).get(f"{REOFFENDING}?{WINDOW}").json()
    assert body["data_as_of"] is None
    assert body["people_with_index_event"] == 0
    assert body["suppressed"] is True


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("output", ["json", "csv"])
def test_no_personal_identifiers_appear_in_any_metric(api_as, analyst, people, endpoint, output):
    url = ENDPOINTS[endpoint] + ("&format=csv" if output == "csv" else "")
    text = api_as(analyst).get(url).content.decode()
    assert not re.search(r"Zebedee|Quilliam|\d{4}/\d{7}[A-Z]|REC-", text), text[:500]
    for person in people:
        assert person.pnc_id not in text
        assert person.last_name not in text


# --- CSV ------------------------------------------------------------------------------------------------------------

FIGURE_COLUMNS = [
    "measurable",
    "reoffenders",
    "proven_reoffences",
    "binary_rate",
    "binary_rate_ci95_low",
    "binary_rate_ci95_high",
    "frequency_per_offender",
    "frequency_per_reoffender",
    "suppressed",
]


@pytest.mark.parametrize(
    "ask",
    [{"suffix": "&format=csv"}, {"suffix": "", "HTTP_ACCEPT": "text/csv"}],
    ids=["format-parameter", "accept-header"],
)
def test_reoffending_csv_has_a_row_for_the_whole_and_one_per_breakdown_cell(api_as, analyst, people, ask):
    extra = {key: value for key, value in ask.items() if key != "suffix"}
    response = api_as(analyst).get(f"{REOFFENDING}?{WINDOW}{ask['suffix']}", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="reoffending-{today}.csv"'
    header, *rows = csv_rows(response)
    assert header == ["dimension", "value", "people_with_index_event", "not_yet_measurable", *FIGURE_COLUMNS]

    figures = metrics.reoffending(
        index_from=datetime.date(2018, 1, 1), index_to=datetime.date(2018, 12, 31), as_of=AS_OF
    )
    cells = [(dimension, cell) for dimension, cells in figures["breakdowns"].items() for cell in cells]
    assert len(rows) == 1 + len(cells)
    whole = dict(zip(header, rows[0], strict=True))
    assert (whole["dimension"], whole["value"]) == ("all", "")
    assert int(whole["measurable"]) == figures["measurable"]
    assert float(whole["binary_rate"]) == figures["binary_rate"]
    assert [float(whole["binary_rate_ci95_low"]), float(whole["binary_rate_ci95_high"])] == figures["binary_rate_ci95"]
    assert whole["suppressed"] == "false"
    assert [(row[0], row[1]) for row in rows[1:]] == [
        (dimension, "" if cell["value"] is None else cell["value"]) for dimension, cell in cells
    ]

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.user == analyst
    assert event.details["export"] == "reoffending"
    assert event.details["format"] == "csv"
    assert event.details["rows"] == len(rows)


def test_a_suppressed_breakdown_cell_is_empty_in_csv(api_as, analyst, people):
    header, *rows = csv_rows(api_as(analyst).get(f"{REOFFENDING}?{WINDOW}&format=csv"))
    suppressed = [dict(zip(header, row, strict=True)) for row in rows if row[-1] == "true"]
    assert suppressed  # 12 people in four genders: three in each, under the threshold
    for row in suppressed:
        assert all(row[name] == "" for name in FIGURE_COLUMNS[:-1])


def test_quarterly_csv_has_one_row_per_quarter_and_is_audited(api_as, manager, people):
    response = api_as(manager).get(f"{QUARTERLY}?{QUARTERS}", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="reoffending-quarterly-')
    header, *rows = csv_rows(response)
    assert header[:6] == [
        "dimension",
        "value",
        "index_from",
        "index_to",
        "people_with_index_event",
        "not_yet_measurable",
    ]
    assert header[6:] == FIGURE_COLUMNS
    assert [row[:4] for row in rows] == [
        ["quarter", "2018Q1", "2018-01-01", "2018-03-31"],
        ["quarter", "2018Q2", "2018-04-01", "2018-06-30"],
        ["quarter", "2018Q3", "2018-07-01", "2018-09-30"],
        ["quarter", "2018Q4", "2018-10-01", "2018-12-31"],
    ]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.user, event.details["export"]) == (manager, "reoffending_quarterly")


def test_pre_post_csv_has_a_row_for_the_whole_and_one_per_category(api_as, analyst, cohort, people):
    response = api_as(analyst).get(f"{PRE_POST}?cohort=fixed&as_of=2021-01-01&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pre-post-')
    header, *rows = csv_rows(response)
    assert header == [
        "dimension",
        "value",
        "members",
        "before",
        "after",
        "change_pct",
        "cost_before",
        "cost_after",
        "cost_change",
        "uncosted_offences",
        "suppressed",
    ]
    figures = metrics.pre_post(cohort=cohort, as_of=AS_OF)
    assert rows[0][:5] == ["all", "", "12", str(figures["offences_before"]), str(figures["offences_after"])]
    assert [(row[0], row[1]) for row in rows[1:]] == [("category", row["category"]) for row in figures["by_category"]]
    by_category = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_category["shoplifting"]["cost_before"] == ""  # uncosted
    assert by_category["domestic_burglary"]["before"] == "12"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.details["export"] == "pre_post"
    assert event.details["query"] == {"cohort": "fixed", "as_of": "2021-01-01", "format": "csv"}


def test_json_responses_are_not_audited_as_exports(api_as, analyst, people):
    for url in ENDPOINTS.values():
        assert api_as(analyst).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# --- Queries do not grow with the people measured -------------------------------------------------------------------

# reoffending and quarterly: the grouped query and data_as_of's four maxima (plus the cohort when one is named);
# pre-post: the cohort, new adoption windows (select, insert), members, counts, unit costs, and data_as_of.
BUDGETS = {"reoffending": 5, "quarterly": 5, "pre-post": 10}


@pytest.mark.parametrize("output", ["json", "csv"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_metric_queries_do_not_grow_with_the_people_measured(
    api_as, analyst, grow, endpoint, output, django_assert_max_num_queries
):
    client = api_as(analyst)
    url = ENDPOINTS[endpoint] + ("&format=csv" if output == "csv" else "")
    budget = BUDGETS[endpoint] + 2 * (output == "csv")  # a CSV export reads the audit chain's head, writes its row

    grow(10)
    with django_assert_max_num_queries(budget) as small:
        assert client.get(url).status_code == 200
    grow(30)
    with django_assert_max_num_queries(budget) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large), "\n".join(query["sql"] for query in large.captured_queries)


def test_quarterly_queries_grow_with_neither_quarters_nor_people(api_as, analyst, grow):
    """One grouped query for the whole quarterly series, whatever the number of quarters or people."""
    client = api_as(analyst)
    grow(10)
    with CaptureQueriesContext(connection) as four:
        client.get(f"{QUARTERLY}?{QUARTERS}")
    grow(10)
    with CaptureQueriesContext(connection) as eight:
        client.get(f"{QUARTERLY}?from_quarter=2018Q1&to_quarter=2019Q4&as_of=2021-01-01")
    assert len(eight) == len(four)


def test_an_empty_optional_parameter_is_the_same_as_leaving_it_out(api_as, analyst, people):
    window = "index_from=2018-01-01&index_to=2018-12-31"
    plain = api_as(analyst).get(f"{REOFFENDING}?{window}")
    blank = api_as(analyst).get(f"{REOFFENDING}?{window}&cohort=&as_of=")
    assert blank.status_code == 200
    assert without_data_as_of(blank.json()) == without_data_as_of(plain.json())
    assert blank.json()["cohort"] is None
    missing = api_as(analyst).get(f"{REOFFENDING}?index_from=&index_to=2018-12-31")
    assert missing.status_code == 400
    assert missing.json()["errors"]["index_from"] == ["This field is required."]
