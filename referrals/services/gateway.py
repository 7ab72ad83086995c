"""Gateway to Employment: the officer's disclosure, the coordinator's match, and the employer's events.

An employer sees a candidate only once they are matched to one of its
opportunities *and* the officer has approved the disclosure, and only while
consent stands; the employer then records interview, offer, start and the
13- and 26-week sustainment, in that order.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from iom import access
from iom.audit import audit_record
from iom.dates import age_on
from iom.models import AuditAction, OffenceCategory, User
from iom.services import notify_each
from iom.services._validation import not_in_future
from partners.models import Opportunity, OpportunityStatus, ServiceType
from partners.rules import USE_PORTAL
from referrals.access import is_partner_of
from referrals.models import (
    MATCHABLE_STATES,
    DisclosedConviction,
    InterviewOutcome,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    Referral,
    ReferralState,
)
from referrals.rehabilitation import Sentence, SentenceType, rehabilitation_end
from referrals.rules import MATCH_REFERRALS
from referrals.selectors import placement_list_visible_to

K = PlacementEventKind
OFFENCE_CATEGORIES = frozenset(OffenceCategory.values)  # the codes of the offences format
WEEKS_13 = datetime.timedelta(weeks=13)
WEEKS_26 = datetime.timedelta(weeks=26)


def _ensure_employment(referral: Referral) -> None:
    if referral.service.service_type != ServiceType.EMPLOYMENT:
        raise ValidationError({"referral": "Only Gateway to Employment referrals have placements and disclosures."})


def referral_approve_disclosure(
    *,
    acting_user: User,
    referral: Referral,
    convictions: Sequence[Mapping[str, Any]],
    support_contacts: str,
) -> Referral:
    """The officer lists the person's convictions and approves what employers may see.

    Each conviction's spent date is computed now with the ROA table; employers
    are shown only those unspent on the day they look, as category and year.
    """
    access.ensure_can_change_case(user=acting_user, case=referral.case, attempted="approve disclosure")
    _ensure_employment(referral)
    if referral.state not in (ReferralState.DRAFT, *MATCHABLE_STATES, ReferralState.SUBMITTED):
        raise ValidationError({"referral": "This referral is closed; its disclosure can no longer change."})
    born = referral.case.person.date_of_birth
    if born is None:  # erased: its case can no longer change, so this is only reached by a bug
        raise ValidationError({"referral": "This person's record has been erased."})
    rows, errors = [], {}
    for index, item in enumerate(convictions):
        prefix = f"convictions[{index}]"
        category = item.get("offence_category")
        if category not in OFFENCE_CATEGORIES:
            errors[f"{prefix}.offence_category"] = "Choose an offence category from the data exchange codes."
            continue
        try:
            sentence = Sentence(
                sentence_type=SentenceType(item["sentence_type"]),
                convicted_on=item["convicted_on"],
                age_at_conviction=age_on(born, item["convicted_on"]),
                length_months=item.get("length_months"),
                ends_on=item.get("ends_on"),
                serious_offence=bool(item.get("serious_offence", False)),
            )
            spent_on = rehabilitation_end(sentence)
        except (KeyError, ValueError, TypeError) as exc:
            errors[f"{prefix}"] = f"This conviction is incomplete or inconsistent: {exc}"
            continue
        rows.append(
            DisclosedConviction(
                referral=referral,
                offence_category=category,
                sentence_type=sentence.sentence_type.value,
                convicted_on=sentence.convicted_on,
                length_months=sentence.length_months,
                ends_on=sentence.ends_on,
                serious_offence=sentence.serious_offence,
                spent_on=spent_on,
            )
        )
    _extend_for_later_convictions(rows)
    if not (support_contacts or "").strip():
        errors["support_contacts"] = "Give the employer a support contact (name and phone or email)."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        DisclosedConviction.objects.filter(referral=referral).delete()
        DisclosedConviction.objects.bulk_create(rows)
        Referral.objects.filter(pk=referral.pk).update(
            disclosure_approved_by=acting_user,
            disclosure_approved_at=timezone.now(),
            support_contacts=support_contacts.strip(),
        )
        referral.refresh_from_db()
        audit_record(
            user=acting_user,
            action=AuditAction.CHANGE,
            obj=referral,
            person=referral.case.person_id,
            details={"disclosure_approved": True, "convictions": len(rows)},
        )
        for placement in referral.placements.select_related("opportunity__employer"):
            _notify_candidate(placement)
    return referral


def _extend_for_later_convictions(rows: list[DisclosedConviction]) -> None:
    """ROA s.6(4): a further conviction during an earlier one's rehabilitation period keeps the earlier one
    unspent until the later one is spent. Applied until nothing moves (``None`` = never spent)."""
    changed = True
    while changed:
        changed = False
        for earlier in rows:
            for later in rows:
                if later is earlier or later.convicted_on < earlier.convicted_on:
                    continue
                if earlier.spent_on is None or later.convicted_on >= earlier.spent_on:
                    continue
                end = None if later.spent_on is None else max(earlier.spent_on, later.spent_on)
                for row in (earlier, later):
                    if row.spent_on != end:
                        row.spent_on = end
                        changed = True


def placement_match(*, acting_user: User, referral: Referral, opportunity: Opportunity) -> Placement:
    """The coordinator matches an accepted employment referral to an open opportunity."""
    if not MATCH_REFERRALS.allows(acting_user) or not is_partner_of(acting_user, referral):
        access.refuse(
            user=acting_user,
            obj=referral,
            person_id=referral.case.person_id,
            details={"attempted": "match to opportunity", "opportunity": opportunity.pk},
            exc=PermissionDenied("Only the scheme coordinators receiving this referral can match it."),
        )
    _ensure_employment(referral)
    errors = {}
    if referral.state not in MATCHABLE_STATES:
        errors["referral"] = "Accept the referral before matching it to an opportunity."
    if referral.consent is None or referral.consent.withdrawn_on is not None:
        errors["consent"] = "Nothing goes to an employer without the person's consent: record consent first."
    if opportunity.status != OpportunityStatus.OPEN:
        errors["opportunity"] = f"{opportunity.title} is {opportunity.get_status_display().lower()}."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            placement = Placement.objects.create(referral=referral, opportunity=opportunity, matched_by=acting_user)
            audit_record(
                user=acting_user,
                action=AuditAction.CREATE,
                obj=placement,
                person=referral.case.person_id,
                details={"opportunity": opportunity.pk, "employer": opportunity.employer_id},
            )
            if referral.disclosure_approved_at is not None:
                _notify_candidate(placement)
    except IntegrityError as exc:
        raise ValidationError({"opportunity": "This person is already matched to that opportunity."}) from exc
    return placement


def _notify_candidate(placement: Placement) -> None:
    notify_each(
        users=User.objects.filter(
            USE_PORTAL.user_q(), organisation_id=placement.opportunity.employer.organisation_id, is_active=True
        ),
        kind="candidate_referred",
        title=f"New candidate for {placement.opportunity.title}",
        body="A Gateway to Employment candidate has been referred to you. Open the portal to see them.",
        link=f"/portal/candidates/{placement.pk}/",
        dedupe_key=f"candidate_referred:{placement.pk}",
    )


# Which earlier event each kind needs, and the date field it sets on the placement.
REQUIRES: dict[str, str | None] = {
    K.INTERVIEW: None,
    K.OFFER: None,
    K.STARTED: None,
    K.SUSTAINED_13: K.STARTED,
    K.SUSTAINED_26: K.SUSTAINED_13,
    K.ENDED: K.STARTED,
}
DATE_FIELD: dict[str, str] = {
    K.STARTED: "started_on",
    K.SUSTAINED_13: "sustained_13_on",
    K.SUSTAINED_26: "sustained_26_on",
    K.ENDED: "ended_on",
}


def placement_record_event(
    *,
    acting_user: User,
    placement: Placement,
    kind: str,
    occurred_on: datetime.date,
    outcome: str = "",
    reason: str = "",
) -> PlacementEvent:
    """Record what happened, in a legal order: no sustainment before a start, no 26 weeks before 13."""
    exc = _event_refusal(user=acting_user, placement=placement)
    if exc is not None:
        access.refuse(
            user=acting_user,
            obj=placement,
            person_id=placement.referral.case.person_id,
            details={"attempted": "record placement event", "kind": kind},
            exc=exc,
        )
    if kind not in K.values:
        raise ValidationError({"kind": "Choose interview, offer, started, sustained_13, sustained_26 or ended."})
    with transaction.atomic():
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        _check_event(placement=locked, kind=kind, occurred_on=occurred_on, outcome=outcome, reason=reason)
        event = PlacementEvent.objects.create(
            placement=locked,
            kind=kind,
            occurred_on=occurred_on,
            outcome=outcome if kind == K.INTERVIEW else "",
            reason=(reason or "").strip(),
            recorded_by=acting_user,
        )
        if kind in DATE_FIELD:
            Placement.objects.filter(pk=locked.pk).update(**{DATE_FIELD[kind]: occurred_on})
        audit_record(
            user=acting_user,
            action=AuditAction.CREATE,
            obj=event,
            person=placement.referral.case.person_id,
            details={"kind": kind, "occurred_on": occurred_on},
        )
    placement.refresh_from_db()
    return event


def _event_refusal(*, user: User, placement: Placement) -> Exception | None:
    """Why ``user`` may record nothing for ``placement``, or ``None``: only its employer's own users may."""
    if not USE_PORTAL.allows(user):
        return PermissionDenied("Employers confirm what happened with their candidates.")
    if not placement_list_visible_to(user=user).filter(pk=placement.pk).exists():
        return Http404("No such candidate.")
    return None


def _check_event(*, placement: Placement, kind: str, occurred_on: datetime.date, outcome: str, reason: str) -> None:
    not_in_future("occurred_on", occurred_on, "The date")
    if placement.started_on is None and placement.referral.state not in MATCHABLE_STATES:
        raise ValidationError({"kind": "This referral has closed; nothing more can be recorded for the candidate."})
    if placement.ended_on is not None:
        raise ValidationError({"kind": f"This placement ended on {placement.ended_on}; nothing more can be recorded."})
    if kind != K.INTERVIEW and PlacementEvent.objects.filter(placement=placement, kind=kind).exists():
        raise ValidationError({"kind": f"{K(kind).label} has already been recorded for this candidate."})
    needed = REQUIRES[kind]
    if needed and getattr(placement, DATE_FIELD[needed]) is None:
        raise ValidationError({"kind": f"Record “{K(needed).label.lower()}” before “{K(kind).label.lower()}”."})
    started = placement.started_on
    if started is not None:  # the sustainments and the end need a start: REQUIRES refused them without one
        if kind == K.SUSTAINED_13 and occurred_on < started + WEEKS_13:
            raise ValidationError({"occurred_on": f"13 weeks from the start ({started}) is {started + WEEKS_13}."})
        if kind == K.SUSTAINED_26 and occurred_on < started + WEEKS_26:
            raise ValidationError({"occurred_on": f"26 weeks from the start ({started}) is {started + WEEKS_26}."})
        if kind == K.ENDED:
            if occurred_on < started:
                raise ValidationError({"occurred_on": "A placement cannot end before it started."})
            latest = max(d for d in (started, placement.sustained_13_on, placement.sustained_26_on) if d)
            if occurred_on < latest:
                raise ValidationError(
                    {"occurred_on": f"A placement cannot end before its last confirmation ({latest})."}
                )
            if not (reason or "").strip():
                raise ValidationError({"reason": "Say why the placement ended."})
    if kind == K.INTERVIEW and outcome not in InterviewOutcome.values:
        raise ValidationError({"outcome": "Choose the interview's outcome."})
    if placement.matched_at and occurred_on < timezone.localtime(placement.matched_at).date():
        raise ValidationError({"occurred_on": "The date cannot be before the candidate was referred to you."})
