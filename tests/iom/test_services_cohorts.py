import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from iom import services
from iom.models import AuditEvent, Membership
from tests.iom import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def test_an_officer_adopts_and_exits_with_a_reason(officer, person, cohort):
    membership = services.membership_adopt(
        acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(90), panel_date=days_ago(95)
    )
    assert membership.decided_by == officer
    services.membership_exit(
        acting_user=officer, membership=membership, exited_on=days_ago(1), exit_reason="Reduced offending"
    )
    membership.refresh_from_db()
    assert membership.exited_on == days_ago(1)
    assert membership.exit_decided_by == officer
    change = AuditEvent.objects.get(action="change", object_type="membership")
    assert change.changes["exited_on"] == [None, days_ago(1).isoformat()]


def test_a_person_has_at_most_one_open_membership_per_cohort(officer, person, cohort):
    services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(90))
    with pytest.raises(ValidationError) as excinfo:
        services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(10))
    assert "person" in excinfo.value.message_dict
    assert Membership.objects.count() == 1


def test_readoption_must_start_after_the_last_exit(officer, person, cohort):
    first = services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(300))
    services.membership_exit(acting_user=officer, membership=first, exited_on=days_ago(100), exit_reason="Custody")
    with pytest.raises(ValidationError) as excinfo:
        services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(150))
    assert "adopted_on" in excinfo.value.message_dict
    again = services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(50))
    assert Membership.objects.filter(person=person).count() == 2
    assert again.exited_on is None


def test_exit_needs_a_reason_and_a_date_not_before_adoption(officer, person, cohort):
    membership = services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(30))
    with pytest.raises(ValidationError) as excinfo:
        services.membership_exit(acting_user=officer, membership=membership, exited_on=days_ago(40), exit_reason=" ")
    assert set(excinfo.value.message_dict) == {"exited_on", "exit_reason"}
    membership.refresh_from_db()
    assert membership.exited_on is None


def test_an_exit_cannot_be_recorded_twice(officer, person, cohort):
    membership = services.membership_adopt(acting_user=officer, person=person, cohort=cohort, adopted_on=days_ago(30))
    services.membership_exit(acting_user=officer, membership=membership, exited_on=days_ago(2), exit_reason="Moved")
    with pytest.raises(ValidationError):
        services.membership_exit(acting_user=officer, membership=membership, exited_on=days_ago(1), exit_reason="Again")
    membership.refresh_from_db()
    assert membership.exit_reason == "Moved"


def test_offender_managers_do_not_record_panel_decisions(probation, person, cohort):
    with pytest.raises(PermissionDenied):
        services.membership_adopt(acting_user=probation, person=person, cohort=cohort, adopted_on=days_ago(1))
    assert not Membership.objects.exists()


def test_future_adoption_dates_are_refused(officer, person, cohort):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_adopt(
            acting_user=officer, person=person, cohort=cohort, adopted_on=TODAY + datetime.timedelta(1)
        )
    assert "adopted_on" in excinfo.value.message_dict


def test_a_manager_of_another_scheme_cannot_adopt_into_this_cohort(outsider_manager, person, cohort):
    with pytest.raises(Http404):
        services.membership_adopt(acting_user=outsider_manager, person=person, cohort=cohort, adopted_on=days_ago(1))


def test_cohorts_are_created_by_managers_for_their_scheme(manager, officer, norfolk, suffolk_team):
    cohort = services.cohort_create(acting_user=manager, slug="free", name="Free", scheme=norfolk)
    assert cohort.scheme == norfolk
    with pytest.raises(ValidationError):
        services.cohort_create(acting_user=manager, slug="x", name="X", scheme=suffolk_team.scheme)
    with pytest.raises(PermissionDenied):
        services.cohort_create(acting_user=officer, slug="y", name="Y", scheme=norfolk)
    with pytest.raises(ValidationError) as excinfo:
        services.cohort_create(acting_user=manager, slug="Not A Slug", name="Z", scheme=norfolk)
    assert "slug" in excinfo.value.message_dict
    assert factories.CohortFactory._meta.model.objects.count() == 1
