"""The audit page: IOM managers and administrators read the s.62 log; nobody else does.

``person`` is on a Norwich case led by ``officer``; ``manager`` manages the Norfolk scheme;
``outsider_manager`` manages Suffolk's.
"""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iom import request_context, selectors, services
from iom.audit import audit_record
from iom.models import AuditAction, AuditEvent, AuditOutcome
from tests.iom import factories
from tests.web.cohorts.test_pages_cohorts import assert_well_formed, outline, signed_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
UTC = datetime.UTC


def rows(response) -> int:
    """Audit rows on the page (each row's first cell is its time)."""
    return response.content.decode().count('<tr class="govuk-table__row">') - 1 if b"<tbody" in response.content else 0


def cell(text: str) -> str:
    return f'<td class="govuk-table__cell">{text}</td>'


def at(moment: datetime.datetime):
    """Write audit rows as if it were ``moment`` (occurred_at is set by the database layer on insert)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def officer_viewed_person(officer, person):
    """The officer opens the person's record (in a request with a known id): one *view* event about them."""
    token = request_context.set_current(request_context.RequestContext("req-officer-1", "10.0.0.1"))
    try:
        selectors.person_get(user=officer, pk=person.pk)
    finally:
        request_context.reset(token)
    return AuditEvent.objects.get(user=officer, action=AuditAction.VIEW, person_id=person.pk)


@pytest.fixture
def exit_recorded(officer, person, cohort):
    """A change with values: the officer records an exit with a distinctive reason."""
    membership = services.membership_adopt(
        acting_user=officer, person=person, cohort=cohort, adopted_on=TODAY - datetime.timedelta(days=30)
    )
    services.membership_exit(
        acting_user=officer,
        membership=membership,
        exited_on=TODAY - datetime.timedelta(days=1),
        exit_reason="Relocated to Cumbria",
    )
    return AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="membership")


# --- Who may read it ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_administrators_open_the_audit_page(all_roles, officer_viewed_person, role):
    response = signed_in(all_roles[role]).get("/audit/")
    assert response.status_code == 200
    page = assert_well_formed(response)
    assert page.title.strip().startswith("Audit log")
    assert {c.get("name") for c in page.visible_controls} == {"user", "person", "date_from", "date_to", "action"}
    assert "govuk-table" in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "officer2", "probation", "partner", "coordinator", "employer", "analyst"])
def test_other_roles_are_refused_the_audit_page(all_roles, officer_viewed_person, role):
    response = signed_in(all_roles[role]).get("/audit/")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(user=all_roles[role], details__resource="audit").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_an_inactive_manager_is_refused(manager):
    client = signed_in(manager)
    manager.is_active = False
    manager.save()
    assert client.get("/audit/").status_code == 302


# --- What they see --------------------------------------------------------------------------------------------------


def test_manager_sees_the_officers_view_of_the_person_with_a_link_to_the_person(
    manager, officer, person, officer_viewed_person
):
    response = signed_in(manager).get(f"/audit/?user=officer&action=view&person={person.pk}")
    assert rows(response) == 1
    content = response.content.decode()
    assert ">officer<" in content
    assert cell("View") in content
    assert f"person {person.pk}" in content
    assert f'<a class="govuk-link" href="/people/{person.pk}/">{person.pk}</a>' in content
    assert "req-officer-1" in content


def test_manager_sees_changed_values(manager, exit_recorded):
    response = signed_in(manager).get("/audit/?action=change")
    content = response.content.decode()
    assert rows(response) == 1
    assert ">Changes</th>" in content
    assert "Relocated to Cumbria" in content


def test_administrator_sees_the_rows_but_never_the_values_nor_person_links(
    admin_user, person, officer_viewed_person, exit_recorded
):
    response = signed_in(admin_user).get("/audit/")
    content = response.content.decode()
    assert response.status_code == 200
    assert cell("Change") in content
    assert cell("View") in content
    assert "Changes</th>" not in content
    assert "Relocated to Cumbria" not in content
    assert "exit_reason" not in content
    assert f'href="/people/{person.pk}/"' not in content
    assert f">{person.pk}</td>" in content


def test_manager_of_another_scheme_does_not_see_norfolk_events(outsider_manager, person, officer_viewed_person):
    response = signed_in(outsider_manager).get("/audit/?user=officer")
    assert response.status_code == 200
    assert rows(response) == 0
    assert "No audit entries match these filters." in response.content.decode()


def test_refusals_are_shown_as_refused(manager, probation, person, cohort):
    with pytest.raises(PermissionDenied):
        services.membership_adopt(acting_user=probation, person=person, cohort=cohort, adopted_on=TODAY)
    content = signed_in(manager).get("/audit/?user=probation").content.decode()
    assert "govuk-tag--red" in content
    assert ">Refused<" in content


def test_reading_the_audit_page_is_itself_audited_once_per_view(manager, officer_viewed_person):
    client = signed_in(manager)
    client.get("/audit/?user=officer&action=view")
    client.get("/audit/?page=2")
    reads = list(AuditEvent.objects.filter(user=manager, action=AuditAction.LIST).order_by("pk"))
    assert [event.details for event in reads] == [
        {"resource": "audit", "query": {"user": "officer", "action": "view"}},
        {"resource": "audit", "query": {"page": "2"}},
    ]


def test_the_newest_entries_come_first(manager, officer, person):
    with at(datetime.datetime(2024, 1, 10, 12, tzinfo=UTC)):
        audit_record(user=officer, action=AuditAction.VIEW, obj=person, justification="older")
    with at(datetime.datetime(2024, 3, 10, 12, tzinfo=UTC)):
        audit_record(user=officer, action=AuditAction.EXPORT, obj=person)
    content = signed_in(manager).get("/audit/?user=officer").content.decode()
    assert content.index(cell("Export")) < content.index(cell("View"))


# --- Filters --------------------------------------------------------------------------------------------------------


def test_filters_by_user_person_and_action(manager, officer, probation, person, norwich):
    other = factories.CaseFactory(team=norwich).person
    audit_record(user=officer, action=AuditAction.VIEW, obj=person)
    audit_record(user=officer, action=AuditAction.VIEW, obj=other)
    audit_record(user=probation, action=AuditAction.VIEW, obj=person)
    audit_record(user=officer, action=AuditAction.EXPORT, obj=person)
    client = signed_in(manager)
    assert rows(client.get("/audit/?user=officer")) == 3
    assert rows(client.get("/audit/?user=OFFICER")) == 0  # exact, as typed at sign-in
    assert rows(client.get(f"/audit/?person={person.pk}")) == 3
    assert rows(client.get(f"/audit/?user=officer&person={person.pk}")) == 2
    assert rows(client.get(f"/audit/?user=officer&person={person.pk}&action=export")) == 1
    assert rows(client.get("/audit/?action=disclose")) == 0


def test_date_filters_follow_the_london_calendar(manager, officer, person):
    # 23:30 UTC on 1 June is 00:30 on 2 June in London (BST).
    with at(datetime.datetime(2024, 6, 1, 23, 30, tzinfo=UTC)):
        audit_record(user=officer, action=AuditAction.VIEW, obj=person)
    with at(datetime.datetime(2024, 5, 20, 9, tzinfo=UTC)):
        audit_record(user=officer, action=AuditAction.EXPORT, obj=person)
    client = signed_in(manager)
    on_second = client.get("/audit/?user=officer&date_from=2024-06-02&date_to=2024-06-02")
    assert rows(on_second) == 1
    assert cell("View") in on_second.content.decode()
    assert rows(client.get("/audit/?user=officer&date_from=2024-06-01&date_to=2024-06-01")) == 0
    assert rows(client.get("/audit/?user=officer&date_to=2024-05-31")) == 1
    assert rows(client.get("/audit/?user=officer&date_from=2024-05-20")) == 2


@pytest.mark.parametrize(
    ("query", "field_id", "message"),
    [
        ("person=abc", "id_person", "Enter the person ID as a whole number, for example 42"),
        ("date_from=2024-06-10&date_to=2024-06-01", "id_date_to", "The to date must be the same as or after the"),
        ("date_from=2024-13-01", "id_date_from", "Enter the from date as a real date"),
        ("action=delete_everything", "id_action", "Select a valid choice."),
    ],
    ids=["person-not-a-number", "dates-reversed", "impossible-date", "unknown-action"],
)
def test_invalid_filters_show_the_error_summary_and_no_results(
    manager, officer_viewed_person, query, field_id, message
):
    response = signed_in(manager).get(f"/audit/?{query}")
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert f'<a href="#{field_id}">{message}' in content
    assert outline(response).title.startswith("Error: ")
    assert "<tbody" not in content
    assert "Correct the filters to see audit entries." in content
    assert_well_formed(response)


def test_entries_are_paginated_fifty_to_a_page(manager, officer, person):
    for _ in range(60):
        audit_record(user=officer, action=AuditAction.VIEW, obj=person)
    client = signed_in(manager)
    first = client.get("/audit/?user=officer")
    assert rows(first) == 50
    assert 'href="?user=officer&amp;page=2"' in first.content.decode()
    assert rows(client.get("/audit/?user=officer&page=2")) == 10


# --- Query counts ---------------------------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_the_audit_page_query_count_does_not_grow_with_rows(
    all_roles, officer, person, exit_recorded, django_assert_max_num_queries, role
):
    client = signed_in(all_roles[role])
    for _ in range(5):
        audit_record(user=officer, action=AuditAction.VIEW, obj=person)
    few = _count_queries(client, "/audit/")
    for index in range(45):
        audit_record(
            user=officer,
            action=AuditAction.CHANGE,
            obj=person,
            changes={"last_name": ["Old", f"New {index}"]},
            outcome=AuditOutcome.DONE,
        )
    with django_assert_max_num_queries(few):
        response = client.get("/audit/")
    assert rows(response) == 50
    assert _count_queries(client, "/audit/") == few
    assert few <= 10
