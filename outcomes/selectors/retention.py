"""Reads of the retention review: each person's basis for review (group, last activity, active management), the
managers' queue of people due, the decisions taken, and what disposal would erase.

The basis is read in bulk, a fixed number of grouped queries for any range of people (the nightly refresh reads
thousands at a time), never one query per person. docs/retention.md defines each part.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max, Model, Q, QuerySet
from django.utils import timezone

from iom import access
from iom.models import (
    Action,
    AuditEvent,
    Case,
    CaseNote,
    CaseStatus,
    Membership,
    Notification,
    PathwayAssessment,
    Person,
    SubjectAccessExport,
    SubjectAccessStatus,
    User,
)
from iom.selectors import first_or_404
from iom.services._validation import today
from outcomes.erasure import ERASED_TEXTS
from outcomes.models import (
    Disposal,
    Intervention,
    InterventionOutcome,
    OffenceRecord,
    RetentionDecision,
    RetentionDecisionKind,
    RetentionSchedule,
)
from outcomes.retention_rule import group_for, most_serious_category, next_review_on
from outcomes.rules import REVIEW_RETENTION
from referrals.models import (
    LIVE_STATES,
    Consent,
    DisclosedConviction,
    Placement,
    PlacementEvent,
    Referral,
    ReferralTransition,
    ReferralUpdate,
)


@dataclass(frozen=True)
class ActivitySource:
    """Dated records of one kind: the latest of ``fields`` (dates, or times taken as London dates) is activity."""

    label: str
    model: type[Model]
    person: str
    fields: tuple[str, ...]


# The person's last activity in the service is the latest date among these (docs/retention.md, "Last activity");
# for a person with none of them, the day they were recorded.
ACTIVITY_SOURCES: tuple[ActivitySource, ...] = (
    ActivitySource("offence record", OffenceRecord, "person_id", ("offence_date", "outcome_date", "release_date")),
    ActivitySource("cohort membership", Membership, "person_id", ("adopted_on", "exited_on")),
    ActivitySource("case", Case, "person_id", ("opened_on", "closed_on")),
    ActivitySource("case note", CaseNote, "case__person_id", ("occurred_on",)),
    ActivitySource("action", Action, "case__person_id", ("updated_at",)),
    ActivitySource("pathway assessment", PathwayAssessment, "case__person_id", ("assessed_on",)),
    ActivitySource("referral", Referral, "case__person_id", ("created_at",)),
    ActivitySource("referral move", ReferralTransition, "referral__case__person_id", ("at",)),
    ActivitySource("referral update", ReferralUpdate, "referral__case__person_id", ("at",)),
    ActivitySource("consent", Consent, "person_id", ("given_on", "withdrawn_on")),
    ActivitySource(
        "placement",
        Placement,
        "referral__case__person_id",
        ("matched_at", "started_on", "sustained_13_on", "sustained_26_on", "ended_on"),
    ),
    ActivitySource("placement event", PlacementEvent, "placement__referral__case__person_id", ("occurred_on",)),
    ActivitySource("intervention", Intervention, "case__person_id", ("started_on", "ended_on")),
)


@dataclass(frozen=True)
class ActiveCriterion:
    """Records that show the person is still under active management, so no review is due."""

    label: str
    rows: Callable[[datetime.date], QuerySet]
    person: str


ACTIVE_CRITERIA: tuple[ActiveCriterion, ...] = (
    ActiveCriterion("open case", lambda on: Case.objects.exclude(status=CaseStatus.CLOSED), "person_id"),
    ActiveCriterion("current cohort member", lambda on: Membership.objects.filter(exited_on__isnull=True), "person_id"),
    ActiveCriterion("live referral", lambda on: Referral.objects.filter(state__in=LIVE_STATES), "case__person_id"),
    ActiveCriterion(
        "intervention under way",
        lambda on: Intervention.objects.filter(outcome=InterventionOutcome.ONGOING),
        "case__person_id",
    ),
    ActiveCriterion(
        "placement under way",
        lambda on: Placement.objects.filter(started_on__isnull=False, ended_on__isnull=True),
        "referral__case__person_id",
    ),
    ActiveCriterion(
        "in custody",
        lambda on: OffenceRecord.objects.filter(
            Q(release_date__isnull=True) | Q(release_date__gt=on), disposal=Disposal.CUSTODY
        ),
        "person_id",
    ),
    ActiveCriterion(
        "subject access bundle being built",
        lambda on: SubjectAccessExport.objects.filter(
            status__in=[SubjectAccessStatus.QUEUED, SubjectAccessStatus.BUILDING]
        ),
        "person_id",
    ),
)


@dataclass(frozen=True)
class RetentionBasis:
    """What a person's next review date rests on."""

    person_id: int
    group: int
    group_category: str
    last_activity_on: datetime.date
    last_activity_source: str
    active_reason: str
    retained_until: datetime.date | None

    @property
    def next_review_on(self) -> datetime.date | None:
        return next_review_on(
            group=self.group,
            last_activity_on=self.last_activity_on,
            active=bool(self.active_reason),
            retained_until=self.retained_until,
        )


def _as_date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def _in_range(person: str, first: int, last: int) -> dict[str, int]:
    return {f"{person}__gte": first, f"{person}__lte": last}


def retention_bases(*, first: int, last: int, on: datetime.date | None = None) -> dict[int, RetentionBasis]:
    """The basis of every person not erased whose id is in ``first``..``last``: one grouped query per activity
    source and criterion (about two dozen), however many people the range holds."""
    on = on or today()
    people = Person.objects.filter(erased_at__isnull=True, **_in_range("id", first, last))
    recorded = dict(people.values_list("pk", "created_at").order_by())
    latest: dict[int, tuple[datetime.date, str]] = {}
    for source in ACTIVITY_SOURCES:
        maxima = {f"latest_{position}": Max(field) for position, field in enumerate(source.fields)}
        rows = (
            source.model._default_manager.filter(**_in_range(source.person, first, last))
            .values(source.person)
            .annotate(**maxima)
            .order_by()
        )
        for row in rows:
            person_id = row[source.person]
            for name in maxima:
                day = _as_date(row[name])
                if day is not None and (person_id not in latest or day > latest[person_id][0]):
                    latest[person_id] = (day, source.label)
    categories: dict[int, set[str]] = {}
    for person_id, category in (
        OffenceRecord.objects.filter(**_in_range("person_id", first, last))
        .values_list("person_id", "offence_category")
        .distinct()
        .order_by()
    ):
        categories.setdefault(person_id, set()).add(category)
    active: dict[int, str] = {}
    for criterion in ACTIVE_CRITERIA:
        for person_id in (
            criterion.rows(on)
            .filter(**_in_range(criterion.person, first, last))
            .values_list(criterion.person, flat=True)
            .distinct()
            .order_by()
        ):
            active.setdefault(person_id, criterion.label)
    retained = dict(
        RetentionDecision.objects.filter(decision=RetentionDecisionKind.RETAIN, **_in_range("person_id", first, last))
        .values("person_id")
        .annotate(until=Max("next_review_on"))
        .order_by()
        .values_list("person_id", "until")
    )
    bases = {}
    for person_id in sorted(recorded):
        held = categories.get(person_id, set())
        day, source_label = latest.get(person_id) or (timezone.localdate(recorded[person_id]), "person recorded")
        bases[person_id] = RetentionBasis(
            person_id=person_id,
            group=group_for(held),
            group_category=most_serious_category(held),
            last_activity_on=day,
            last_activity_source=source_label,
            active_reason=active.get(person_id, ""),
            retained_until=retained.get(person_id),
        )
    return bases


def retention_basis_for(*, person: Person, on: datetime.date | None = None) -> RetentionBasis | None:
    """One person's basis as it is now (``None`` once erased), for the review page and the decision services."""
    return retention_bases(first=person.pk, last=person.pk, on=on).get(person.pk)


def reviews_retention(user: User) -> bool:
    return REVIEW_RETENTION.allows(user)


def _people_reviewed_by(user: User) -> QuerySet[Person]:
    """The people a manager reviews: those they may see (docs/roles.md), never erased ones."""
    if not reviews_retention(user):
        return Person.objects.none()
    return access.person_list_visible_to(user=user).filter(erased_at__isnull=True)


def retention_queue(*, user: User, on: datetime.date | None = None) -> QuerySet[RetentionSchedule]:
    """The people due for review on ``on`` (default today) whom ``user`` may see, longest overdue first."""
    on = on or today()
    return (
        RetentionSchedule.objects.filter(next_review_on__lte=on, person_id__in=_people_reviewed_by(user).values("pk"))
        .select_related("person")
        .order_by("next_review_on", "person_id")
    )


def retention_person_get(*, user: User, pk: int) -> Person:
    """A person ``user`` may review (404 otherwise, as for any person they may not see)."""
    return first_or_404(_people_reviewed_by(user), pk)


def retention_decision_list(*, user: User) -> QuerySet[RetentionDecision]:
    """Decisions about the people ``user`` may see, erased ones included, newest first."""
    if not reviews_retention(user):
        return RetentionDecision.objects.none()
    visible = access.person_list_visible_to(user=user).values("pk")
    return (
        RetentionDecision.objects.filter(person_id__in=visible)
        .select_related("person", "decided_by")
        .order_by("-decided_at", "-pk")
    )


def person_links(*, person_id: int) -> list[str]:
    """The addresses of a person's pages that notifications link to: theirs, their cases', referrals', placements'."""
    cases = Case.objects.filter(person_id=person_id).values_list("pk", flat=True)
    referrals = Referral.objects.filter(case__person_id=person_id).values_list("pk", flat=True)
    placements = Placement.objects.filter(referral__case__person_id=person_id).values_list("pk", flat=True)
    return [
        f"/people/{person_id}/",
        *(f"/cases/{pk}/" for pk in cases),
        *(f"/referrals/{pk}/" for pk in referrals),
        *(f"/portal/candidates/{pk}/" for pk in placements),
    ]


def notifications_about(*, person_id: int) -> QuerySet[Notification]:
    """Notifications that link to the person's records; their bodies may quote an action or name the person."""
    return Notification.objects.filter(link__in=person_links(person_id=person_id))


def erasure_preview(*, person: Person) -> list[tuple[str, int]]:
    """What disposing of ``person`` would erase, as (what, how many) for the confirmation page; only what exists."""
    counts = [
        ("offence records (their source identifiers)", OffenceRecord.objects.filter(person=person).count()),
        *((erased.label, erased.holding_text(person.pk).count()) for erased in ERASED_TEXTS),
        (
            "convictions listed for an employer",
            DisclosedConviction.objects.filter(referral__case__person=person).count(),
        ),
        ("notifications that mention them", notifications_about(person_id=person.pk).exclude(body="").count()),
        (
            "audit entries about them (their values)",
            AuditEvent.objects.filter(person=person, redacted_at__isnull=True).count(),
        ),
    ]
    return [(label, count) for label, count in counts if count]
