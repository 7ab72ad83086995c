"""Lists stay a constant number of queries however many rows they show (docs/product.md).

Each test renders a list with 5 rows, then with 50 (one full page), and asserts the two query counts are equal
and under a pinned ceiling. Each row gets its own related objects (case, owner, author, flags, ...) so a
missing ``select_related`` or ``prefetch_related`` shows as a count that grows with the rows.
"""

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone

from iom.audit import audit_record
from iom.models import AuditAction, Role
from tests.iom import factories

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 50


@pytest.fixture
def assert_constant_queries(django_assert_max_num_queries):
    """Render with SMALL rows, grow to LARGE, render again: same count both times, at most ``ceiling``."""

    def check(*, render: Callable[[], int], grow: Callable[[int], None], ceiling: int) -> None:
        grow(SMALL)
        with django_assert_max_num_queries(ceiling) as small:
            shown = render()
        assert shown == SMALL
        grow(LARGE - SMALL)
        with django_assert_max_num_queries(ceiling) as large:
            shown = render()
        assert shown == LARGE
        assert len(small) == len(large), "\n".join(query["sql"] for query in large.captured_queries)

    return check


def _api_rows(client, url: str) -> Callable[[], int]:
    def render() -> int:
        response = client.get(url)
        assert response.status_code == 200, response.content
        return len(response.json()["results"])

    return render


def _norwich_case(norwich, officer, probation, **person):
    return factories.CaseFactory(
        team=norwich, lead_officer=officer, offender_manager=probation, person=factories.PersonFactory(**person)
    )


def test_people_list_queries_do_not_grow_with_rows(api_as, officer, probation, norwich, assert_constant_queries):
    def grow(count: int) -> None:
        for _ in range(count):
            case = _norwich_case(norwich, officer, probation, aliases="Alias one\nAlias two")
            case.person.flags.set([factories.FlagFactory(), factories.FlagFactory()])

    # count, page, the flags of the page, the audit row of the search and the audit chain's head before it
    assert_constant_queries(render=_api_rows(api_as(officer), "/api/v1/people/"), grow=grow, ceiling=5)


def test_people_search_queries_do_not_grow_with_rows(api_as, officer, probation, norwich, assert_constant_queries):
    factories.CaseFactory(team=norwich, person=factories.PersonFactory(last_name="Unrelated"))

    def grow(count: int) -> None:
        for _ in range(count):
            case = _norwich_case(norwich, officer, probation, last_name="Thackeray")
            case.person.flags.set([factories.FlagFactory()])

    assert_constant_queries(render=_api_rows(api_as(officer), "/api/v1/people/?q=thackeray"), grow=grow, ceiling=5)


def test_case_list_queries_do_not_grow_with_rows(
    api_as, manager, police, probation_org, norwich, yarmouth, assert_constant_queries
):
    def grow(count: int) -> None:
        for index in range(count):
            lead = factories.UserFactory(role=Role.IOM_OFFICER, organisation=police, teams=[norwich])
            om = factories.UserFactory(role=Role.OFFENDER_MANAGER, organisation=probation_org, teams=[norwich])
            factories.CaseFactory(team=yarmouth if index % 2 else norwich, lead_officer=lead, offender_manager=om)

    # count, page (person, team, lead officer and offender manager joined), the audit chain's head, the audit row
    assert_constant_queries(render=_api_rows(api_as(manager), "/api/v1/cases/"), grow=grow, ceiling=4)


def test_action_list_queries_do_not_grow_with_rows(
    api_as, officer, probation, police, norwich, assert_constant_queries
):
    def grow(count: int) -> None:
        for _ in range(count):
            owner = factories.UserFactory(role=Role.IOM_OFFICER, organisation=police, teams=[norwich])
            factories.ActionFactory(case=_norwich_case(norwich, officer, probation), owner=owner)

    # count, page (owner joined)
    assert_constant_queries(
        render=_api_rows(api_as(officer), "/api/v1/actions/"), grow=grow, ceiling=4
    )  # count, page, the audit chain's head, the list's audit row


def test_note_list_queries_do_not_grow_with_rows(api_as, officer, probation, police, norwich, assert_constant_queries):
    def grow(count: int) -> None:
        for index in range(count):
            author = factories.UserFactory(role=Role.IOM_OFFICER, organisation=police, teams=[norwich])
            sensitivity = "restricted" if index % 2 else "normal"
            factories.NoteFactory(
                case=_norwich_case(norwich, officer, probation), author=author, sensitivity=sensitivity
            )

    # count, page (author joined), the audit chain's head, the audit row
    assert_constant_queries(render=_api_rows(api_as(officer), "/api/v1/notes/"), grow=grow, ceiling=4)


def test_membership_list_queries_do_not_grow_with_rows(
    api_as, officer, probation, police, norwich, cohort, assert_constant_queries
):
    def grow(count: int) -> None:
        for _ in range(count):
            decider = factories.UserFactory(role=Role.IOM_MANAGER, organisation=police, teams=[norwich])
            factories.MembershipFactory(
                person=_norwich_case(norwich, officer, probation).person, cohort=cohort, decided_by=decider
            )

    # count, page (person, cohort, deciders joined), the audit chain's head, the audit row
    assert_constant_queries(render=_api_rows(api_as(officer), "/api/v1/memberships/"), grow=grow, ceiling=4)


def test_audit_event_list_queries_do_not_grow_with_rows(
    api_as, manager, officer, probation, police, norwich, assert_constant_queries
):
    def grow(count: int) -> None:
        for _ in range(count):
            actor = factories.UserFactory(role=Role.IOM_OFFICER, organisation=police, teams=[norwich])
            person = _norwich_case(norwich, officer, probation).person
            audit_record(user=actor, action=AuditAction.VIEW, obj=person)

    # count, page
    assert_constant_queries(render=_api_rows(api_as(manager), "/api/v1/audit-events/"), grow=grow, ceiling=2)


def test_home_page_queries_do_not_grow_with_rows(
    client, officer, probation, police, norwich, django_assert_max_num_queries
):
    """The officer's caseload and overdue actions: one query each, however long the caseload."""
    client.force_login(officer)
    overdue_on = timezone.localdate() - datetime.timedelta(days=3)

    def grow(count: int) -> None:
        for _ in range(count):
            case = _norwich_case(norwich, officer, probation)
            factories.ActionFactory(case=case, owner=officer, due_on=overdue_on)

    def render() -> str:
        response = client.get("/")
        assert response.status_code == 200
        return response.content.decode()

    # session, user, organisation (works_cases), cases, their current RAGs, overdue actions, actions due
    # this week and their two counts, the paginator's count, recent notes, the audit chain's head and the caseload's
    # audit row, unread notifications
    grow(SMALL)
    with django_assert_max_num_queries(14) as small:
        page = render()
    person_links = re.compile(r'href="/people/\d')
    assert len(person_links.findall(page)) == SMALL * 2
    grow(LARGE - SMALL)
    with django_assert_max_num_queries(14) as large:
        page = render()
    assert len(person_links.findall(page)) == LARGE + 20  # 50 cases and the first 20 overdue actions
    assert len(small) == len(large), "\n".join(query["sql"] for query in large.captured_queries)
