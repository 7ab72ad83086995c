import pytest

from iom.models import AuditEvent, Person

pytestmark = pytest.mark.django_db


def form_data(person, **overrides):
    data = {
        "version": person.version,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "aliases": "",
        "date_of_birth": person.date_of_birth.isoformat(),
        "crn": "",
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "district": person.district,
        "risk_of_serious_harm": person.risk_of_serious_harm,
        # An edit is a correction: the page asks why (tests/web/test_corrections.py).
        "reason": "Corrected from the PNC record",
    }
    data.update(overrides)
    return data


def test_an_officer_edits_a_person_and_sees_a_confirmation(client, officer, person):
    client.force_login(officer)
    response = client.post(f"/people/{person.pk}/edit/", form_data(person, district="breckland"), follow=True)
    assert response.status_code == 200
    assert b"details were saved" in response.content
    assert Person.objects.get(pk=person.pk).district == "breckland"


def test_a_stale_edit_shows_the_other_change_and_saves_nothing(client, officer, probation, person):
    stale = form_data(person, last_name="Mine")
    client.force_login(probation)
    client.post(f"/people/{person.pk}/edit/", form_data(person, last_name="Theirs"))
    client.force_login(officer)
    response = client.post(f"/people/{person.pk}/edit/", stale)
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Someone else saved changes" in response.content
    assert b"Theirs" in response.content
    assert b"Mine" in response.content
    assert Person.objects.get(pk=person.pk).last_name == "Theirs"
    # Saving again after seeing their change is a deliberate overwrite with the latest version.
    response = client.post(f"/people/{person.pk}/edit/", dict(stale, version=response.context["form"].data["version"]))
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).last_name == "Mine"


def test_bad_input_is_summarised_and_writes_nothing(client, officer, person):
    client.force_login(officer)
    response = client.post(f"/people/{person.pk}/edit/", form_data(person, crn="nonsense", first_name=""))
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_crn"' in content
    assert 'href="#id_first_name"' in content
    assert content.count("<h1") == 1
    assert not AuditEvent.objects.filter(action="change").exists()


def test_another_team_gets_a_404_on_the_edit_page(client, officer2, person):
    client.force_login(officer2)
    assert client.get(f"/people/{person.pk}/edit/").status_code == 404


def test_an_empty_post_is_a_failed_submission_not_a_fresh_form(client, officer, person):
    client.force_login(officer)
    response = client.post("/people/new/", {})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
