"""/api/v1/interventions/ and /api/v1/programmes/: case workers only, visibility by case, audited like notes."""

import datetime

import pytest
from django.utils import timezone

from iom.models import AuditAction, AuditEvent
from outcomes.models import Intervention
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory, ProgrammeFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/interventions/"


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Thinking Skills Programme")


def body(case, programme, **overrides):
    data = {"case": case.pk, "programme": programme.pk, "started_on": days(-20), "sessions_planned": 8}
    data.update(overrides)
    return data


def test_an_officer_records_an_intervention(api_as, officer, case, programme):
    response = api_as(officer).post(URL, body(case, programme, sessions_attended=3), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["provider"] == programme.provider_id
    assert data["provider_name"] == programme.provider.name
    assert data["programme_name"] == "Thinking Skills Programme"
    assert (data["outcome"], data["recorded_by"], data["version"]) == ("ongoing", "officer", 1)
    assert AuditEvent.objects.filter(object_type="intervention", action=AuditAction.CREATE).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sessions_attended": 9}, "sessions_attended"),
        ({"ended_on": days(-30), "outcome": "completed"}, "ended_on"),
        ({"started_on": days(2)}, "started_on"),
        ({"outcome": "completed"}, "ended_on"),
        ({"ended_on": days(-1)}, "outcome"),
    ],
    ids=["attended-over-planned", "end-before-start", "future-start", "finished-without-end", "ongoing-with-end"],
)
def test_invalid_interventions_are_400_with_field_errors_and_write_nothing(
    api_as, officer, case, programme, overrides, field
):
    response = api_as(officer).post(URL, body(case, programme, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Intervention.objects.exists()


def test_a_referral_from_another_case_is_refused(api_as, officer, case, programme):
    other = ReferralFactory(case=factories.CaseFactory(team=case.team))
    response = api_as(officer).post(URL, body(case, programme, referral=other.pk), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"referral": ["Choose a referral from this case."]}


def test_an_officer_in_another_team_cannot_see_or_record_on_the_case(api_as, officer2, case, programme):
    intervention = InterventionFactory(case=case)
    client = api_as(officer2)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{intervention.pk}/").status_code == 404
    response = client.post(URL, body(case, programme), format="json")
    assert response.status_code == 400  # the case reads as one that does not exist
    assert "case" in response.json()["errors"]
    assert client.patch(f"{URL}{intervention.pk}/", {"version": 1}, format="json").status_code == 404
    assert Intervention.objects.count() == 1


@pytest.mark.parametrize("role", ["partner", "coordinator", "employer", "analyst", "admin"])
def test_roles_without_case_work_are_refused(api_as, all_roles, case, programme, role):
    intervention = InterventionFactory(case=case)
    client = api_as(all_roles[role])
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{intervention.pk}/").status_code == 403
    assert client.post(URL, body(case, programme), format="json").status_code == 403
    assert client.patch(f"{URL}{intervention.pk}/", {"version": 1}, format="json").status_code == 403
    assert client.get("/api/v1/programmes/").status_code == 403


def test_anonymous_is_401(api, case, programme):
    intervention = InterventionFactory(case=case)
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{intervention.pk}/").status_code == 401
    assert api.post(URL, body(case, programme), format="json").status_code == 401
    assert api.get("/api/v1/programmes/").status_code == 401


def test_the_list_filters_and_is_audited(api_as, officer, case, programme):
    mine = InterventionFactory(case=case, programme=programme)
    InterventionFactory(case=case, outcome="completed", ended_on=timezone.localdate())
    InterventionFactory()  # another team's case
    client = api_as(officer)
    assert [row["id"] for row in client.get(URL, {"programme": programme.pk}).json()["results"]] == [mine.pk]
    assert len(client.get(URL, {"outcome": "completed"}).json()["results"]) == 1
    assert len(client.get(URL, {"case": case.pk}).json()["results"]) == 2
    event = AuditEvent.objects.filter(action=AuditAction.LIST).latest("pk")
    assert event.details == {"resource": "interventions", "query": {"case": [str(case.pk)]}}
    assert client.get(URL, {"colour": "red"}).status_code == 400


def test_reading_one_intervention_is_audited_as_a_view(api_as, probation, case):
    intervention = InterventionFactory(case=case)
    assert api_as(probation).get(f"{URL}{intervention.pk}/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="intervention")
    assert event.person_id == case.person_id


def test_a_patch_ends_the_intervention_and_a_stale_version_is_409(api_as, officer, probation, case):
    intervention = InterventionFactory(case=case, sessions_planned=10, sessions_attended=2)
    change = {"version": 1, "ended_on": days(-1), "outcome": "partially_completed", "sessions_attended": 6}
    response = api_as(officer).patch(f"{URL}{intervention.pk}/", change, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["outcome"], response.json()["version"]) == ("partially_completed", 2)
    stale = api_as(probation).patch(f"{URL}{intervention.pk}/", {"version": 1, "sessions_attended": 7}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    intervention.refresh_from_db()
    assert intervention.sessions_attended == 6


def test_a_patch_without_a_version_is_400(api_as, officer, case):
    intervention = InterventionFactory(case=case)
    response = api_as(officer).patch(f"{URL}{intervention.pk}/", {"sessions_attended": 3}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_case_workers_list_the_programme_catalogue(api_as, officer, programme):
    ProgrammeFactory(name="Old course", active=False)
    client = api_as(officer)
    rows = client.get("/api/v1/programmes/").json()["results"]
    assert [row["name"] for row in rows] == ["Old course", "Thinking Skills Programme"]
    active = client.get("/api/v1/programmes/", {"active": "true"}).json()["results"]
    assert [row["name"] for row in active] == ["Thinking Skills Programme"]
    assert client.post("/api/v1/programmes/", {}).status_code == 405


def test_the_list_reads_in_a_constant_number_of_queries(api_as, officer, case, django_assert_max_num_queries):
    client = api_as(officer)
    for _ in range(3):
        InterventionFactory(case=case)
    client.get(URL)
    with django_assert_max_num_queries(20) as small:
        client.get(URL)
    for _ in range(20):
        InterventionFactory(case=case)
    with django_assert_max_num_queries(20) as large:
        client.get(URL)
    assert len(small) == len(large)
