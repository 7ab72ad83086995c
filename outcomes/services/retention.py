"""Writes of the retention review (docs/retention.md): the nightly refresh of everyone's review date, a manager's
decision to retain a person's records, and disposal, which erases the person's personal data.

Disposal is one transaction: the decision, the erasure of every free-text field and identifier about the person
(outcomes/erasure.py), the redaction of the audit rows about them and the *erase* row that records it all commit
together or not at all. What the metrics count stays: dates, codes and states, and in place of the date of birth
the age band on each offence record's index date, so every published figure for a past period is unchanged.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import F, Value, When
from django.utils import timezone

from iom import access
from iom.audit import audit_record, redact_events_about
from iom.dates import age_on
from iom.models import Action, ActionStatus, AuditAction, Person, SubjectAccessExport, User
from iom.services._validation import today
from outcomes import retention_rule
from outcomes.erasure import ERASED_FIRST_NAME, ERASED_LAST_NAME, ERASED_TEXT, ERASED_TEXTS
from outcomes.metrics.reoffending import age_band
from outcomes.models import (
    OffenceRecord,
    RetentionDecision,
    RetentionDecisionKind,
    RetentionSchedule,
)
from outcomes.rules import REVIEW_RETENTION
from outcomes.selectors import retention as selectors
from referrals.models import DisclosedConviction

REFRESH_BATCH = 2000
SCHEDULE_FIELDS = ("group", "group_category", "last_activity_on", "last_activity_source", "active_reason")


def _schedule(basis: selectors.RetentionBasis, *, now: datetime.datetime) -> RetentionSchedule:
    return RetentionSchedule(
        person_id=basis.person_id,
        **{name: getattr(basis, name) for name in SCHEDULE_FIELDS},
        next_review_on=basis.next_review_on,
        computed_at=now,
    )


def _store(schedules: list[RetentionSchedule]) -> None:
    """Insert or replace the schedules (one statement per few hundred people)."""
    RetentionSchedule.objects.bulk_create(
        schedules,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=[*SCHEDULE_FIELDS, "next_review_on", "computed_at"],
    )


def retention_schedules_refresh(*, on: datetime.date | None = None, batch_size: int = REFRESH_BATCH) -> int:
    """Recompute every person's review date as of ``on`` (default today), ``batch_size`` people at a time; returns
    how many were computed. Idempotent: it replaces each person's row with what their records say now, so a second
    run on the same day writes the same dates. Cohort exits, closed cases and ended placements whose review period
    has run out since the last run appear in the queue this way, without anyone asking."""
    on = on or today()
    now = timezone.now()
    done, after = 0, 0
    while True:
        ids = list(
            Person.objects.filter(pk__gt=after, erased_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return done
        bases = selectors.retention_bases(first=ids[0], last=ids[-1], on=on)
        with transaction.atomic():
            _store([_schedule(basis, now=now) for basis in bases.values()])
        done += len(bases)
        after = ids[-1]


def _refusal(message: str) -> ValidationError:
    """A refusal of the whole decision, not of one field: the page shows it above the form."""
    return ValidationError({NON_FIELD_ERRORS: [message]})


def _ensure_may_review(*, acting_user: User, person: Person, attempted: str) -> None:
    """The rule (403), then the person among those the manager sees (404); refusals are audited."""
    REVIEW_RETENTION.ensure(acting_user)
    access.ensure_can_see_person(user=acting_user, person=person, attempted=attempted)


def _due_basis(*, person: Person, on: datetime.date) -> tuple[selectors.RetentionBasis, datetime.date]:
    """The person's basis as their records stand now, stored as their schedule, and the review date that has come;
    refused unless a review is due."""
    if person.erased_at is not None:
        raise _refusal(f"This person's records were erased on {timezone.localdate(person.erased_at):%d %B %Y}.")
    basis = selectors.retention_basis_for(person=person, on=on)
    if basis is None:  # erased in the meantime (the caller holds the row lock, so only before it took it)
        raise _refusal("This person's records have been erased.")
    _store([_schedule(basis, now=timezone.now())])
    due = basis.next_review_on
    if due is None:
        raise _refusal(f"No review is due: the person is under active management ({basis.active_reason}).")
    if due > on:
        raise _refusal(f"No review is due until {due:%d %B %Y}.")
    return basis, due


def _decision(
    *,
    acting_user: User,
    person: Person,
    basis: selectors.RetentionBasis,
    due_on: datetime.date,
    decision: str,
    **values: object,
) -> RetentionDecision:
    return RetentionDecision.objects.create(
        person=person,
        decision=decision,
        decided_by=acting_user,
        group=basis.group,
        last_activity_on=basis.last_activity_on,
        due_on=due_on,
        **values,
    )


def _audit_decision(*, acting_user: User, decision: RetentionDecision, justification: str = "") -> None:
    audit_record(
        user=acting_user,
        action=AuditAction.RETENTION_DECISION,
        obj=decision,
        person=decision.person_id,
        details={
            "decision": decision.decision,
            "group": decision.group,
            "last_activity_on": decision.last_activity_on,
            "due_on": decision.due_on,
            "next_review_on": decision.next_review_on,
        },
        justification=justification,
    )


def retention_retain(
    *, acting_user: User, person: Person, reason: str, next_review_on: datetime.date | None
) -> RetentionDecision:
    """Keep a person's records after their review, for ``reason``, until a new review no more than one review
    period ahead; the person leaves the queue until then."""
    _ensure_may_review(acting_user=acting_user, person=person, attempted="retain")
    on = today()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        basis, due_on = _due_basis(person=locked, on=on)
        reason = (reason or "").strip()
        errors: dict[str, str] = {}
        if not reason:
            errors["reason"] = "Enter why the records are still needed for a policing purpose."
        if next_review_on is None:
            errors["next_review_on"] = "Enter the date of the next review."
        else:
            problem = retention_rule.retention_date_error(group=basis.group, on=on, proposed=next_review_on)
            if problem:
                errors["next_review_on"] = problem
        if errors:
            raise ValidationError(errors)
        decision = _decision(
            acting_user=acting_user,
            person=locked,
            basis=basis,
            due_on=due_on,
            decision=RetentionDecisionKind.RETAIN,
            reason=reason,
            next_review_on=next_review_on,
        )
        RetentionSchedule.objects.filter(person=locked).update(
            next_review_on=retention_rule.next_review_on(
                group=basis.group,
                last_activity_on=basis.last_activity_on,
                active=False,
                retained_until=next_review_on,
            )
        )
        _audit_decision(acting_user=acting_user, decision=decision, justification=reason)
    return decision


@dataclass(frozen=True)
class Erasure:
    """What a disposal did: the decision and, by kind, how many records it erased or changed."""

    decision: RetentionDecision
    reference: str
    counts: dict[str, int]


def erased_reference(person_id: int) -> str:
    """The token that takes the place of an erased person's PNC ID: unique (it carries the person's id, which
    identifies no one outside the service), never a valid PNC ID, and within the column's 13 characters."""
    reference = f"ERASED{person_id}"
    return reference if len(reference) <= 13 else f"E{person_id}"


def retention_dispose(*, acting_user: User, person: Person) -> Erasure:
    """Dispose of a person's records after their review: erase their personal data and keep the anonymised facts.

    Refused (nothing written) if they were erased already, are not due, are under active management or are in
    group 1 and not yet 100. Audited as the decision and as an *erase* row counting what went (no values)."""
    _ensure_may_review(acting_user=acting_user, person=person, attempted="dispose")
    on = today()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        basis, due_on = _due_basis(person=locked, on=on)
        problem = retention_rule.disposal_error(group=basis.group, date_of_birth=locked.date_of_birth, on=on)
        if problem:
            raise _refusal(problem)
        decision = _decision(
            acting_user=acting_user, person=locked, basis=basis, due_on=due_on, decision=RetentionDecisionKind.DISPOSE
        )
        counts = _erase(person=locked, on=on)
        # After the redaction, so that these two rows (which hold no erased value) keep their details.
        _audit_decision(acting_user=acting_user, decision=decision)
        audit_record(
            user=acting_user,
            action=AuditAction.ERASE,
            obj=locked,
            details={"decision": decision.pk, "erased": counts},
        )
    return Erasure(decision=decision, reference=erased_reference(locked.pk), counts=counts)


def _erase_offence_identifiers(*, person: Person) -> int:
    """Replace each record's source key with a token and store the age band on its index date.

    The tokens keep the records' order among themselves (code-point order of the old keys), which is the
    metrics' tie-break between index events on the same day; ties are only ever between one person's records."""
    records = sorted(
        OffenceRecord.objects.filter(person=person).only("pk", "record_id", "index_date"), key=lambda r: r.record_id
    )
    born = person.date_of_birth
    for rank, record in enumerate(records, start=1):
        record.record_id = f"erased-{person.pk}-{rank:06d}"
        record.index_age_band = age_band(age_on(born, record.index_date)) if born and record.index_date else ""
    OffenceRecord.objects.bulk_update(records, ["record_id", "index_age_band"], batch_size=500)
    return len(records)


def _erase_subject_access_files(*, person: Person) -> int:
    """Blank the bundles' review notes and forget their files; the files go once the erasure has committed."""
    exports = SubjectAccessExport.objects.filter(person=person)
    names = [name for name in exports.exclude(file="").values_list("file", flat=True) if name]
    exports.update(file="", flags=[])
    storage = SubjectAccessExport._meta.get_field("file").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return len(names)


def _erase(*, person: Person, on: datetime.date) -> dict[str, int]:
    """Erase everything personal about ``person`` (inside the caller's transaction): counts by kind, no values."""
    counts = {"offence records": _erase_offence_identifiers(person=person)}
    for erased in ERASED_TEXTS:
        blanked = {
            field: SqlCase(When(**{field: ""}, then=Value("")), default=Value(ERASED_TEXT)) for field in erased.fields
        }
        counts[erased.label] = erased.holding_text(person.pk).update(**blanked)
    counts["subject access bundles"] = _erase_subject_access_files(person=person)
    counts["open actions cancelled"] = Action.objects.filter(case__person=person, status=ActionStatus.OPEN).update(
        status=ActionStatus.CANCELLED
    )
    counts["convictions listed for an employer"], _ = DisclosedConviction.objects.filter(
        referral__case__person=person
    ).delete()
    counts["notifications"] = (
        selectors.notifications_about(person_id=person.pk).exclude(body="").update(body=ERASED_TEXT)
    )
    counts["flags"] = person.flags.count()
    person.flags.clear()
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        pnc_id=erased_reference(person.pk),
        crn=None,
        first_name=ERASED_FIRST_NAME,
        last_name=ERASED_LAST_NAME,
        aliases="",
        date_of_birth=None,
        risk_of_serious_harm=None,
        erased_at=now,
        erased_age_band=age_band(age_on(person.date_of_birth, on)) if person.date_of_birth else "",
        version=F("version") + 1,
        updated_at=now,
    )
    RetentionSchedule.objects.filter(person=person).update(next_review_on=None, computed_at=now)
    counts["audit entries"] = redact_events_about(person.pk)
    person.refresh_from_db()
    return {kind: count for kind, count in counts.items() if count}
