"""Rectification (issue 12 section 2): a correction of a person's recorded details keeps its history, who, when, the
old and new value and the reason, and everyone who may see the person sees it on the person page (outcomes
.selectors.corrections, the edit page, ``PATCH /api/v1/people/{id}/``). Offence records corrected by a re-import
show there too; values erased with the person read "erased".
"""

import datetime
import html

import pytest
from django.db import transaction

from iom import services
from iom.audit import audit_record, redact_events_about
from iom.models import AuditAction, AuditEvent, Person
from outcomes.services.imports import import_csv
from tests.iom import factories
from tests.outcomes.factories import OffenceRecordFactory
from tests.web.cohorts.test_pages_cohorts import signed_in
from tests.web.people.test_pages_people import edit_data as people_edit_data

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def person(case):
    Person.objects.filter(pk=case.person_id).update(
        first_name="Dean", last_name="Smyth", date_of_birth=datetime.date(1990, 5, 17), district="norwich"
    )
    return Person.objects.get(pk=case.person_id)


def edit_data(person, **overrides) -> dict:
    return people_edit_data(person, **{"reason": "Spelling corrected from the PNC record", **overrides})


def corrections_table(page: str) -> str:
    start = page.index('id="corrections-table"')
    return page[start : page.index("</table>", start)]


def test_a_correction_on_the_edit_page_keeps_who_when_old_new_and_why(officer, probation, person):
    response = signed_in(officer).post(
        f"/people/{person.pk}/edit/",
        edit_data(person, last_name="Smith", date_of_birth="1990-05-18", district="breckland"),
    )
    assert response.status_code == 302
    row = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="person")
    assert row.justification == "Spelling corrected from the PNC record"
    assert row.changes["last_name"] == ["Smyth", "Smith"]

    # Everyone who may see the person sees it: here the offender manager on the case.
    table = corrections_table(text(signed_in(probation).get(f"/people/{person.pk}/")))
    for shown in ("Last name", "Smyth", "Smith", "Date of birth", "17 May 1990", "18 May 1990", "District"):
        assert shown in table, shown
    assert "Norwich" in table and "Breckland" in table  # a code is shown by its label
    assert "by officer" in table
    assert "Spelling corrected from the PNC record" in table
    assert "Personal details" in table


def test_the_edit_page_asks_for_a_reason_and_saves_nothing_without_one(officer, person):
    response = signed_in(officer).post(f"/people/{person.pk}/edit/", edit_data(person, last_name="Smith", reason=" "))
    assert response.status_code == 200
    assert "Enter the reason for the change." in text(response)
    person.refresh_from_db()
    assert person.last_name == "Smyth"
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


def test_the_api_records_a_reason_when_given_and_accepts_an_edit_without_one(api_as, officer, person):
    client = api_as(officer)
    response = client.patch(
        f"/api/v1/people/{person.pk}/", {"version": person.version, "last_name": "Smith", "reason": "Typo"}
    )
    assert response.status_code == 200, response.json()
    assert "reason" not in response.json()
    response = client.patch(f"/api/v1/people/{person.pk}/", {"version": person.version + 1, "first_name": "Deano"})
    assert response.status_code == 200, response.json()
    rows = list(AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="person").order_by("pk"))
    assert [(row.changes, row.justification) for row in rows] == [
        ({"last_name": ["Smyth", "Smith"]}, "Typo"),
        ({"first_name": ["Dean", "Deano"]}, ""),
    ]
    table = corrections_table(text(signed_in(officer).get(f"/people/{person.pk}/")))
    assert "Typo" in table and "Not given" in table


def test_a_reason_longer_than_the_limit_is_a_400_naming_it(api_as, officer, person):
    response = api_as(officer).patch(
        f"/api/v1/people/{person.pk}/", {"version": person.version, "last_name": "Smith", "reason": "x" * 1001}
    )
    assert response.status_code == 400
    assert "reason" in str(response.json())
    person.refresh_from_db()
    assert person.last_name == "Smyth"


def test_flags_added_and_removed_are_named(officer, person):
    flag = factories.FlagFactory(code="drugs", name="Drugs")
    services.person_update(acting_user=officer, person=person, version=person.version, flags=[flag], reason="Intel")
    table = corrections_table(text(signed_in(officer).get(f"/people/{person.pk}/")))
    assert "Flags" in table and "Drugs" in table and "Intel" in table


def test_an_offence_record_corrected_by_a_re_import_shows_with_the_import(manager, person):
    OffenceRecordFactory(person=person, record_id="NRF-1", offence_date=datetime.date(2018, 1, 10), outcome="caution")
    content = (
        "record_id,pnc_id,offence_date,offence_category,outcome,outcome_date\n"
        f"NRF-1,{person.pnc_id},2018-01-12,other_theft,caution,2018-02-07\n"
    ).encode()
    result = import_csv(acting_user=manager, kind="offences", content=content)
    assert result.ok and result.updated == 1, result.errors
    table = corrections_table(text(signed_in(manager).get(f"/people/{person.pk}/")))
    assert "Offence record NRF-1" in table
    assert "Offence date" in table and "10 Jan 2018" in table and "12 Jan 2018" in table
    assert "Imported from a file" in table


def test_values_erased_with_the_person_read_erased_and_keep_who_and_when(officer, person):
    services.person_update(
        acting_user=officer, person=person, version=person.version, last_name="Smith", reason="Spelling"
    )
    with transaction.atomic():
        assert redact_events_about(person.pk) >= 1
    table = corrections_table(text(signed_in(officer).get(f"/people/{person.pk}/")))
    assert "Recorded details" in table
    assert table.count("erased") == 3  # before, after and the reason
    assert "by officer" in table


def test_views_refusals_and_empty_changes_are_not_corrections(officer, officer2, person):
    audit_record(user=officer, action=AuditAction.VIEW, obj=person)
    with pytest.raises(Exception):  # noqa: B017 (the refusal's own type is another test's business)
        services.person_update(acting_user=officer2, person=person, version=person.version, last_name="X")
    services.person_update(acting_user=officer, person=person, version=person.version, reason="Nothing changed")
    page = text(signed_in(officer).get(f"/people/{person.pk}/"))
    assert "No recorded details or offence records have been corrected." in page


def test_the_person_page_shows_the_newest_five_and_links_to_every_correction(officer, person):
    for number in range(7):
        person.refresh_from_db()
        services.person_update(
            acting_user=officer, person=person, version=person.version, aliases=f"Alias {number}", reason=f"R{number}"
        )
    client = signed_in(officer)
    table = corrections_table(text(client.get(f"/people/{person.pk}/")))
    assert [f"R{n}" in table for n in range(7)] == [False, False, True, True, True, True, True]
    page = text(client.get(f"/people/{person.pk}/"))
    assert f'href="/people/{person.pk}/corrections/"' in page
    full = text(client.get(f"/people/{person.pk}/corrections/"))
    assert all(f"R{n}" in corrections_table(full) for n in range(7))


def test_the_corrections_page_is_a_404_for_another_team_and_a_403_for_other_roles(officer2, partner, person):
    assert signed_in(officer2).get(f"/people/{person.pk}/corrections/").status_code == 404
    assert signed_in(partner).get(f"/people/{person.pk}/corrections/").status_code == 403


def test_the_corrections_page_reads_in_the_same_number_of_queries_for_3_or_40(
    officer, person, django_assert_max_num_queries
):
    client = signed_in(officer)
    url = f"/people/{person.pk}/corrections/"

    def correct(count: int) -> None:
        for number in range(count):
            person.refresh_from_db()
            services.person_update(
                acting_user=officer, person=person, version=person.version, aliases=f"A{number}", reason="Typo"
            )

    def measure() -> int:
        client.get(url)
        with django_assert_max_num_queries(10) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    correct(3)
    small = measure()
    correct(37)
    large = measure()
    assert small == large


def test_markup_in_a_reason_and_a_value_is_shown_as_text(officer, person):
    services.person_update(
        acting_user=officer,
        person=person,
        version=person.version,
        aliases="<b>Bold</b>",
        reason='<script>alert("x")</script>',
    )
    page = signed_in(officer).get(f"/people/{person.pk}/").content.decode()
    table = corrections_table(page)
    assert "<script>" not in table and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in table
    assert "<b>Bold</b>" not in table and "&lt;b&gt;Bold&lt;/b&gt;" in table
