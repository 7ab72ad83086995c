import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from iom import services
from iom.errors import ConflictError
from iom.models import AuditEvent, Case, Person
from iom.pnc import make_pnc_id, validate_pnc_id

pytestmark = pytest.mark.django_db


def person_data(**overrides):
    data = {
        "pnc_id": make_pnc_id(2013, 12345),
        "first_name": "Sam",
        "last_name": "Example",
        "date_of_birth": datetime.date(1990, 5, 17),
        "gender": "male",
        "district": "norwich",
    }
    data.update(overrides)
    return data


def test_pnc_check_letter_matches_the_design_example():
    assert make_pnc_id(2013, 12345) == "2013/0012345Q"
    validate_pnc_id("2013/0012345Q")
    with pytest.raises(ValidationError, match="check letter"):
        validate_pnc_id("2013/0012345A")
    with pytest.raises(ValidationError, match="YYYY/NNNNNNNL"):
        validate_pnc_id("13/12345Q")


def test_officer_creating_a_person_opens_a_case_in_their_team(officer, norwich):
    person = services.person_create(acting_user=officer, **person_data())
    case = Case.objects.get(person=person)
    assert case.team == norwich
    assert case.lead_officer == officer
    assert AuditEvent.objects.filter(action="create", object_type="person", person_id=person.pk).exists()


def test_it_rejects_a_bad_pnc_id_and_writes_nothing(officer):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(acting_user=officer, **person_data(pnc_id="2013/0012345A"))
    assert "pnc_id" in excinfo.value.message_dict
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_it_rejects_a_duplicate_pnc_id_and_a_future_birth_date(officer, person):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(acting_user=officer, **person_data(pnc_id=person.pnc_id))
    assert "pnc_id" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(acting_user=officer, **person_data(date_of_birth=datetime.date(2999, 1, 1)))
    assert "date_of_birth" in excinfo.value.message_dict
    assert Person.objects.count() == 1


def test_it_rejects_fields_that_are_not_part_of_a_person(officer):
    with pytest.raises(TypeError, match="version"):
        services.person_create(acting_user=officer, **person_data(version=7))
    assert Person.objects.count() == 0


def test_non_casework_roles_cannot_create_people(employer, analyst):
    for user in (employer, analyst):
        with pytest.raises(PermissionDenied):
            services.person_create(acting_user=user, **person_data())
    assert Person.objects.count() == 0


def test_update_records_old_and_new_values(officer, person):
    services.person_update(acting_user=officer, person=person, version=person.version, district="breckland")
    person.refresh_from_db()
    assert person.district == "breckland"
    assert person.version == 2
    event = AuditEvent.objects.get(action="change", object_type="person")
    assert event.changes == {"district": ["norwich", "breckland"]}


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(officer, probation, person):
    read_version = person.version
    services.person_update(acting_user=probation, person=person, version=read_version, first_name="Alex")
    stale = Person.objects.get(pk=person.pk)
    with pytest.raises(ConflictError) as excinfo:
        services.person_update(acting_user=officer, person=stale, version=read_version, first_name="Jo")
    assert excinfo.value.current_version == read_version + 1
    assert excinfo.value.current == {"first_name": "Alex"}
    assert Person.objects.get(pk=person.pk).first_name == "Alex"


def test_an_officer_of_another_team_cannot_change_the_person_and_is_audited(officer2, person):
    with pytest.raises(Http404):
        services.person_update(acting_user=officer2, person=person, version=1, first_name="X")
    refused = AuditEvent.objects.get(outcome="refused")
    assert refused.user == officer2
    assert refused.person_id == person.pk
    assert Person.objects.get(pk=person.pk).first_name != "X"
