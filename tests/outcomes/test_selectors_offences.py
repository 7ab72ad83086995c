"""outcomes.selectors.offences and the person page's offending history: the same visibility as the person."""

import datetime

import pytest
from django.test import Client

from outcomes.selectors.offences import offence_list_visible_to
from tests.iom.factories import PersonFactory
from tests.outcomes.factories import OffenceRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(person):
    return [
        OffenceRecordFactory(person=person, record_id="NOR-1", offence_date=datetime.date(2019, 5, 1)),
        OffenceRecordFactory(
            person=person, record_id="NOR-2", custody=True, offence_date=datetime.date(2020, 1, 10), release_date=None
        ),
    ]


def test_case_workers_see_the_offences_of_the_people_they_can_see(officer, probation, manager, history):
    for user in (officer, probation, manager):
        assert set(offence_list_visible_to(user=user)) == set(history)


def test_another_team_and_other_roles_see_none(officer2, analyst, employer, partner, admin_user, history):
    for user in (officer2, analyst, employer, partner, admin_user):
        assert not offence_list_visible_to(user=user).exists()


def test_an_imported_person_without_a_case_is_seen_by_managers_only(manager, officer):
    imported = PersonFactory()
    record = OffenceRecordFactory(person=imported)
    assert list(offence_list_visible_to(user=manager)) == [record]
    assert not offence_list_visible_to(user=officer).exists()


def test_the_person_page_shows_the_offending_history_newest_first(officer, person, history):
    client = Client()
    client.force_login(officer)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'id="offences"' in page
    assert page.index("NOR-2") < page.index("NOR-1")
    assert "In custody" in page  # a custodial sentence without a release date


def test_the_person_page_says_when_no_offences_are_recorded(officer, person):
    client = Client()
    client.force_login(officer)
    assert (
        "No offence records have been imported for this person." in client.get(f"/people/{person.pk}/").content.decode()
    )
