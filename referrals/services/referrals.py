"""Referrals and their lifecycle: one transition table, one service that takes a row lock.

    draft → submitted → accepted → in_progress → completed | not_engaged
    submitted → declined
    withdrawn from draft, submitted, accepted or in_progress

Officers (who may change the case) submit and withdraw; the receiving
organisation's users accept, decline, start and close. Every step is a
``ReferralTransition`` row (who, when, why) plus an audit event.
"""

from collections.abc import Sequence
from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iom import access
from iom.audit import audit_record
from iom.changes import create_audited
from iom.errors import ConflictError
from iom.models import AuditAction, Case, CaseStatus, Pathway, User
from iom.services import notify_each
from partners.models import Service
from referrals.access import is_partner_of
from referrals.models import (
    Consent,
    Referral,
    ReferralState,
    ReferralTransition,
    ReferralUpdate,
    Urgency,
)
from referrals.rules import RECEIVE_REFERRALS

S = ReferralState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.NOT_ENGAGED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.COMPLETED: frozenset(),
    S.NOT_ENGAGED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Who moves a referral into each state: the referring side or the receiving partner.
REFERRER_MOVES = frozenset({S.SUBMITTED, S.WITHDRAWN})
PARTNER_MOVES = frozenset({S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED, S.NOT_ENGAGED})
REASON_REQUIRED = frozenset({S.DECLINED, S.WITHDRAWN, S.NOT_ENGAGED, S.COMPLETED})


class IllegalTransition(ConflictError):
    """A move the transition table does not allow from the referral's current state (409 in the API)."""


def consent_covering(*, referral: Referral) -> Consent | None:
    """The person's active consent that covers this referral's service, if any (the newest)."""
    service = referral.service
    return (
        Consent.objects.filter(person_id=referral.case.person_id, withdrawn_on__isnull=True)
        .filter(Q(scope_organisation_id=service.organisation_id) | Q(scope_service_type=service.service_type))
        .order_by("-given_on", "-pk")
        .first()
    )


def referral_create(
    *,
    acting_user: User,
    case: Case,
    service: Service,
    reason: str,
    shared_information: str,
    pathways: Sequence[str] = (),
    urgency: str = Urgency.ROUTINE,
    risk_summary: str = "",
) -> Referral:
    """A draft referral from ``case`` to ``service``; nothing reaches the partner until it is submitted."""
    access.ensure_can_change_case(user=acting_user, case=case, attempted="add referral")
    errors = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = "This case is closed."
    if not service.active:
        errors["service"] = f"{service.name} is not taking referrals."
    if not (reason or "").strip():
        errors["reason"] = "Say why you are referring this person."
    if not (shared_information or "").strip():
        errors["shared_information"] = "Say what you are sharing with the partner."
    unknown = sorted(set(pathways) - set(Pathway.values))
    if unknown:
        errors["pathways"] = f"Unknown pathways: {', '.join(unknown)}."
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose routine or urgent."
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        case=case,
        service=service,
        reason=reason.strip(),
        shared_information=shared_information.strip(),
        risk_summary=(risk_summary or "").strip(),
        pathways=sorted(set(pathways)),
        urgency=urgency,
        created_by=acting_user,
    )
    create_audited(
        acting_user=acting_user,
        instance=referral,
        person=case.person_id,
        details={"service": service.pk, "state": referral.state},
    )
    return referral


def _ensure_may_move(*, acting_user: User, referral: Referral, to_state: str) -> None:
    if to_state in REFERRER_MOVES:
        access.ensure_can_change_case(user=acting_user, case=referral.case, attempted=f"referral {to_state}")
    elif not is_partner_of(acting_user, referral):
        access.refuse(
            user=acting_user,
            obj=referral,
            person_id=referral.case.person_id,
            details={"attempted": f"referral {to_state}"},
            exc=PermissionDenied("Only the receiving organisation's staff can move the referral to that state."),
        )


def referral_transition(*, acting_user: User, referral: Referral, to_state: str, reason: str = "") -> Referral:
    """Move ``referral`` to ``to_state`` if the table allows it from its current state (read under a row lock).

    The checks run in this order: the state exists (400); the table allows the move from the state the referral
    is in now, whoever asks and whatever the reason (409, audited as a refusal); the user may make that move (403,
    or 404 for a case they cannot see); a closing move has a reason (400). Callers find the referral through
    ``referral_list_visible_to`` first, so a referral the user cannot see is a 404 before any of these.
    """
    if to_state not in S.values:
        raise ValidationError({"to_state": f"Unknown state {to_state!r}."})
    from_state, version = Referral.objects.filter(pk=referral.pk).values_list("state", "version").get()
    illegal = _illegal(from_state=from_state, to_state=to_state, version=version)
    if illegal is not None:
        _refuse_illegal(
            acting_user=acting_user, referral=referral, from_state=from_state, to_state=to_state, exc=illegal
        )
    _ensure_may_move(acting_user=acting_user, referral=referral, to_state=to_state)
    if to_state in REASON_REQUIRED and not (reason or "").strip():
        raise ValidationError({"reason": "Give a reason for this step; it is kept with the referral's history."})
    try:
        with transaction.atomic():
            locked = _locked(referral)
            _apply(acting_user=acting_user, referral=locked, to_state=to_state, reason=(reason or "").strip())
    except IllegalTransition as exc:  # someone else moved it between the check and the lock
        now_in = exc.current["state"]
        _refuse_illegal(acting_user=acting_user, referral=referral, from_state=now_in, to_state=to_state, exc=exc)
    referral.refresh_from_db()
    return referral


def _illegal(*, from_state: str, to_state: str, version: int) -> IllegalTransition | None:
    """The refusal of a move the table does not allow from ``from_state``; None when it allows it."""
    if to_state in TRANSITIONS[from_state]:
        return None
    allowed = ", ".join(sorted(TRANSITIONS[from_state])) or "none: it is closed"
    return IllegalTransition(
        f"A {S(from_state).label.lower()} referral cannot become {S(to_state).label.lower()} "
        f"(allowed next: {allowed}).",
        current_version=version,
        current={"state": from_state},
    )


def _refuse_illegal(
    *, acting_user: User, referral: Referral, from_state: str, to_state: str, exc: IllegalTransition
) -> NoReturn:
    # Outside the move's transaction, so the refusal stays recorded when the move is rolled back.
    access.refuse(
        user=acting_user,
        obj=referral,
        person_id=referral.case.person_id,
        details={"attempted": f"referral {to_state}", "from_state": from_state},
        exc=exc,
    )


def _locked(referral: Referral) -> Referral:
    """``referral`` read again under a row lock, with what a move needs; the caller holds a transaction."""
    return Referral.objects.select_for_update().select_related("service", "case").get(pk=referral.pk)


def _apply(*, acting_user: User, referral: Referral, to_state: str, reason: str) -> None:
    """The transition itself; the caller holds the row lock inside a transaction."""
    from_state = referral.state
    illegal = _illegal(from_state=from_state, to_state=to_state, version=referral.version)
    if illegal is not None:
        raise illegal
    now = timezone.now()
    updates: dict = {"state": to_state, "version": referral.version + 1}
    if to_state == S.SUBMITTED:
        if referral.service.consent_required:
            consent = consent_covering(referral=referral)
            if consent is None:
                raise ValidationError(
                    {
                        "consent": f"{referral.service.organisation} needs the person's consent before a referral "
                        "is sent: record consent for this organisation or this type of service first."
                    }
                )
            updates["consent"] = consent
        updates["submitted_at"] = now
    if to_state in (S.ACCEPTED, S.DECLINED):
        updates["responded_at"] = now
    for field, value in updates.items():
        setattr(referral, field, value)
    referral.save(update_fields=[*updates.keys()])
    ReferralTransition.objects.create(
        referral=referral, from_state=from_state, to_state=to_state, by=acting_user, reason=reason
    )
    audit_record(
        user=acting_user,
        action=AuditAction.CHANGE,
        obj=referral,
        person=referral.case.person_id,
        changes={"state": [from_state, to_state]},
        justification=reason,
    )
    _notify_transition(referral=referral, to_state=to_state)


def withdraw_for_consent(*, acting_user: User, referral: Referral, reason: str) -> None:
    """Withdraw after consent was withdrawn; runs inside the consent service's transaction."""
    locked = _locked(referral)
    if S.WITHDRAWN in TRANSITIONS[locked.state]:
        _apply(acting_user=acting_user, referral=locked, to_state=S.WITHDRAWN, reason=reason)


def _notify_transition(*, referral: Referral, to_state: str) -> None:
    person_ref = f"referral {referral.pk} to {referral.service.name}"
    if to_state == S.SUBMITTED:
        notify_each(
            users=User.objects.filter(
                RECEIVE_REFERRALS.user_q(), organisation_id=referral.service.organisation_id, is_active=True
            ),
            kind="referral_submitted",
            title=f"New {referral.get_urgency_display().lower()} referral to {referral.service.name}",
            body=f"A new referral ({person_ref}) is waiting for your response.",
            link=f"/referrals/{referral.pk}/",
            dedupe_key=f"referral_submitted:{referral.pk}",
        )
    elif to_state in (S.ACCEPTED, S.DECLINED, S.COMPLETED, S.NOT_ENGAGED):
        recipients = {referral.created_by_id, referral.case.lead_officer_id} - {None}
        notify_each(
            users=User.objects.filter(pk__in=recipients, is_active=True),
            kind=f"referral_{to_state}",
            title=f"Referral {S(to_state).label.lower()}: {referral.service.name}",
            body=f"The {person_ref} is now {S(to_state).label.lower()}.",
            link=f"/cases/{referral.case_id}/",
            dedupe_key=f"referral_{to_state}:{referral.pk}",
        )


def referral_add_update(*, acting_user: User, referral: Referral, text: str) -> ReferralUpdate:
    """A progress note from the partner (or the officer), kept on the referral's timeline."""
    if not (is_partner_of(acting_user, referral) and referral.is_live):
        access.ensure_can_change_case(user=acting_user, case=referral.case, attempted="referral update")
    if not (text or "").strip():
        raise ValidationError({"text": "Enter the update."})
    update = ReferralUpdate(referral=referral, text=text.strip(), by=acting_user)
    create_audited(acting_user=acting_user, instance=update, person=referral.case.person_id)
    return update
