"""Reads of consent, referrals and placements: who sees which, and the Gateway figures.

- Police and probation see the referrals and consents of the cases they can see.
- A partner organisation's staff see the referrals sent to it (never drafts), and the
  person's summary only while the referral is live.
- An employer sees a placement only after the match and the officer's approval of the
  disclosure, and never after the referral was withdrawn (consent withdrawn ends access).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from iom import access
from iom.audit import audit_record, audit_record_rows, audit_values
from iom.models import AuditAction, AuditEvent, User
from iom.selectors import in_order
from iom.services._validation import today
from partners import selectors as partner_selectors
from partners.models import (
    COUNTED_OPPORTUNITY_TYPES,
    Employer,
    Opportunity,
    OpportunityStatus,
    Pledge,
    PledgeStatus,
    ServiceType,
)
from partners.rules import USE_PORTAL
from referrals.access import is_partner_of
from referrals.models import (
    LIVE_STATES,
    MATCHABLE_STATES,
    Consent,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    Referral,
    ReferralState,
)
from referrals.rules import MATCH_REFERRALS, RECEIVE_REFERRALS

GATEWAY_TARGET = 100


def consent_list_visible_to(*, user: User) -> QuerySet[Consent]:
    return Consent.objects.filter(person_id__in=access.person_list_visible_to(user=user).values("pk")).select_related(
        "scope_organisation", "recorded_by"
    )


def referral_list_visible_to(*, user: User) -> QuerySet[Referral]:
    referrals = Referral.objects.select_related("service__organisation", "case__person", "case__team")
    if access.works_cases(user):
        return referrals.filter(case_id__in=access.case_list_visible_to(user=user).values("pk"))
    if RECEIVE_REFERRALS.allows(user) and user.organisation_id:
        return referrals.filter(service__organisation_id=user.organisation_id).exclude(state=ReferralState.DRAFT)
    return referrals.none()


def sees_person_on_referral(*, user: User, referral: Referral) -> bool:
    """Case workers always; the receiving partner only while the referral is live."""
    if access.works_cases(user):
        return True
    return is_partner_of(user, referral) and referral.state in LIVE_STATES


def referral_get(*, user: User, pk: int) -> Referral:
    """One visible referral; a partner's opening of a live one is logged as a disclosure (first) or view."""
    referral = referral_list_visible_to(user=user).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral.")
    if access.works_cases(user):
        audit_record(user=user, action=AuditAction.VIEW, obj=referral, person=referral.case.person_id)
    elif referral.state in LIVE_STATES:
        referral_record_partner_view(acting_user=user, referral=referral)
    return referral


def referral_record_partner_view(*, acting_user: User, referral: Referral) -> None:
    """A partner opened a live referral. The first opening discloses the person to the organisation and is
    logged as a *disclose* with its recipient (s.62); later openings are ordinary views.

    A read's audit, so it lives with the reads (as :func:`candidate_record_view` does): :func:`referral_get`
    calls it, and the services import the selectors, never the other way round."""
    first = Referral.objects.filter(pk=referral.pk, partner_viewed_at__isnull=True).update(
        partner_viewed_at=timezone.now()
    )
    audit_record(
        user=acting_user,
        action=AuditAction.DISCLOSE if first else AuditAction.VIEW,
        obj=referral,
        person=referral.case.person_id,
        details={"recipient_organisation": acting_user.organisation_id, "recipient": acting_user.username},
    )


def referral_record_partner_views(*, acting_user: User, referrals: Iterable[Referral]) -> None:
    """A partner's list showed these referrals: a disclosure for each live one not seen before, else a view."""
    live = [r for r in referrals if r.state in LIVE_STATES]
    if not live:
        return
    first = set(
        Referral.objects.filter(pk__in=[r.pk for r in live], partner_viewed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Referral.objects.filter(pk__in=first).update(partner_viewed_at=timezone.now())
    # audit_values, like audit_record, stamps each row with the request's id and the client's address.
    audit_record_rows(
        [
            audit_values(
                user=acting_user,
                action=AuditAction.DISCLOSE if r.pk in first else AuditAction.VIEW,
                object_type="referral",
                object_id=str(r.pk),
                person_id=r.case.person_id,
                details={"recipient_organisation": acting_user.organisation_id, "recipient": acting_user.username},
            )
            for r in live
        ]
    )


def placement_list_visible_to(*, user: User) -> QuerySet[Placement]:
    placements = Placement.objects.select_related(
        "opportunity__employer__organisation", "referral__service", "referral__case__person"
    )
    if USE_PORTAL.allows(user) and user.organisation_id:
        return (
            placements.filter(
                opportunity__employer__organisation_id=user.organisation_id,
                referral__disclosure_approved_at__isnull=False,
            )
            .exclude(referral__state=ReferralState.WITHDRAWN)
            .exclude(referral__consent__withdrawn_on__isnull=False)
            .prefetch_related("referral__convictions")
        )
    return placements.filter(referral__in=referral_list_visible_to(user=user).values("pk")).prefetch_related(
        "referral__convictions"
    )


@dataclass(frozen=True)
class Candidate:
    """What an employer is told about a candidate (docs/roles.md), nothing more."""

    placement: Placement
    display_name: str
    role: str
    support_contacts: str
    unspent_convictions: list[dict[str, Any]]
    live: bool


def candidate_for_employer(*, placement: Placement, on: datetime.date | None = None) -> Candidate:
    on = on or today()
    referral = placement.referral
    person = referral.case.person
    live = referral.state in LIVE_STATES or (placement.started_on is not None and placement.ended_on is None)
    convictions = [
        {"offence_category": c.offence_category, "year": c.convicted_on.year}
        for c in referral.convictions.all()
        if c.spent_on is None or c.spent_on > on
    ]
    return Candidate(
        placement=placement,
        display_name=f"{person.first_name} {person.last_name[:1]}." if live else f"Candidate {placement.pk}",
        role=placement.opportunity.title,
        support_contacts=referral.support_contacts if live else "",
        unspent_convictions=convictions if live else [],
        live=live,
    )


def candidate_record_view(*, user: User, placement: Placement, via: str) -> None:
    """An employer opened a candidate: the first opening discloses the person to that employer (s.62, with the
    recipient); later openings are views. Pages and the API both call this."""
    disclosed = AuditEvent.objects.filter(
        action=AuditAction.DISCLOSE, object_type="placement", object_id=str(placement.pk)
    ).exists()
    audit_record(
        user=user,
        action=AuditAction.VIEW if disclosed else AuditAction.DISCLOSE,
        obj=placement,
        person=placement.referral.case.person_id,
        details={"recipient_organisation": user.organisation_id, "recipient": user.username, "via": via},
    )


# --- Gateway figures -----------------------------------------------------------------------------


def _event_window(
    queryset: QuerySet[Placement], field: str, date_from: datetime.date | None, date_to: datetime.date | None
) -> QuerySet[Placement]:
    if date_from:
        queryset = queryset.filter(**{f"{field}__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{field}__lte": date_to})
    return queryset


def gateway_figures(*, date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> dict[str, Any]:
    """The Plan's Gateway to Employment figures (docs/metrics.md); one place for API and dashboard.

    ``employers_pledged`` is employers with an active pledge now; the other counts are all-time
    unless ``date_from``/``date_to`` bound the dates of the events counted.
    """
    placements = Placement.objects.all()
    started = _event_window(placements.filter(started_on__isnull=False), "started_on", date_from, date_to)
    counted = started.filter(opportunity__opportunity_type__in=COUNTED_OPPORTUNITY_TYPES)
    sustained_13 = _event_window(
        placements.filter(sustained_13_on__isnull=False), "sustained_13_on", date_from, date_to
    )
    sustained_26 = _event_window(
        placements.filter(sustained_26_on__isnull=False), "sustained_26_on", date_from, date_to
    )
    return {
        "employers_pledged": Pledge.objects.filter(status=PledgeStatus.ACTIVE).values("employer").distinct().count(),
        "employers_with_placement_started": counted.values("opportunity__employer").distinct().count(),
        "target": GATEWAY_TARGET,
        "placements_started": started.count(),
        "sustained_13_weeks": sustained_13.count(),
        "sustained_26_weeks": sustained_26.count(),
    }


FUNNEL_STAGES = ("referred", "matched", "interviewed", "started", "sustained_13_weeks", "sustained_26_weeks")


def gateway_funnel(*, by: str | None = None) -> list[dict[str, Any]]:
    """The funnel referred → matched → interviewed → started → sustained 13 → 26 weeks, counted in people.

    ``by`` = ``None`` (one row), ``"district"`` (the person's home district) or ``"sector"``
    (the employer's sector; referrals not yet matched have no sector).
    """
    referrals = Referral.objects.filter(service__service_type=ServiceType.EMPLOYMENT).exclude(state=ReferralState.DRAFT)
    interviewed = Exists(PlacementEvent.objects.filter(placement_id=OuterRef("pk"), kind=PlacementEventKind.INTERVIEW))
    placements = Placement.objects.filter(referral__in=referrals)
    if by == "district":
        ref_key, pl_key = "case__person__district", "referral__case__person__district"
    elif by == "sector":
        ref_key, pl_key = None, "opportunity__employer__sector"
    else:
        ref_key = pl_key = None
    rows: dict[Any, dict[str, Any]] = {}

    def row(key):
        return rows.setdefault(key, {"group": key, **dict.fromkeys(FUNNEL_STAGES, 0)})

    if ref_key:
        for item in referrals.values(ref_key).annotate(n=Count("case__person", distinct=True)):
            row(item[ref_key])["referred"] = item["n"]
    elif by is None:
        row(None)["referred"] = referrals.values("case__person").distinct().count()
    group = [pl_key] if pl_key else []
    stage_filters = {
        "matched": Q(),
        "interviewed": Q(interviewed),
        "started": Q(started_on__isnull=False),
        "sustained_13_weeks": Q(sustained_13_on__isnull=False),
        "sustained_26_weeks": Q(sustained_26_on__isnull=False),
    }
    aggregates = {
        stage: Count("referral__case__person", filter=condition, distinct=True)
        for stage, condition in stage_filters.items()
    }
    counts = placements.values(*group).annotate(**aggregates) if group else [placements.aggregate(**aggregates)]
    for item in counts:
        target = row(item[pl_key] if pl_key else None)
        if by == "sector":
            target["referred"] = None  # people are referred before any employer (so sector) is known
        for stage in stage_filters:
            target[stage] = item[stage]
    return sorted(rows.values(), key=lambda r: (r["group"] is None, str(r["group"] or "")))


def referral_list_to_match(*, user: User, limit: int = 20) -> list[Referral]:
    """The coordinator's accepted employment referrals, those with fewest matches (then waiting longest) first."""
    if not MATCH_REFERRALS.allows(user):
        return []
    return list(
        referral_list_visible_to(user=user)
        .filter(service__service_type=ServiceType.EMPLOYMENT, state__in=MATCHABLE_STATES)
        .annotate(matches=Count("placements"))
        .order_by("matches", "responded_at", "pk")[:limit]
    )


def referral_may_match(*, user: User, referral: Referral) -> bool:
    """Whether to offer "Match to an opportunity": the receiving coordinator, on an accepted employment referral."""
    return (
        MATCH_REFERRALS.allows(user)
        and is_partner_of(user, referral)
        and referral.service.service_type == ServiceType.EMPLOYMENT
        and referral.state in MATCHABLE_STATES
    )


_OPEN_FIRST = in_order("status", [OpportunityStatus.OPEN, OpportunityStatus.FILLED, OpportunityStatus.CLOSED])


def employer_list_with_activity(*, user: User) -> QuerySet[Employer]:
    """The employers a user sees, each with whether it has an active pledge, its open opportunities and starts."""
    active_pledge = Pledge.objects.filter(employer_id=OuterRef("pk"), status=PledgeStatus.ACTIVE)
    return (
        partner_selectors.employer_list_visible_to(user=user)
        .annotate(
            has_active_pledge=Exists(active_pledge),
            open_opportunities=Count(
                "opportunities", filter=Q(opportunities__status=OpportunityStatus.OPEN), distinct=True
            ),
            placements_started=Count(
                "opportunities__placements",
                filter=Q(opportunities__placements__started_on__isnull=False),
                distinct=True,
            ),
        )
        .order_by("organisation__name", "pk")
    )


def opportunity_list_with_matches(*, user: User) -> QuerySet[Opportunity]:
    """The opportunities a user sees, each with how many referrals are matched to it; open ones first."""
    return (
        partner_selectors.opportunity_list_visible_to(user=user)
        .annotate(matches=Count("placements"))
        .order_by(_OPEN_FIRST, "-created_at", "-pk")
    )
