"""outcomes.services: recording and updating interventions (docs/product.md, "Intervention")."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from iom.errors import ConflictError
from iom.models import AuditAction, AuditEvent, AuditOutcome, OrganisationType
from outcomes.models import Intervention, InterventionOutcome
from outcomes.services import intervention_record, intervention_update
from tests.iom import factories
from tests.outcomes.factories import InterventionFactory, ProgrammeFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Structured drug treatment")


def record(user, case, programme, **overrides):
    values = {"started_on": days(-30), "sessions_planned": 10, "sessions_attended": 4}
    values.update(overrides)
    return intervention_record(acting_user=user, case=case, programme=programme, **values)


def test_it_records_an_ongoing_intervention_with_the_programmes_provider_and_audits_it(officer, case, programme):
    intervention = record(officer, case, programme)
    assert intervention.provider == programme.provider
    assert intervention.outcome == InterventionOutcome.ONGOING
    assert intervention.recorded_by == officer
    assert intervention.version == 1
    event = AuditEvent.objects.get(object_type="intervention", action=AuditAction.CREATE)
    assert event.person_id == case.person_id
    assert event.user == officer
    assert event.changes["programme"] == [None, programme.pk]
    assert event.changes["outcome"] == [None, "ongoing"]


def test_it_records_a_completed_intervention_from_a_referral_with_another_provider(probation, case, programme):
    referral = ReferralFactory(case=case)
    other = factories.OrganisationFactory(type=OrganisationType.HEALTH)
    intervention = record(
        probation,
        case,
        programme,
        ended_on=days(-1),
        outcome=InterventionOutcome.COMPLETED,
        sessions_attended=10,
        provider=other,
        referral=referral,
    )
    assert (intervention.provider, intervention.referral, intervention.ended_on) == (other, referral, days(-1))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"started_on": days(1)}, "started_on"),
        ({"ended_on": days(1), "outcome": "completed"}, "ended_on"),
        ({"ended_on": days(-31), "outcome": "completed"}, "ended_on"),
        ({"sessions_planned": 3, "sessions_attended": 4}, "sessions_attended"),
        ({"sessions_attended": -1}, "sessions_attended"),
        ({"ended_on": days(-1), "outcome": "ongoing"}, "outcome"),
        ({"outcome": "completed"}, "ended_on"),
        ({"outcome": "dropped_out"}, "ended_on"),
        ({"outcome": "abandoned"}, "outcome"),
    ],
    ids=[
        "future-start",
        "future-end",
        "end-before-start",
        "attended-more-than-planned",
        "negative-attendance",
        "ongoing-with-end-date",
        "completed-without-end-date",
        "dropped-out-without-end-date",
        "unknown-outcome",
    ],
)
def test_it_rejects_an_invalid_intervention_and_writes_nothing(officer, case, programme, overrides, field):
    with pytest.raises(ValidationError) as raised:
        record(officer, case, programme, **overrides)
    assert field in raised.value.message_dict
    assert not Intervention.objects.exists()
    assert not AuditEvent.objects.filter(object_type="intervention").exists()


def test_it_rejects_a_referral_from_another_case(officer, case, programme):
    other_referral = ReferralFactory(case=factories.CaseFactory(team=case.team))
    with pytest.raises(ValidationError) as raised:
        record(officer, case, programme, referral=other_referral)
    assert raised.value.message_dict == {"referral": ["Choose a referral from this case."]}
    assert not Intervention.objects.exists()


def test_it_rejects_a_programme_no_longer_offered(officer, case):
    programme = ProgrammeFactory(active=False)
    with pytest.raises(ValidationError) as raised:
        record(officer, case, programme)
    assert "programme" in raised.value.message_dict
    assert not Intervention.objects.exists()


def test_an_officer_in_another_team_gets_404_and_the_refusal_is_audited(officer2, case, programme):
    with pytest.raises(Http404):
        record(officer2, case, programme)
    assert not Intervention.objects.exists()
    refused = AuditEvent.objects.get(outcome=AuditOutcome.REFUSED)
    assert (refused.user, refused.person_id, refused.details["attempted"]) == (
        officer2,
        case.person_id,
        "record intervention",
    )


@pytest.mark.parametrize("role", ["partner", "employer", "analyst", "admin", "coordinator"])
def test_roles_without_case_work_cannot_record_interventions(all_roles, case, programme, role):
    with pytest.raises(PermissionDenied):
        record(all_roles[role], case, programme)
    assert not Intervention.objects.exists()


def test_the_manager_of_the_scheme_records_an_intervention(manager, case, programme):
    assert record(manager, case, programme).recorded_by == manager


def test_an_update_ends_the_intervention_and_audits_the_changes(officer, case):
    intervention = InterventionFactory(case=case, sessions_planned=12, sessions_attended=5)
    updated = intervention_update(
        acting_user=officer,
        intervention=intervention,
        version=1,
        ended_on=days(-1),
        outcome="completed",
        sessions_attended=12,
    )
    assert (updated.outcome, updated.ended_on, updated.sessions_attended, updated.version) == (
        "completed",
        days(-1),
        12,
        2,
    )
    event = AuditEvent.objects.get(object_type="intervention", action=AuditAction.CHANGE)
    assert event.changes == {
        "ended_on": [None, days(-1).isoformat()],
        "outcome": ["ongoing", "completed"],
        "sessions_attended": [5, 12],
    }


def test_an_update_is_checked_against_the_stored_values(officer, case):
    intervention = InterventionFactory(case=case, sessions_planned=12, sessions_attended=5)
    with pytest.raises(ValidationError) as raised:
        intervention_update(acting_user=officer, intervention=intervention, version=1, sessions_planned=4)
    assert "sessions_attended" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        intervention_update(acting_user=officer, intervention=intervention, version=1, outcome="completed")
    assert "ended_on" in raised.value.message_dict
    with pytest.raises(TypeError, match="programme"):
        intervention_update(acting_user=officer, intervention=intervention, version=1, programme=1)
    intervention.refresh_from_db()
    assert (intervention.version, intervention.sessions_planned) == (1, 12)


def test_a_stale_update_is_a_conflict_and_writes_nothing(officer, probation, case):
    intervention = InterventionFactory(case=case)
    intervention_update(acting_user=probation, intervention=intervention, version=1, sessions_attended=6)
    stale = Intervention.objects.get(pk=intervention.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        intervention_update(acting_user=officer, intervention=stale, version=1, sessions_attended=7)
    intervention.refresh_from_db()
    assert (intervention.sessions_attended, intervention.version) == (6, 2)
    assert AuditEvent.objects.filter(object_type="intervention", action=AuditAction.CHANGE).count() == 1


def test_an_officer_in_another_team_cannot_update(officer2, case):
    intervention = InterventionFactory(case=case)
    with pytest.raises(Http404):
        intervention_update(acting_user=officer2, intervention=intervention, version=1, sessions_attended=6)
