"""Opening a record outside one's teams (break-glass), and the managers' review of each opening.

A police or probation case worker may need a person's record that no team, scheme or grant gives them: someone
arrested out of hours in another area, say. They name the person exactly (PNC ID or CRN, so this cannot be used to
search or browse) and say why; for ``BREAK_GLASS_HOURS`` they may then read that person's page and cases, never
change them, and never find them in a list or search. Each opening is audited with the reason as its justification
and waits in the IOM managers' review queue until a manager other than the opener has judged it; one judged not
appropriate can be ended at once. See docs/roles.md, "Opening a record outside your teams".
"""

import datetime
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from iom import access
from iom.audit import audit_record, field_changes, snapshot
from iom.models import AuditAction, AuditOutcome, BreakGlassAccess, BreakGlassReview, Person, User
from iom.models.people import crn_validator
from iom.pnc import validate_pnc_id
from iom.policy import BREAK_GLASS, REVIEW_BREAK_GLASS
from iom.services.notifications import notify

# A reason has to be a sentence someone else can judge later, not "urgent" or "checking".
REASON_MIN_CHARACTERS = 30
REASON_MIN_WORDS = 5
REASON_MAX_CHARACTERS = 1000
REASON_EXAMPLE = "Arrested in Norwich overnight; checking risk and markers before interview"
REVIEW_FIELDS = ("review", "review_note", "reviewed_by", "reviewed_at", "expires_at")
AUDITED_REVIEW_FIELDS = ("review", "expires_at")  # the note is the audit row's justification; who and when, its own


@dataclass(frozen=True)
class Opening:
    """What asking to open a record came to: the person, and the access that lets the user read them.

    ``access`` is None when the user already sees the person through their teams, scheme or a grant; ``created``
    is False when nothing new was recorded (seen already, or an access of theirs is still open).
    """

    person: Person
    access: BreakGlassAccess | None
    created: bool


def _identifier_errors(identifier: str) -> list[str]:
    """Why ``identifier`` is neither a PNC ID nor a CRN, written exactly; empty if it is one."""
    if not identifier:
        return ["Enter the person's PNC ID or CRN."]
    check = validate_pnc_id if "/" in identifier else crn_validator
    try:
        check(identifier)
    except ValidationError as exc:
        return [*exc.messages, "Type the identifier exactly: this page does not search."]
    return []


def _reason_errors(reason: str) -> list[str]:
    if len(reason) > REASON_MAX_CHARACTERS:
        return [f"Keep the reason to {REASON_MAX_CHARACTERS:,} characters or fewer."]
    if len(reason) < REASON_MIN_CHARACTERS or len(reason.split()) < REASON_MIN_WORDS:
        return [
            f"Say in a sentence of at least {REASON_MIN_WORDS} words ({REASON_MIN_CHARACTERS} characters or more) "
            f"why you need this record now, for example “{REASON_EXAMPLE}”."
        ]
    return []


def break_glass_open(*, acting_user: User, identifier: str, reason: str) -> Opening:
    """Let ``acting_user`` read the person ``identifier`` names, outside their teams, for ``BREAK_GLASS_HOURS``.

    Bad input and an identifier no person has are a ValidationError, with nothing written. A person the user
    already sees needs no opening, and an access of theirs still open needs no second one: both are answered
    without recording anything.
    """
    if not BREAK_GLASS.allows(acting_user):
        details = {"attempted": "open a record outside their teams"}
        audit_record(user=acting_user, action=AuditAction.BREAK_GLASS, outcome=AuditOutcome.REFUSED, details=details)
        raise PermissionDenied(BREAK_GLASS.refusal)
    identifier = (identifier or "").strip().upper()
    reason = (reason or "").strip()
    errors = {
        field: messages
        for field, messages in (("identifier", _identifier_errors(identifier)), ("reason", _reason_errors(reason)))
        if messages
    }
    if errors:
        raise ValidationError(errors)
    # Erased people have no record left to read; they are answered like an identifier nobody has.
    person = Person.objects.filter(Q(pnc_id=identifier) | Q(crn=identifier), erased_at__isnull=True).first()
    if person is None:
        raise ValidationError({"identifier": "No person has this PNC ID or CRN. Check it and try again."})
    if access.person_list_visible_to(user=acting_user).filter(pk=person.pk).exists():
        return Opening(person=person, access=None, created=False)
    still_open = access.break_glass_active(user=acting_user, person_id=person.pk)
    if still_open is not None:
        return Opening(person=person, access=still_open, created=False)
    with transaction.atomic():
        opened = BreakGlassAccess.objects.create(
            user=acting_user,
            person=person,
            reason=reason,
            expires_at=timezone.now() + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        audit_record(
            user=acting_user,
            action=AuditAction.BREAK_GLASS,
            obj=opened,
            person=person,
            details={"by": "pnc_id" if identifier == person.pnc_id else "crn", "expires_at": opened.expires_at},
            justification=reason,
        )
    return Opening(person=person, access=opened, created=True)


def _refuse_review(*, acting_user: User, opened: BreakGlassAccess, exc: Exception) -> NoReturn:
    access.refuse(
        user=acting_user,
        obj=opened,
        person_id=opened.person_id,
        details={"attempted": "review a record opened outside teams"},
        exc=exc,
    )


def break_glass_review(
    *, acting_user: User, opened: BreakGlassAccess, review: str, note: str = "", end_now: bool = False
) -> BreakGlassAccess:
    """Record an IOM manager's judgement of ``opened``; one found not appropriate may be ended at once.

    The reviewer is never the opener (403) and sees the access in their queue (404 otherwise); a note is
    required when the access was not appropriate; an access is reviewed once.
    """
    if not REVIEW_BREAK_GLASS.allows(acting_user):
        _refuse_review(acting_user=acting_user, opened=opened, exc=PermissionDenied(REVIEW_BREAK_GLASS.refusal))
    if not access.break_glass_list_visible_to(user=acting_user).filter(pk=opened.pk).exists():
        _refuse_review(acting_user=acting_user, opened=opened, exc=Http404("No such access."))
    if opened.user_id == acting_user.pk:
        exc = PermissionDenied("Another manager reviews the records you opened outside your teams.")
        _refuse_review(acting_user=acting_user, opened=opened, exc=exc)
    note = (note or "").strip()
    errors = {}
    if review not in BreakGlassReview.values:
        errors["review"] = "Choose whether opening the record was appropriate."
    elif review == BreakGlassReview.INAPPROPRIATE and not note:
        errors["note"] = "Say why opening the record was not appropriate."
    elif end_now and review != BreakGlassReview.INAPPROPRIATE:
        errors["end_now"] = "Only an access found not appropriate is ended early."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = (
            BreakGlassAccess.objects.select_for_update(of=("self",))
            .select_related("user", "reviewed_by")
            .get(pk=opened.pk)
        )
        if locked.reviewed_at is not None:
            raise ValidationError(
                {"review": f"{locked.reviewed_by} reviewed this on {timezone.localtime(locked.reviewed_at):%d %B %Y}."}
            )
        before = snapshot(locked, AUDITED_REVIEW_FIELDS)
        now = timezone.now()
        locked.review, locked.review_note = review, note
        locked.reviewed_by, locked.reviewed_at = acting_user, now
        ended = end_now and locked.expires_at > now
        if ended:
            locked.expires_at = now
        locked.save(update_fields=list(REVIEW_FIELDS))
        audit_record(
            user=acting_user,
            action=AuditAction.BREAK_GLASS_REVIEWED,
            obj=locked,
            person=locked.person_id,
            changes=field_changes(before, snapshot(locked, AUDITED_REVIEW_FIELDS)),
            details={"opened_by": locked.user.username, "ended": ended},
            justification=note,
        )
        if review == BreakGlassReview.INAPPROPRIATE:
            opened_at = timezone.localtime(locked.opened_at)
            notify(
                user=locked.user,
                kind="break_glass_reviewed",
                title="A record you opened outside your teams was found not appropriate",
                body=(
                    f"{acting_user} reviewed the record you opened on {opened_at:%d %B %Y at %H:%M}"
                    f"{' and ended your access to it' if ended else ''}. Speak to them about why."
                ),
                dedupe_key=f"break_glass_reviewed:{locked.pk}",
            )
    return locked
