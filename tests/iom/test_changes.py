"""iom.changes: the one snapshot → write → audit sequence behind every change service."""

import pytest
from django.core.exceptions import ValidationError

from iom.changes import audited_change, update_audited
from iom.errors import ConflictError
from iom.models import AuditAction, AuditEvent, Person
from tests.iom import factories

pytestmark = pytest.mark.django_db


def test_a_locked_update_is_audited_with_old_and_new_values_of_what_changed(officer, person):
    flag = factories.FlagFactory()
    old_name = person.first_name
    update_audited(
        acting_user=officer,
        instance=person,
        version=person.version,
        values={"first_name": "Renamed", "last_name": person.last_name, "flags": [flag]},
        details={"via": "test"},
    )
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="person")
    assert event.changes == {"first_name": [old_name, "Renamed"], "flags": [[], [flag.pk]]}
    assert (event.person_id, event.user_id, event.details) == (person.pk, officer.pk, {"via": "test"})
    assert (person.first_name, person.version) == ("Renamed", 2)
    assert list(Person.objects.get(pk=person.pk).flags.all()) == [flag]


def test_a_stale_version_writes_nothing_and_audits_nothing(officer, person):
    with pytest.raises(ConflictError):
        update_audited(acting_user=officer, instance=person, version=person.version + 1, values={"first_name": "X"})
    assert Person.objects.get(pk=person.pk).first_name != "X"
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


def test_a_guarded_change_that_fails_is_rolled_back_and_not_audited(officer, person):
    with pytest.raises(ValidationError), audited_change(acting_user=officer, instance=person, fields=["first_name"]):
        Person.objects.filter(pk=person.pk).update(first_name="Half written")
        raise ValidationError("the guard found someone else's change")
    assert Person.objects.get(pk=person.pk).first_name != "Half written"
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()
