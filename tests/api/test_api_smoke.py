import pytest

pytestmark = pytest.mark.django_db


def test_people_list_is_401_for_anonymous(api):
    assert api.get("/api/v1/people/").status_code == 401


def test_officer_lists_their_teams_people(api_as, officer, case, officer2):
    response = api_as(officer).get("/api/v1/people/")
    assert response.status_code == 200, response.content
    assert [row["pnc_id"] for row in response.json()["results"]] == [case.person.pnc_id]
    assert api_as(officer2).get("/api/v1/people/").json()["results"] == []
    assert api_as(officer2).get(f"/api/v1/people/{case.person_id}/").status_code == 404
