"""Daily Celery tasks for referrals and Gateway placements: thin, idempotent wrappers."""

import datetime

from celery import shared_task

from referrals import services


@shared_task
def chase_overdue_referrals(on: str | None = None) -> int:
    return services.chase_overdue_referrals(on=datetime.date.fromisoformat(on) if on else None)


@shared_task
def remind_sustainment_due(on: str | None = None) -> int:
    return services.remind_sustainment_due(on=datetime.date.fromisoformat(on) if on else None)
