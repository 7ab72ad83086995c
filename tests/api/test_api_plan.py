"""/api/v1/plan/: the scorecard and framework (JSON and CSV) for managers, analysts and administrators, and the
managers' edits with optimistic locking."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iom.models import AuditAction, AuditEvent
from outcomes.models import PlanActual, PlanMeasure
from tests.outcomes.plan_support import enter, fake_reoffending, make_measure, seeded

pytestmark = pytest.mark.django_db

PLAN = "/api/v1/plan/"
FRAMEWORK = "/api/v1/plan/framework/"
KSI = "/api/v1/plan/measures/ksi-road-collisions/"
ROLES = (
    "anonymous",
    "officer",
    "officer2",
    "probation",
    "manager",
    "outsider_manager",
    "partner",
    "coordinator",
    "employer",
    "analyst",
    "admin",
)
# Started years across the seed: nine measures over 2013/14 to 2015/16 and the Gateway line to 2016/17.
SEEDED_ROWS = 9 * 3 + 4

# fmt: off
#        anon officer officer2 probation manager outsider partner coord employer analyst admin
READ  = (401, 403,    403,     403,      200,    200,     403,    403,  403,     200,    200)
MISSING = (401, 403,  403,     403,      404,    404,     403,    403,  403,     404,    404)
MATRIX = [
    ("GET",   PLAN,                                             None,       READ),
    ("GET",   PLAN + "?format=csv",                             None,       READ),
    ("GET",   FRAMEWORK,                                        None,       READ),
    ("GET",   KSI,                                              None,       READ),
    ("GET",   "/api/v1/plan/measures/no-such-measure/",         None,       MISSING),
    ("PATCH", KSI,                                              "patch",
              (401, 403,    403,     403,      200,    200,     403,    403,  403,     403,    200)),
    ("PATCH", "/api/v1/plan/measures/no-such-measure/",         "patch",
              (401, 403,    403,     403,      404,    404,     403,    403,  403,     403,    404)),
    ("PUT",   KSI,                                              "patch",
              (401, 405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
    ("POST",  KSI + "actuals/",                                 "actual",
              (401, 403,    403,     403,      201,    201,     403,    403,  403,     403,    403)),
    ("PUT",   KSI + "actuals/2013-14/",                         "change",
              (401, 403,    403,     403,      200,    200,     403,    403,  403,     403,    403)),
    ("PUT",   KSI + "actuals/2015-16/",                         "change",
              (401, 403,    403,     403,      404,    404,     403,    403,  403,     403,    403)),
    ("DELETE", KSI + "actuals/2013-14/",                        None,
              (401, 405,    405,     405,      405,    405,     405,    405,  405,     405,    405)),
]
# fmt: on
BODIES = {
    "patch": {"version": 1, "target": 310},
    "actual": {"period": "2014-15", "value": 328, "note": "Road casualty returns"},
    "change": {"version": 1, "value": 329},
}


@pytest.fixture(autouse=True)
def _reoffending(monkeypatch):
    fake_reoffending(monkeypatch, {2012: 0.45, 2013: 0.43, 2014: 0.41, 2015: 0.40})


@pytest.fixture
def ksi_actual(manager):
    enter(seeded("ksi-road-collisions"), manager, y2013=341)
    return PlanActual.objects.get(period=2013)


@pytest.mark.parametrize(
    ("role", "method", "url", "body", "expected"),
    [
        pytest.param(role, method, url, body, statuses[index], id=f"{role}-{method}-{url}")
        for method, url, body, statuses in MATRIX
        for index, role in enumerate(ROLES)
    ],
)
def test_permission_matrix(api, all_roles, ksi_actual, role, method, url, body, expected):
    if role != "anonymous":
        api.force_authenticate(all_roles[role])
    data = BODIES[body] if body else {}
    response = api.get(url) if method == "GET" else getattr(api, method.lower())(url, data, format="json")
    assert response.status_code == expected, response.content


# --- The scorecard -----------------------------------------------------------------------------------------------


def _measure(data: dict, code: str) -> dict:
    return next(m for o in data["objectives"] for m in o["measures"] if m["code"] == code)


def test_the_scorecard_gives_numbers_as_numbers_and_years_as_2015_16(api_as, analyst, manager):
    asb = seeded("asb-incidents")
    PlanMeasure.objects.filter(pk=asb.pk).update(baseline=30000)
    enter(asb, manager, y2013=26000, y2014=17500)
    response = api_as(analyst).get(PLAN)
    assert response.status_code == 200
    data = response.json()
    assert data["periods"] == ["2013-14", "2014-15", "2015-16", "2016-17"]
    assert [o["code"] for o in data["objectives"]] == [
        "reduce-priority-crime-and-asb",
        "reduce-reoffending",
        "support-victims",
        "cut-demand",
    ]
    measure = _measure(data, "asb-incidents")
    assert (measure["baseline"], measure["baseline_period"], measure["target"]) == (30000, "2012-13", 40)
    assert measure["actuals"][1] == {
        "period": "2014-15",
        "period_start": "2014-04-01",
        "period_end": "2015-03-31",
        "value": 17500,
        "source": "entered",
        "note": "",
        "version": 1,
    }
    assert measure["latest"] == {"period": "2014-15", "value": 17500}
    assert (measure["change_from_baseline_pct"], measure["status"]) == (-41.7, "met")
    reoffending = _measure(data, "prolific-offender-reoffending")
    assert [p["value"] for p in reoffending["actuals"]] == [43.0, 41.0, 40.0]
    assert (reoffending["baseline"], reoffending["baseline_source"], reoffending["status"]) == (45.0, "computed", "met")


def test_the_scorecard_names_nobody(api_as, analyst, manager):
    enter(seeded("ksi-road-collisions"), manager, y2013=341)
    body = api_as(analyst).get(PLAN).content.decode()
    assert manager.username not in body
    assert "entered_by" not in body


def test_reading_the_scorecard_as_json_is_not_an_export(api_as, analyst):
    assert api_as(analyst).get(PLAN).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize(
    "query",
    ["?view=framework", "?cohort=fixed", "?as_of=2016-01-01", "?page=2"],
    ids=["view", "cohort", "as-of", "page"],
)
def test_unknown_query_parameters_are_a_400(api_as, analyst, query):
    response = api_as(analyst).get(PLAN + query)
    assert response.status_code == 400
    name = query[1:].split("=")[0]
    assert response.json()["errors"] == {name: ["Unknown query parameter."]}


def test_the_scorecard_takes_the_same_queries_however_many_measures(api_as, manager):
    client = api_as(manager)
    with CaptureQueriesContext(connection) as before:
        assert client.get(PLAN).status_code == 200
    for number in range(15):
        enter(make_measure(code=f"extra-{number}"), manager, y2013=5, y2014=4, y2015=3)
    with CaptureQueriesContext(connection) as after:
        assert client.get(PLAN).status_code == 200
    assert len(before) == len(after), "\n".join(query["sql"] for query in after.captured_queries)
    assert len(after) <= 30


# --- CSV ---------------------------------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize("how", ["format", "accept"])
def test_the_scorecard_as_csv_has_one_row_per_measure_and_year_and_is_audited(api_as, analyst, manager, how):
    enter(seeded("ksi-road-collisions"), manager, y2013=341, y2014=318)
    client = api_as(analyst)
    response = client.get(PLAN + "?format=csv") if how == "format" else client.get(PLAN, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="plan-scorecard-')
    rows = _csv(response)
    assert len(rows) == SEEDED_ROWS
    assert list(rows[0]) == [
        "objective",
        "measure",
        "title",
        "kind",
        "unit",
        "computed",
        "cohort",
        "baseline",
        "baseline_period",
        "target",
        "period_from",
        "period_to",
        "status",
        "period",
        "period_start",
        "period_end",
        "value",
        "source",
    ]
    ksi = [row for row in rows if row["measure"] == "ksi-road-collisions"]
    assert [(r["period"], r["value"], r["source"], r["status"]) for r in ksi] == [
        ("2013-14", "341", "entered", "met"),
        ("2014-15", "318", "entered", "met"),
        ("2015-16", "", "", "met"),
    ]
    assert (ksi[0]["target"], ksi[0]["period_to"], ksi[0]["period_end"]) == ("320", "2015-16", "2014-03-31")
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (export.user, export.details) == (analyst, {"export": "plan_scorecard", "format": "csv", "rows": 31})


def test_the_framework_as_csv_has_trends_and_no_targets(api_as, admin_user, manager):
    enter(seeded("ksi-road-collisions"), manager, y2013=350, y2014=315)
    response = api_as(admin_user).get(FRAMEWORK + "?format=csv")
    rows = _csv(response)
    assert "target" not in rows[0] and "status" not in rows[0]
    ksi = [row for row in rows if row["measure"] == "ksi-road-collisions"]
    assert [(r["period"], r["value"], r["change"], r["change_pct"], r["direction"]) for r in ksi] == [
        ("2013-14", "350", "", "", ""),
        ("2014-15", "315", "-35", "-10", "down"),
        ("2015-16", "", "", "", ""),
    ]
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).details["export"] == "plan_framework"


def test_the_framework_as_json_has_no_target_or_status(api_as, analyst):
    data = api_as(analyst).get(FRAMEWORK).json()
    measure = _measure(data, "gateway-employers")
    assert set(measure) == {"code", "title", "unit", "computed", "cohort", "trend"}
    assert [p["period"] for p in measure["trend"]] == ["2013-14", "2014-15", "2015-16", "2016-17"]


def test_a_refusal_asked_for_as_csv_is_json_and_not_audited_as_an_export(api_as, officer):
    response = api_as(officer).get(PLAN, HTTP_ACCEPT="text/csv")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# --- Editing a measure -------------------------------------------------------------------------------------------


def test_a_manager_sets_a_baseline_with_the_version_read(api_as, manager):
    client = api_as(manager)
    read = client.get("/api/v1/plan/measures/priority-crime/").json()
    assert (read["version"], read["baseline"], read["baseline_period"]) == (1, None, "2012-13")
    response = client.patch(
        "/api/v1/plan/measures/priority-crime/",
        {"version": read["version"], "baseline": "41250", "baseline_period": "2012/13"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["baseline"], response.json()["version"]) == (41250, 2)
    assert AuditEvent.objects.filter(object_type="planmeasure", action=AuditAction.CHANGE, user=manager).exists()


def test_a_missing_version_is_a_400_and_a_stale_one_a_409(api_as, manager, admin_user):
    missing = api_as(manager).patch(KSI, {"target": 300}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()["errors"]
    assert api_as(admin_user).patch(KSI, {"version": 1, "target": 310}, format="json").status_code == 200
    stale = api_as(manager).patch(KSI, {"version": 1, "target": 300}, format="json")
    assert stale.status_code == 409
    assert (stale.json()["current_version"], stale.json()["current"]) == (2, {"target": 310.0})
    assert PlanMeasure.objects.get(code="ksi-road-collisions").target == 310


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 1, "title": "Renamed"}, "title"),
        ({"version": 1, "period_to": "2016"}, "period_to"),
        ({"version": 1, "target": "lots"}, "target"),
        ({"version": 1, "target": 320.5}, "target"),
        ({"version": 0, "target": 300}, "version"),
    ],
    ids=["unknown-field", "bad-year", "not-a-number", "count-not-whole", "version-zero"],
)
def test_bad_measure_edits_are_400s_with_field_errors(api_as, manager, body, field):
    response = api_as(manager).patch(KSI, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert PlanMeasure.objects.get(code="ksi-road-collisions").version == 1


# --- Entering and changing actuals -------------------------------------------------------------------------------


def test_a_manager_enters_an_actual_then_entering_it_again_is_a_409(api_as, manager):
    client = api_as(manager)
    body = {"period": "2014/15", "value": 328, "note": "Road casualty returns"}
    created = client.post(KSI + "actuals/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json() == {
        "measure": "ksi-road-collisions",
        "period": "2014-15",
        "period_start": "2014-04-01",
        "period_end": "2015-03-31",
        "value": 328,
        "note": "Road casualty returns",
        "version": 1,
        "updated_at": created.json()["updated_at"],
    }
    again = client.post(KSI + "actuals/", {**body, "value": 300}, format="json")
    assert again.status_code == 409
    assert again.json()["current"]["value"] == 328
    assert PlanActual.objects.get(period=2014).value == 328


def test_a_computed_measure_takes_no_actuals(api_as, manager):
    response = api_as(manager).post(
        "/api/v1/plan/measures/gateway-employers/actuals/", {"period": "2014-15", "value": 12}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "2014", "value": 3}, "period"),
        ({"period": "2016-17", "value": 3}, "period"),
        ({"period": "2014-15"}, "value"),
        ({"period": "2014-15", "value": -3}, "value"),
        ({"period": "2014-15", "value": 3, "entered_by": 1}, "entered_by"),
    ],
    ids=["bad-year", "outside-the-measure", "no-value", "negative", "unknown-field"],
)
def test_bad_actuals_are_400s_with_field_errors(api_as, manager, body, field):
    response = api_as(manager).post(KSI + "actuals/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not PlanActual.objects.exists()


def test_a_manager_changes_an_actual_with_its_version(api_as, manager, ksi_actual):
    client = api_as(manager)
    version = _measure(client.get(PLAN).json(), "ksi-road-collisions")["actuals"][0]["version"]
    changed = client.put(KSI + "actuals/2013-14/", {"version": version, "value": 339, "note": "Revised"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["value"], changed.json()["version"]) == (339, 2)
    stale = client.put(KSI + "actuals/2013-14/", {"version": version, "value": 1}, format="json")
    assert stale.status_code == 409
    missing = client.put(KSI + "actuals/2013-14/", {"value": 1}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()["errors"]
    ksi_actual.refresh_from_db()
    assert ksi_actual.value == 339


@pytest.mark.parametrize("period", ["2013", "2013-15", "year"])
def test_an_actual_url_that_is_not_a_financial_year_is_a_404(api_as, manager, ksi_actual, period):
    response = api_as(manager).put(f"{KSI}actuals/{period}/", {"version": 1, "value": 1}, format="json")
    assert response.status_code == 404


# --- Documentation -----------------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_plan_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/plan/:",
        "/api/v1/plan/framework/:",
        "/api/v1/plan/measures/{code}/:",
        "/api/v1/plan/measures/{code}/actuals/:",
        "/api/v1/plan/measures/{code}/actuals/{period}/:",
    ):
        assert path in schema
    assert "text/csv" in schema


@pytest.mark.parametrize("method", ["head", "options"])
def test_head_and_options_are_for_the_readers(api_as, analyst, officer, method):
    assert getattr(api_as(analyst), method)(PLAN).status_code == 200
    assert getattr(api_as(officer), method)(PLAN).status_code == 403
