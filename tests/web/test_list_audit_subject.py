"""A list page names the people it showed (s.62 consultation; issue 12), as the API's lists do
(tests/api/test_list_audit_subject.py): one audit row per person on the page shown, with the page's query, so each
list is among "who has looked at this person"; a list that showed no one is one row naming no one."""

import pytest

from iom import selectors
from iom.models import AuditAction, AuditEvent
from tests.iom import factories
from tests.web.cohorts.test_pages_cohorts import signed_in

pytestmark = pytest.mark.django_db


def list_rows(user, resource: str) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(user=user, action=AuditAction.LIST).order_by("pk")
    return [row for row in rows if row.details.get("resource") == resource]


def test_a_search_names_each_person_it_found(officer, probation, norwich):
    found = [
        factories.CaseFactory(
            team=norwich, lead_officer=officer, offender_manager=probation, person__last_name=f"Quenby{n}"
        ).person
        for n in range(2)
    ]
    factories.CaseFactory(team=norwich, lead_officer=officer, offender_manager=probation, person__last_name="Other")

    assert signed_in(officer).get("/people/", {"q": "Quenby"}).status_code == 200

    rows = list_rows(officer, "people")
    assert sorted(row.person_id for row in rows) == sorted(person.pk for person in found)
    assert all(row.details["query"] == {"q": "Quenby"} for row in rows)
    assert [viewer["username"] for viewer in selectors.person_viewers(person=found[0])] == ["officer"]


def test_a_search_that_found_no_one_names_no_one(officer):
    assert signed_in(officer).get("/people/", {"q": "Nobody-at-all"}).status_code == 200
    [row] = list_rows(officer, "people")
    assert row.person_id is None


def test_the_caseload_names_the_people_on_it(officer, probation, norwich):
    cases = [factories.CaseFactory(team=norwich, lead_officer=officer, offender_manager=probation) for _ in range(3)]

    assert signed_in(officer).get("/").status_code == 200

    assert sorted(row.person_id for row in list_rows(officer, "caseload")) == sorted(c.person_id for c in cases)
