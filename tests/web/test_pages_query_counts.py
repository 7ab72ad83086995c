"""Lists stay fast at national scale: the caseload, the search and the person page read in a fixed number of
queries however many rows they show (docs/product.md "What every feature must also do").

Each test measures the page with 5 rows, grows the rows to 50 and measures again: both under the ceiling,
and the two counts equal (a count that grows with the rows is an N+1). Each page is requested once before
measuring so one-off work (the session, content types) does not blur the comparison.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from iom.models import ActionStatus, Flag, Pathway, Rag, Sensitivity
from tests.iom import factories
from tests.outcomes.factories import OffenceRecordFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 50
# Ceilings: the measured counts (SQLite and PostgreSQL agree) with no slack, so any new query is a decision.
# Each page writes one audit row, and reads the audit chain's head (and takes its lock) first (iom/audit_chain.py).
CASELOAD_CEILING = 14  # + the overdue and due-this-week counts and the paginator count
SEARCH_CEILING = 9
# A manager also reads "Who has looked at this person"; both read the interventions of the cases and the
# person's offence records (one query each), and the newest corrections (one more).
PERSON_PAGE_CEILING = {"officer": 22, "manager": 23}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def today() -> datetime.date:
    return timezone.localdate()


def measure(client: Client, url: str, ceiling: int, django_assert_max_num_queries) -> int:
    client.get(url)
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- My caseload ------------------------------------------------------------------------------------------------


def add_caseload_rows(*, norwich, officer, probation, count: int) -> None:
    """Cases ``officer`` leads, each with an assessment, an overdue and a due-soon action and a note."""
    for number in range(count):
        case = factories.CaseFactory(team=norwich, lead_officer=officer, offender_manager=probation)
        factories.AssessmentFactory(case=case, pathway=Pathway.values[number % 7], rag=Rag.AMBER, assessed_by=officer)
        factories.ActionFactory(case=case, owner=officer, due_on=today() - datetime.timedelta(days=1 + number % 9))
        factories.ActionFactory(case=case, owner=officer, due_on=today() + datetime.timedelta(days=number % 7))
        factories.NoteFactory(case=case, author=probation, sensitivity=Sensitivity.values[number % 2])


def test_the_caseload_reads_in_the_same_number_of_queries_for_5_or_50_cases(
    officer, probation, norwich, django_assert_max_num_queries
):
    client = signed_in(officer)
    add_caseload_rows(norwich=norwich, officer=officer, probation=probation, count=SMALL)
    small = measure(client, "/", CASELOAD_CEILING, django_assert_max_num_queries)
    assert len(client.get("/").context["rows"]) == SMALL

    add_caseload_rows(norwich=norwich, officer=officer, probation=probation, count=LARGE - SMALL)
    large = measure(client, "/", CASELOAD_CEILING, django_assert_max_num_queries)
    assert len(client.get("/").context["rows"]) == LARGE
    assert small == large


# --- Search -----------------------------------------------------------------------------------------------------


def add_matching_people(*, norwich, officer, count: int) -> None:
    """People on Norwich cases whose last name matches the search, each with flags and aliases to show."""
    flags = list(Flag.objects.all()[:2]) or [factories.FlagFactory(), factories.FlagFactory()]
    for _ in range(count):
        case = factories.CaseFactory(
            team=norwich, lead_officer=officer, person__last_name="Thurlbeck", person__aliases="Tee\nTommy T"
        )
        case.person.flags.set(flags)


def test_search_reads_in_the_same_number_of_queries_for_5_or_50_matches(
    officer, norwich, django_assert_max_num_queries
):
    client = signed_in(officer)
    url = "/people/?q=Thurlbeck"
    add_matching_people(norwich=norwich, officer=officer, count=SMALL)
    small = measure(client, url, SEARCH_CEILING, django_assert_max_num_queries)
    assert client.get(url).context["page_obj"].paginator.count == SMALL

    add_matching_people(norwich=norwich, officer=officer, count=LARGE - SMALL)
    large = measure(client, url, SEARCH_CEILING, django_assert_max_num_queries)
    assert client.get(url).context["page_obj"].paginator.count == LARGE
    assert small == large


# --- The person page --------------------------------------------------------------------------------------------


def add_case_history(*, case, cohort, officer, probation, start: int, count: int) -> None:
    """Actions, notes, assessments and (exited) cohort memberships on the person's case."""
    for number in range(start, start + count):
        status = [ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED][number % 3]
        factories.ActionFactory(
            case=case,
            owner=[officer, probation][number % 2],
            created_by=officer,
            status=status,
            done_on=today() if status == ActionStatus.DONE else None,
            pathway=Pathway.values[number % 7],
        )
        factories.NoteFactory(
            case=case, author=[officer, probation][number % 2], sensitivity=Sensitivity.values[number % 2]
        )
        factories.AssessmentFactory(
            case=case,
            pathway=Pathway.values[number % 7],
            rag=Rag.values[number % 3],
            assessed_on=today() - datetime.timedelta(days=number),
            assessed_by=officer,
        )
        adopted = today() - datetime.timedelta(days=2000 - number * 30)
        OffenceRecordFactory(person=case.person, offence_date=adopted, outcome_date=adopted)
        factories.MembershipFactory(
            person=case.person,
            cohort=cohort,
            adopted_on=adopted,
            exited_on=adopted + datetime.timedelta(days=20),
            exit_reason="Completed the programme",
            decided_by=officer,
            exit_decided_by=probation,
        )


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_the_person_page_reads_in_the_same_number_of_queries_for_5_or_50_of_each_record(
    all_roles, case, cohort, officer, officer2, probation, role, django_assert_max_num_queries
):
    assign_perm("view_case", officer2, case)
    client = signed_in(all_roles[role])
    url = f"/people/{case.person_id}/"
    add_case_history(case=case, cohort=cohort, officer=officer, probation=probation, start=0, count=SMALL)
    small = measure(client, url, PERSON_PAGE_CEILING[role], django_assert_max_num_queries)

    add_case_history(case=case, cohort=cohort, officer=officer, probation=probation, start=SMALL, count=LARGE - SMALL)
    large = measure(client, url, PERSON_PAGE_CEILING[role], django_assert_max_num_queries)
    context = client.get(url).context
    section = context["case_sections"][0]
    assert (len(section["actions"]), len(section["notes"]), len(context["memberships"])) == (LARGE, LARGE, LARGE)
    assert len(context["offences"]) == LARGE
    assert sum(len(p["history"]) for p in section["pathways"]) == LARGE
    assert small == large
