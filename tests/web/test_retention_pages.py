"""The retention review pages (web/retention/, docs/retention.md): IOM managers see the people due, keep their
records with a reason and a date, or dispose of them after a confirmation naming what goes; an erased person then
shows everywhere as "Erased person" with their reference.

``manager`` manages the Norfolk scheme (Norwich and Great Yarmouth); ``outsider_manager`` Suffolk's.
"""

import datetime

import pytest
from django.utils import timezone

from iom.dates import add_months
from iom.models import AuditAction, AuditEvent, CaseStatus, Person
from outcomes.models import RetentionDecision
from outcomes.services.retention import retention_schedules_refresh
from tests.iom import factories
from tests.outcomes.factories import OffenceRecordFactory
from tests.web.cohorts.test_pages_cohorts import assert_well_formed, signed_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
QUEUE = "/retention/"


def due_in(team, *, surname: str, closed_years_ago: int = 8):
    """A person whose case in ``team`` closed long ago, with an old shoplifting caution: due for review."""
    person = factories.PersonFactory(first_name="Ravi", last_name=surname)
    closed = add_months(TODAY, -12 * closed_years_ago)
    factories.CaseFactory(
        person=person,
        team=team,
        status=CaseStatus.CLOSED,
        opened_on=closed - datetime.timedelta(days=300),
        closed_on=closed,
    )
    OffenceRecordFactory(
        person=person, offence_category="shoplifting", offence_date=closed - datetime.timedelta(days=400)
    )
    return person


@pytest.fixture
def due(norwich, suffolk_team):
    people = {
        "ours": due_in(norwich, surname="Oldcastle"),
        "older": due_in(norwich, surname="Ancient", closed_years_ago=10),
        "theirs": due_in(suffolk_team, surname="Elsewhere"),
    }
    retention_schedules_refresh()
    return people


def test_the_queue_lists_the_people_due_that_the_manager_sees_longest_overdue_first(
    due, manager, django_assert_max_num_queries
):
    client = signed_in(manager)
    with django_assert_max_num_queries(15):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert_well_formed(response)
    html = response.content.decode()
    assert "Ancient" in html and "Oldcastle" in html and "Elsewhere" not in html
    assert html.index("Ancient") < html.index("Oldcastle")
    assert "2 people due for review" in html and "Group 3: all other offences" in html and "shoplifting" in html
    assert AuditEvent.objects.filter(
        user=manager, action=AuditAction.LIST, details__resource="retention queue"
    ).exists()


def test_the_queue_pages_with_the_same_queries_however_long(norwich, manager, django_assert_max_num_queries):
    for n in range(30):
        due_in(norwich, surname=f"Many{n:02d}")
    retention_schedules_refresh()
    client = signed_in(manager)
    with django_assert_max_num_queries(15):
        first = client.get(QUEUE)
    with django_assert_max_num_queries(15):
        second = client.get(QUEUE + "?page=2")
    assert "Many00" in first.content.decode() and "Many29" in second.content.decode()
    assert 'aria-label="Page 2"' in first.content.decode()


def test_the_queue_says_when_nobody_is_due(manager):
    response = signed_in(manager).get(QUEUE)
    assert response.status_code == 200
    assert "Nobody you can see is due for review" in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "probation", "partner", "analyst", "admin"])
def test_only_iom_managers_open_the_review(due, all_roles, role):
    person = due["ours"]
    client = signed_in(all_roles[role])
    for path in (QUEUE, f"/retention/people/{person.pk}/", f"/retention/people/{person.pk}/dispose/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/retention/people/{person.pk}/dispose/").status_code == 403
    assert Person.objects.get(pk=person.pk).erased_at is None


def test_another_schemes_person_is_not_found(due, manager):
    person = due["theirs"]
    client = signed_in(manager)
    assert client.get(f"/retention/people/{person.pk}/").status_code == 404
    assert client.post(f"/retention/people/{person.pk}/dispose/").status_code == 404
    assert Person.objects.get(pk=person.pk).erased_at is None


def test_a_manager_keeps_a_persons_records_with_a_reason_and_a_date(due, manager):
    person = due["ours"]
    client = signed_in(manager)
    page = client.get(f"/retention/people/{person.pk}/")
    assert page.status_code == 200
    assert_well_formed(page)
    html = page.content.decode()
    assert "Review Ravi Oldcastle's records" in html and "Last activity" in html and "(case)" in html
    latest = add_months(TODAY, 72)
    assert f"No later than {latest.day} {latest:%B %Y}." in html
    assert AuditEvent.objects.filter(user=manager, action=AuditAction.VIEW, person=person).exists()
    until = add_months(TODAY, 36)
    response = client.post(
        f"/retention/people/{person.pk}/", {"reason": "Still assessed as a risk to a partner", "next_review_on": until}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    decision = RetentionDecision.objects.get(person=person)
    assert (decision.decision, decision.next_review_on, decision.decided_by) == ("retain", until, manager)
    queue = client.get(QUEUE).content.decode()
    assert "records are kept; the next review is on" in queue and "1 person due for review" in queue
    history = client.get("/retention/decisions/").content.decode()
    assert "Still assessed as a risk to a partner" in history and "Kept" in history


def test_a_bad_date_is_refused_with_a_clear_error_and_nothing_written(due, manager):
    person = due["ours"]
    response = signed_in(manager).post(
        f"/retention/people/{person.pk}/", {"reason": "Risk", "next_review_on": add_months(TODAY, 80)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "6 years is the longest a group 3 record waits" in html
    assert not RetentionDecision.objects.exists()


def test_disposal_confirms_what_will_be_erased_then_erases(due, manager, officer):
    person = due["ours"]
    case = person.cases.get()
    factories.NoteFactory(case=case, author=officer, occurred_on=case.closed_on, text="Saw Ravi Oldcastle")
    client = signed_in(manager)
    confirm = client.get(f"/retention/people/{person.pk}/dispose/")
    assert confirm.status_code == 200
    assert_well_formed(confirm)
    html = confirm.content.decode()
    assert "It cannot be undone" in html and "case notes: 1" in html and "offence records" in html
    assert Person.objects.get(pk=person.pk).erased_at is None  # opening the page erases nothing

    response = client.post(f"/retention/people/{person.pk}/dispose/")
    assert response.status_code == 302 and response["Location"] == QUEUE
    erased = Person.objects.get(pk=person.pk)
    assert erased.erased_at is not None and erased.full_name == "Erased person"
    message = client.get(QUEUE).content.decode()
    assert f"Their records remain as {erased.pnc_id}" in message and "Oldcastle" not in message

    person_page = client.get(f"/people/{person.pk}/")
    assert person_page.status_code == 200
    assert_well_formed(person_page)
    page_html = person_page.content.decode()
    assert "Erased person" in page_html and erased.pnc_id in page_html
    assert "Oldcastle" not in page_html and "Ravi" not in page_html
    search = client.get("/people/?q=Erased").content.decode()
    assert ">Erased person</a>" in search and erased.pnc_id in search
    for listing in ("/people/?q=Erased", "/cohorts/", "/retention/decisions/"):
        assert "Oldcastle" not in client.get(listing).content.decode()
    assert client.get(f"/people/{person.pk}/edit/").status_code == 403
    assert client.get(f"/retention/people/{person.pk}/dispose/").status_code == 404  # never twice
