"""Daily chasers: referrals nobody has answered in 10 working days, and sustainment confirmations due."""

import datetime

from django.db.models import Q
from django.utils import timezone

from iom.models import Role, User
from iom.services import notify_each
from iom.services._validation import today
from referrals.models import Placement, Referral, ReferralState
from referrals.working_days import add_working_days

RESPONSE_WORKING_DAYS = 10


def response_due_on(submitted_on: datetime.date) -> datetime.date:
    return add_working_days(submitted_on, RESPONSE_WORKING_DAYS)


def overdue_referrals(*, on: datetime.date | None = None) -> list[Referral]:
    """Submitted referrals not accepted (nor declined) within 10 working days of submission."""
    on = on or today()
    # A cheap date pre-filter (10 working days are at least 14 calendar days), then the exact rule.
    candidates = Referral.objects.filter(
        state=ReferralState.SUBMITTED, submitted_at__date__lte=on - datetime.timedelta(days=14)
    ).select_related("service__organisation", "case")
    return [
        referral for referral in candidates if response_due_on(timezone.localtime(referral.submitted_at).date()) < on
    ]


def chase_overdue_referrals(*, on: datetime.date | None = None) -> int:
    """Notify the receiving organisation and the referrer, once per referral."""
    sent = 0
    for referral in overdue_referrals(on=on):
        partner_users = User.objects.filter(
            organisation_id=referral.service.organisation_id,
            role__in=[Role.PARTNER_CASEWORKER, Role.SCHEME_COORDINATOR],
            is_active=True,
        )
        referrers = User.objects.filter(pk__in={referral.created_by_id, referral.case.lead_officer_id} - {None})
        sent += notify_each(
            users=[*partner_users, *referrers],
            kind="referral_overdue",
            title=f"Referral to {referral.service.name} not answered in 10 working days",
            body=f"Referral {referral.pk} was submitted on {referral.submitted_at:%d %B %Y} and is still waiting.",
            link=f"/referrals/{referral.pk}/",
            dedupe_key=f"referral_overdue:{referral.pk}",
        )
    return sent


def remind_sustainment_due(*, on: datetime.date | None = None) -> int:
    """Tell the employer when a 13- or 26-week confirmation falls due, once for each."""
    on = on or today()
    due = (
        Placement.objects.filter(
            started_on__isnull=False, ended_on__isnull=True, referral__disclosure_approved_at__isnull=False
        )
        .filter(
            Q(sustained_13_on__isnull=True, started_on__lte=on - datetime.timedelta(weeks=13))
            | Q(
                sustained_26_on__isnull=True,
                sustained_13_on__isnull=False,
                started_on__lte=on - datetime.timedelta(weeks=26),
            )
        )
        .exclude(referral__state=ReferralState.WITHDRAWN)
        .exclude(referral__consent__withdrawn_on__isnull=False)
        .select_related("opportunity__employer")
    )
    sent = 0
    for placement in due:
        weeks = 13 if placement.sustained_13_on is None else 26
        sent += notify_each(
            users=User.objects.filter(
                organisation_id=placement.opportunity.employer.organisation_id, role=Role.EMPLOYER, is_active=True
            ),
            kind="sustainment_due",
            title=f"Please confirm the {weeks}-week sustainment for {placement.opportunity.title}",
            body=f"The candidate started on {placement.started_on:%d %B %Y}. Confirm whether they are still with you.",
            link=f"/portal/candidates/{placement.pk}/",
            dedupe_key=f"sustainment_due:{placement.pk}:{weeks}",
        )
    return sent
