"""A list read through the API names the people it disclosed (s.62 consultation; issue 12).

``/api/v1/notes/?case=2`` returns one person's notes: its audit row names that person, so the read is among "who
has looked at this person". A page about several people is one row per person shown, each with the same query,
written in one insert; a page about no one (or that found nothing) is one row naming no one, as before.
"""

import pytest

from iom import selectors
from iom.models import AuditAction, AuditEvent
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory
from tests.partners.factories import EmployerFactory, OpportunityFactory, ServiceFactory
from tests.referrals.factories import ConsentFactory, PlacementFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def list_rows(user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(user=user, action=AuditAction.LIST).order_by("pk"))


def test_a_list_of_one_persons_notes_names_the_person(api_as, officer, case):
    factories.NoteFactory(case=case, author=officer)
    factories.NoteFactory(case=case, author=officer)

    response = api_as(officer).get("/api/v1/notes/", {"case": case.pk})

    assert len(response.json()["results"]) == 2
    [row] = list_rows(officer)
    assert row.person_id == case.person_id
    assert row.details == {"resource": "notes", "query": {"case": [str(case.pk)]}}
    assert row.row_hash  # written through the audit writer, so chained like every other row


def test_the_list_read_is_among_who_has_looked_at_the_person(api_as, officer, probation, case):
    factories.NoteFactory(case=case, author=probation)

    api_as(officer).get("/api/v1/notes/", {"case": case.pk})

    assert [viewer["username"] for viewer in selectors.person_viewers(person=case.person)] == ["officer"]


def test_a_list_about_several_people_names_each_person_shown_once(api_as, officer, probation, norwich, case):
    other = factories.CaseFactory(team=norwich, lead_officer=officer, offender_manager=probation)
    for owner_case in (case, case, other):
        factories.ActionFactory(case=owner_case, owner=officer)

    api_as(officer).get("/api/v1/actions/", {"status": "open"})

    rows = list_rows(officer)
    assert sorted(row.person_id for row in rows) == sorted([case.person_id, other.person_id])
    assert {row.request_id for row in rows} != {""}  # each row carries the request's id, like any audit row
    assert len({row.request_id for row in rows}) == 1
    assert all(row.details == {"resource": "actions", "query": {"status": ["open"]}} for row in rows)


def test_only_the_people_on_the_page_shown_are_named(api_as, officer, probation, norwich):
    cases = [factories.CaseFactory(team=norwich, lead_officer=officer, offender_manager=probation) for _ in range(3)]

    response = api_as(officer).get("/api/v1/cases/", {"page_size": 2, "ordering": "opened_on"})

    shown = {row["person"] for row in response.json()["results"]}
    assert len(shown) == 2
    assert {row.person_id for row in list_rows(officer)} == shown
    assert shown < {c.person_id for c in cases}


def test_a_list_that_found_nothing_is_one_row_naming_no_one(api_as, officer, case):
    api_as(officer).get("/api/v1/notes/", {"case": case.pk})

    [row] = list_rows(officer)
    assert row.person_id is None
    assert row.details == {"resource": "notes", "query": {"case": [str(case.pk)]}}


def test_a_refused_or_malformed_list_writes_no_list_row(api_as, officer, employer):
    assert api_as(officer).get("/api/v1/notes/", {"case": "x"}).status_code == 400
    assert api_as(employer).get("/api/v1/notes/").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.LIST).exists()


def _seed_every_list(case, officer, partner, employer):
    """One row for each audited API list, all about ``case``'s person."""
    person = case.person
    factories.AssessmentFactory(case=case, assessed_by=officer)
    factories.ActionFactory(case=case, owner=officer)
    factories.NoteFactory(case=case, author=officer)
    factories.MembershipFactory(person=person, cohort=factories.CohortFactory(scheme=case.team.scheme))
    ConsentFactory(person=person, recorded_by=officer)
    ReferralFactory(case=case, service=ServiceFactory(organisation=partner.organisation), state="submitted")
    InterventionFactory(case=case, recorded_by=officer)
    PlacementFactory(
        referral__case=case,
        opportunity=OpportunityFactory(employer=EmployerFactory(organisation=employer.organisation)),
    )


@pytest.mark.parametrize(
    ("role", "path", "resource"),
    [
        ("officer", "/api/v1/people/", "people"),
        ("officer", "/api/v1/cases/", "cases"),
        ("officer", "/api/v1/assessments/", "assessments"),
        ("officer", "/api/v1/actions/", "actions"),
        ("officer", "/api/v1/notes/", "notes"),
        ("officer", "/api/v1/memberships/", "memberships"),
        ("officer", "/api/v1/consents/", "consents"),
        ("officer", "/api/v1/interventions/", "interventions"),
        ("partner", "/api/v1/referrals/", "referrals"),
        ("employer", "/api/v1/placements/", "placements"),
    ],
)
def test_every_audited_list_names_the_person_it_shows(api_as, all_roles, case, role, path, resource):
    _seed_every_list(case, all_roles["officer"], all_roles["partner"], all_roles["employer"])
    user = all_roles[role]

    response = api_as(user).get(path)

    assert response.status_code == 200
    assert response.json()["count"] >= 1
    [row] = list_rows(user)
    assert (row.person_id, row.details["resource"]) == (case.person_id, resource)
