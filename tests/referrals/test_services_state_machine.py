"""The referral lifecycle (docs/product.md "Referrals"): one transition table, every step recorded.

    draft → submitted → accepted → in_progress → completed | not_engaged
    submitted → declined
    withdrawn from draft, submitted, accepted or in_progress

The officer (who may change the case) submits and withdraws; the receiving organisation's staff do the rest.
Every legal move writes a ``ReferralTransition`` (who, when, why) and an audit event; every illegal move is an
``IllegalTransition`` (a ``ConflictError``, 409 in the API) that writes nothing.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from iom.errors import ConflictError
from iom.models import AuditAction, AuditEvent, AuditOutcome
from referrals import services
from referrals.models import Referral, ReferralState, ReferralTransition
from referrals.services import TRANSITIONS
from referrals.services.referrals import REASON_REQUIRED, REFERRER_MOVES, IllegalTransition

pytestmark = pytest.mark.django_db

S = ReferralState

# How to reach each state from a new draft, through legal moves only.
PATH_TO = {
    S.DRAFT: (),
    S.SUBMITTED: (S.SUBMITTED,),
    S.ACCEPTED: (S.SUBMITTED, S.ACCEPTED),
    S.DECLINED: (S.SUBMITTED, S.DECLINED),
    S.IN_PROGRESS: (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS),
    S.COMPLETED: (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED),
    S.NOT_ENGAGED: (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.NOT_ENGAGED),
    S.WITHDRAWN: (S.WITHDRAWN,),
}
LEGAL = sorted((source, target) for source, targets in TRANSITIONS.items() for target in targets)
ILLEGAL = sorted((source, target) for source in S.values for target in S.values if target not in TRANSITIONS[source])


def test_the_table_is_the_one_in_the_design_guide():
    assert {source: set(targets) for source, targets in TRANSITIONS.items()} == {
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.ACCEPTED, S.DECLINED, S.WITHDRAWN},
        S.ACCEPTED: {S.IN_PROGRESS, S.WITHDRAWN},
        S.IN_PROGRESS: {S.COMPLETED, S.NOT_ENGAGED, S.WITHDRAWN},
        S.DECLINED: set(),
        S.COMPLETED: set(),
        S.NOT_ENGAGED: set(),
        S.WITHDRAWN: set(),
    }
    assert len(LEGAL) == 10
    assert len(ILLEGAL) == 64 - 10


@pytest.fixture
def actor_for(officer, partner):
    """The officer for the referrer's moves, Broadland Housing's caseworker for the partner's."""

    def _actor(to_state: str):
        return officer if to_state in REFERRER_MOVES else partner

    return _actor


@pytest.fixture
def referral_in(housing_referral, housing_consent, move):
    def _in(state: str) -> Referral:
        return move(housing_referral, *PATH_TO[state])

    return _in


def _snapshot(referral: Referral) -> tuple:
    referral.refresh_from_db()
    return (
        referral.state,
        referral.version,
        referral.submitted_at,
        referral.responded_at,
        referral.consent_id,
        ReferralTransition.objects.filter(referral=referral).count(),
        AuditEvent.objects.filter(object_type="referral", object_id=str(referral.pk), action=AuditAction.CHANGE)
        .exclude(outcome=AuditOutcome.REFUSED)
        .count(),
    )


@pytest.mark.parametrize(("source", "target"), LEGAL, ids=[f"{s}->{t}" for s, t in LEGAL])
def test_each_legal_move_is_made_by_its_actor_and_recorded_with_who_when_and_why(
    referral_in, actor_for, source, target
):
    referral = referral_in(source)
    before_version = referral.version
    steps_before = referral.transitions.count()
    actor = actor_for(target)
    started = timezone.now()

    moved = services.referral_transition(
        acting_user=actor, referral=referral, to_state=target, reason=f"  Moving to {target}  "
    )

    assert moved.state == target
    moved.refresh_from_db()
    assert moved.state == target
    assert moved.version == before_version + 1
    assert moved.transitions.count() == steps_before + 1
    step = moved.transitions.order_by("-pk").first()
    assert (step.from_state, step.to_state, step.by, step.reason) == (source, target, actor, f"Moving to {target}")
    assert started - datetime.timedelta(seconds=1) <= step.at <= timezone.now()
    event = AuditEvent.objects.filter(object_type="referral", object_id=str(moved.pk), action=AuditAction.CHANGE)
    event = event.order_by("-pk").first()
    assert event.user == actor
    assert event.outcome == AuditOutcome.DONE
    assert event.changes == {"state": [source, target]}
    assert event.justification == f"Moving to {target}"
    assert event.person_id == moved.case.person_id


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{s}->{t}" for s, t in ILLEGAL])
def test_each_illegal_move_is_refused_as_a_conflict_and_writes_nothing(referral_in, actor_for, source, target):
    referral = referral_in(source)
    before = _snapshot(referral)

    with pytest.raises(IllegalTransition) as refused:
        services.referral_transition(
            acting_user=actor_for(target), referral=referral, to_state=target, reason="Trying anyway"
        )

    assert isinstance(refused.value, ConflictError)
    assert refused.value.current == {"state": source}
    assert refused.value.current_version == before[1]
    assert S(source).label.lower() in refused.value.message
    assert _snapshot(referral) == before


@pytest.mark.parametrize("target", sorted(REASON_REQUIRED))
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required_to_decline_withdraw_complete_or_close_as_not_engaged(
    referral_in, actor_for, target, reason
):
    source = next(source for source, to in LEGAL if to == target)
    referral = referral_in(source)
    before = _snapshot(referral)

    with pytest.raises(ValidationError) as refused:
        services.referral_transition(acting_user=actor_for(target), referral=referral, to_state=target, reason=reason)

    assert "reason" in refused.value.message_dict
    assert _snapshot(referral) == before


def test_the_reason_set_is_the_closing_states():
    assert set(REASON_REQUIRED) == {S.DECLINED, S.WITHDRAWN, S.NOT_ENGAGED, S.COMPLETED}


@pytest.mark.parametrize("target", [S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS])
def test_other_moves_need_no_reason(referral_in, actor_for, target):
    source = next(source for source, to in LEGAL if to == target)
    moved = services.referral_transition(acting_user=actor_for(target), referral=referral_in(source), to_state=target)
    assert moved.transitions.order_by("-pk").first().reason == ""


def test_an_unknown_state_is_a_field_error(referral_in, officer):
    referral = referral_in(S.DRAFT)
    before = _snapshot(referral)
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(acting_user=officer, referral=referral, to_state="archived")
    assert "to_state" in refused.value.message_dict
    assert _snapshot(referral) == before


# --- Who may move a referral -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.WITHDRAWN)])
def test_a_partner_cannot_submit_or_withdraw(referral_in, partner, source, target):
    referral = referral_in(source)
    before = _snapshot(referral)
    with pytest.raises(PermissionDenied):
        services.referral_transition(acting_user=partner, referral=referral, to_state=target, reason="Not mine to do")
    assert _snapshot(referral) == before
    assert AuditEvent.objects.filter(user=partner, outcome=AuditOutcome.REFUSED).exists()


@pytest.mark.parametrize("target", [S.ACCEPTED, S.DECLINED])
def test_an_officer_cannot_accept_or_decline_for_the_partner(referral_in, officer, target):
    referral = referral_in(S.SUBMITTED)
    before = _snapshot(referral)
    with pytest.raises(PermissionDenied):
        services.referral_transition(acting_user=officer, referral=referral, to_state=target, reason="Shortcut")
    assert _snapshot(referral) == before
    refusal = AuditEvent.objects.get(user=officer, outcome=AuditOutcome.REFUSED)
    assert (refusal.object_id, refusal.person_id) == (str(referral.pk), referral.case.person_id)
    assert refusal.details == {"attempted": f"referral {target}"}


def test_an_officer_cannot_start_or_close_the_partners_work(referral_in, officer):
    referral = referral_in(S.ACCEPTED)
    before = _snapshot(referral)
    with pytest.raises(PermissionDenied):
        services.referral_transition(acting_user=officer, referral=referral, to_state=S.IN_PROGRESS)
    assert _snapshot(referral) == before


@pytest.mark.parametrize("target", [S.ACCEPTED, S.DECLINED])
def test_a_partner_of_another_organisation_is_refused(referral_in, other_partner, target):
    referral = referral_in(S.SUBMITTED)
    before = _snapshot(referral)
    with pytest.raises(PermissionDenied):
        services.referral_transition(
            acting_user=other_partner, referral=referral, to_state=target, reason="Not our referral"
        )
    assert _snapshot(referral) == before


@pytest.mark.parametrize("role", ["coordinator", "employer", "analyst", "admin"])
def test_users_outside_the_receiving_organisation_cannot_accept(referral_in, all_roles, role):
    referral = referral_in(S.SUBMITTED)
    before = _snapshot(referral)
    with pytest.raises(PermissionDenied):
        services.referral_transition(acting_user=all_roles[role], referral=referral, to_state=S.ACCEPTED)
    assert _snapshot(referral) == before


def test_an_officer_of_another_team_cannot_withdraw(referral_in, officer2):
    referral = referral_in(S.SUBMITTED)
    before = _snapshot(referral)
    with pytest.raises(Http404):
        services.referral_transition(acting_user=officer2, referral=referral, to_state=S.WITHDRAWN, reason="Mine now")
    assert _snapshot(referral) == before


def test_the_offender_manager_on_the_case_may_withdraw(referral_in, probation):
    moved = services.referral_transition(
        acting_user=probation, referral=referral_in(S.ACCEPTED), to_state=S.WITHDRAWN, reason="Recalled to prison"
    )
    assert moved.state == S.WITHDRAWN
    assert moved.transitions.order_by("-pk").first().by == probation


def test_the_coordinator_moves_referrals_sent_to_the_gateway_service(gateway_referral, coordinator):
    assert gateway_referral.state == S.ACCEPTED
    assert [step.by for step in gateway_referral.transitions.all()][1] == coordinator


# --- The whole life -----------------------------------------------------------------------------------------------


def test_a_full_path_leaves_a_complete_history(housing_referral, housing_consent, officer, partner):
    steps = [
        (officer, S.SUBMITTED, ""),
        (partner, S.ACCEPTED, "We have a vacancy in Dereham"),
        (partner, S.IN_PROGRESS, ""),
        (partner, S.COMPLETED, "Tenancy signed and sustained for three months"),
    ]
    referral = housing_referral
    assert referral.state == S.DRAFT
    assert referral.submitted_at is None
    for actor, target, reason in steps:
        referral = services.referral_transition(acting_user=actor, referral=referral, to_state=target, reason=reason)

    referral.refresh_from_db()
    assert referral.state == S.COMPLETED
    assert referral.version == 5
    assert referral.consent == housing_consent
    assert referral.submitted_at is not None
    assert referral.responded_at is not None
    assert referral.submitted_at <= referral.responded_at
    history = list(referral.transitions.order_by("at", "pk"))
    assert [(t.from_state, t.to_state, t.by, t.reason) for t in history] == [
        (S.DRAFT, S.SUBMITTED, officer, ""),
        (S.SUBMITTED, S.ACCEPTED, partner, "We have a vacancy in Dereham"),
        (S.ACCEPTED, S.IN_PROGRESS, partner, ""),
        (S.IN_PROGRESS, S.COMPLETED, partner, "Tenancy signed and sustained for three months"),
    ]
    assert [t.at for t in history] == sorted(t.at for t in history)
    audit = AuditEvent.objects.filter(
        object_type="referral", object_id=str(referral.pk), action=AuditAction.CHANGE
    ).order_by("pk")
    assert [(e.user, e.changes["state"]) for e in audit] == [
        (officer, [S.DRAFT, S.SUBMITTED]),
        (partner, [S.SUBMITTED, S.ACCEPTED]),
        (partner, [S.ACCEPTED, S.IN_PROGRESS]),
        (partner, [S.IN_PROGRESS, S.COMPLETED]),
    ]
    with pytest.raises(IllegalTransition):
        services.referral_transition(acting_user=officer, referral=referral, to_state=S.WITHDRAWN, reason="Too late")


def test_a_stale_copy_cannot_move_a_referral_twice(referral_in, partner):
    """The service reads the state under a row lock, not from the caller's copy."""
    referral = referral_in(S.SUBMITTED)
    stale = Referral.objects.get(pk=referral.pk)
    services.referral_transition(acting_user=partner, referral=referral, to_state=S.ACCEPTED)
    assert stale.state == S.SUBMITTED
    with pytest.raises(IllegalTransition):
        services.referral_transition(acting_user=partner, referral=stale, to_state=S.DECLINED, reason="No room")
    referral.refresh_from_db()
    assert referral.state == S.ACCEPTED
    assert referral.transitions.count() == 2


# --- Over the API --------------------------------------------------------------------------------------------------


def test_an_illegal_move_over_the_api_is_409_with_the_current_state(referral_in, api_as, partner):
    referral = referral_in(S.DECLINED)
    response = api_as(partner).post(
        f"/api/v1/referrals/{referral.pk}/transition/", {"to_state": "accepted"}, format="json"
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["current"] == {"state": "declined"}
    assert body["current_version"] == referral.version
    assert referral.transitions.count() == 2


def test_a_legal_move_over_the_api_returns_the_referral_with_its_history(referral_in, api_as, partner):
    referral = referral_in(S.SUBMITTED)
    response = api_as(partner).post(
        f"/api/v1/referrals/{referral.pk}/transition/",
        {"to_state": "declined", "reason": "Outside our area"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "declined"
    assert [(t["from_state"], t["to_state"], t["by"], t["reason"]) for t in body["transitions"]] == [
        ("draft", "submitted", "officer", "Recorded in the test"),
        ("submitted", "declined", "partner", "Outside our area"),
    ]


def test_a_missing_reason_over_the_api_is_a_400_on_reason(referral_in, api_as, officer):
    referral = referral_in(S.SUBMITTED)
    response = api_as(officer).post(
        f"/api/v1/referrals/{referral.pk}/transition/", {"to_state": "withdrawn"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    referral.refresh_from_db()
    assert referral.state == S.SUBMITTED
