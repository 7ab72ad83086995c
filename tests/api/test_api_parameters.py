"""Query parameters are strict (README "API", docs/roles.md "Refusals and errors").

Paging (``page``, ``page_size``), ordering (``ordering=``) and every filter refuse a value they cannot use with a
400 in the one error shape, naming the parameter, instead of ignoring it (200) or failing (404, 500): one
paginator (``api/pagination.py``) and two filter backends (``api/filters.py``) do it for every list.
"""

import pytest

from iom.models import AuditEvent
from tests.iom import factories

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"

# (who, path, query, the parameter the 400 names)
BAD = [
    ("officer", "actions", "page_size=-1", "page_size"),
    ("officer", "actions", "page_size=0", "page_size"),
    ("officer", "actions", "page_size=100000", "page_size"),
    ("officer", "actions", "page_size=abc", "page_size"),
    ("officer", "actions", "page=abc", "page"),
    ("officer", "actions", "page=0", "page"),
    ("officer", "actions", "page=-2", "page"),
    ("officer", "actions", "overdue=maybe", "overdue"),
    ("officer", "cases", "mine=perhaps", "mine"),
    ("officer", "memberships", "open=2", "open"),
    ("officer", "actions", "ordering=password", "ordering"),
    ("officer", "actions", "ordering=due_on,-owner__password", "ordering"),
    ("officer", "people", "ordering=password", "ordering"),
    ("officer", "notes", "case=abc", "case"),
    ("officer", "notes", f"case={HUGE}", "case"),
    ("officer", "notes", "case=1.5", "case"),
    ("officer", "interventions", f"programme={HUGE}", "programme"),
    ("officer", "referrals", "state=nonsense", "state"),
    ("officer", "cohorts", "active=yes-ish", "active"),
    ("manager", "audit-events", "person=1.5", "person"),
    ("manager", "audit-events", f"person={HUGE}", "person"),
    ("manager", "audit-events", "person=-1e400", "person"),
    ("manager", "audit-events", "person=NaN", "person"),
    ("manager", "audit-events", "occurred_from=2026-02-30", "occurred_from"),
    ("manager", "audit-events", "occurred_to=99999-01-01", "occurred_to"),
    ("manager", "audit-events", "action=nonsense", "action"),
    ("manager", "audit-events", "page_size=1e3", "page_size"),
]


@pytest.fixture
def world(case, officer, manager):
    factories.ActionFactory(case=case, owner=officer)
    AuditEvent.objects.count()
    return case


@pytest.mark.parametrize(("who", "path", "query", "parameter"), BAD, ids=[f"{p}?{q}" for _, p, q, _ in BAD])
def test_it_refuses_a_malformed_query_parameter_naming_it(api_as, request, world, who, path, query, parameter):
    response = api_as(request.getfixturevalue(who)).get(f"/api/v1/{path}/?{query}")

    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert list(body["errors"]) == [parameter]
    assert all(isinstance(message, str) for message in body["errors"][parameter])


GOOD = [
    ("officer", "actions", "page_size=1&page=1"),
    ("officer", "actions", "page_size=200&page=last"),
    ("officer", "actions", "overdue=true"),
    ("officer", "actions", "overdue=false"),
    ("officer", "actions", "ordering=-due_on,status"),
    ("officer", "actions", "overdue="),
    ("manager", "audit-events", "person=1"),
    ("manager", "audit-events", "occurred_from=2026-01-31"),
]


@pytest.mark.parametrize(("who", "path", "query"), GOOD, ids=[f"{p}?{q}" for _, p, q in GOOD])
def test_it_takes_a_well_formed_query_parameter(api_as, request, world, who, path, query):
    response = api_as(request.getfixturevalue(who)).get(f"/api/v1/{path}/?{query}")

    assert response.status_code == 200, response.content
    assert "results" in response.json()


@pytest.mark.parametrize("page", ["2", HUGE])
def test_a_page_past_the_last_is_still_a_404_in_the_error_shape(api_as, world, officer, page):
    response = api_as(officer).get(f"/api/v1/actions/?page={page}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def _schema(client) -> dict:
    import yaml  # noqa: PLC0415

    return yaml.safe_load(client.get("/api/schema/").content)


def test_the_schema_documents_the_400_of_every_strict_get_and_the_unpaged_arrays(client):
    paths = _schema(client)["paths"]
    lists = [path for path, ops in paths.items() if ops.get("get", {}).get("operationId", "").endswith("_list")]
    lists.remove("/api/v1/auth/tokens/")  # takes no query parameters at all, so cannot answer 400
    assert len(lists) > 15
    for path in lists:
        assert "400" in paths[path]["get"]["responses"], path
    for path in ("/api/v1/cases/{id}/grants/", "/api/v1/placements/{id}/events/"):
        operation = paths[path]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
        assert {p["name"] for p in operation.get("parameters", [])} & {"page", "page_size"} == set()


def test_fields_that_can_be_empty_are_documented_as_nullable(client):
    schemas = _schema(client)["components"]["schemas"]
    assert schemas["Membership"]["properties"]["exit_decided_by"]["nullable"] is True
    for field in ("started_on", "sustained_13_on", "sustained_26_on", "ended_on"):
        assert schemas["Candidate"]["properties"][field]["nullable"] is True


def test_an_unpaged_list_is_an_array_and_refuses_paging(api_as, world, officer):
    client = api_as(officer)
    assert isinstance(client.get(f"/api/v1/cases/{world.pk}/grants/").json(), list)
    response = client.get(f"/api/v1/cases/{world.pk}/grants/?page=2")
    assert response.status_code == 400
    assert response.json()["errors"] == {"page": ["Unknown query parameter."]}
