"""Daily Celery tasks for referrals and Gateway placements: thin, idempotent wrappers."""

import datetime

from celery import shared_task

from referrals import services


@shared_task
def chase_overdue_referrals(on: str | None = None) -> int:
    """Idempotent: each chase notification's dedupe key names the referral, so a rerun sends none."""
    return services.chase_overdue_referrals(on=datetime.date.fromisoformat(on) if on else None)


@shared_task
def remind_sustainment_due(on: str | None = None) -> int:
    """Idempotent: each reminder's dedupe key names the placement and its milestone, so a rerun sends none."""
    return services.remind_sustainment_due(on=datetime.date.fromisoformat(on) if on else None)
