import pytest

from iom.models import Action, Person
from tests.iom import factories
from tests.iom.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_stale_person_edit_is_409_and_shows_the_other_change(api_as, officer, probation, person):
    first = api_as(probation).patch(f"/api/v1/people/{person.pk}/", {"first_name": "Alex", "version": 1})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2
    stale = api_as(officer).patch(f"/api/v1/people/{person.pk}/", {"first_name": "Jo", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["current"]["first_name"] == "Alex"
    assert Person.objects.get(pk=person.pk).first_name == "Alex"


def test_a_missing_version_is_400(api_as, officer, person):
    response = api_as(officer).patch(f"/api/v1/people/{person.pk}/", {"first_name": "Jo"})
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_a_stale_action_completion_is_409(api_as, officer, case):
    action = factories.ActionFactory(case=case, owner=officer)
    api_as(officer).patch(f"/api/v1/actions/{action.pk}/", {"description": "Updated", "version": 1})
    response = api_as(officer).post(f"/api/v1/actions/{action.pk}/complete/", {"version": 1})
    assert response.status_code == 409
    assert Action.objects.get(pk=action.pk).status == "open"


def test_a_stale_case_allocation_is_409(api_as, officer, case):
    ok = api_as(officer).patch(f"/api/v1/cases/{case.pk}/", {"status": "paused", "version": 1})
    assert ok.status_code == 200, ok.content
    stale = api_as(officer).patch(f"/api/v1/cases/{case.pk}/", {"offender_manager": None, "version": 1})
    assert stale.status_code == 409


def test_a_case_patch_whose_status_is_refused_keeps_no_part_of_it(api_as, officer, probation, case):
    closed = api_as(officer).patch(f"/api/v1/cases/{case.pk}/", {"status": "closed", "version": 1})
    assert closed.status_code == 200, closed.content
    factories.CaseFactory(person=case.person, team=case.team)  # reopening would make two open cases in the team
    response = api_as(officer).patch(
        f"/api/v1/cases/{case.pk}/", {"offender_manager": None, "status": "active", "version": 2}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    case.refresh_from_db()
    assert (case.offender_manager, case.status, case.version) == (probation, "closed", 2)


def test_validation_errors_name_the_field_and_write_nothing(api_as, officer):
    response = api_as(officer).post(
        "/api/v1/people/",
        {"pnc_id": "2013/0012345A", "first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01"},
    )
    assert response.status_code == 400
    assert "pnc_id" in response.json()["errors"]
    assert not Person.objects.exists()


def test_unknown_query_parameters_are_400(api_as, officer):
    response = api_as(officer).get("/api/v1/people/", {"colour": "blue"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": ["Unknown query parameter."]}


def test_token_auth_round_trip(api, officer):
    response = api.post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["username"] == "officer"
    bad = api.post("/api/v1/auth/token/", {"username": "officer", "password": "nope"})
    assert bad.status_code == 400


def test_the_openapi_schema_and_docs_render(client, officer):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/people/" in schema.content
    assert client.get("/api/docs/").status_code == 302  # to sign in (tests/web/security/test_api_docs.py)
    client.force_login(officer)
    assert client.get("/api/docs/").status_code == 200
