"""Daily Celery tasks for referrals and Gateway placements: thin, idempotent wrappers."""

import datetime

from celery import shared_task


@shared_task
def chase_overdue_referrals(on: str | None = None) -> int:
    from referrals.services import chase_overdue_referrals as chase

    return chase(on=datetime.date.fromisoformat(on) if on else None)


@shared_task
def remind_sustainment_due(on: str | None = None) -> int:
    from referrals.services import remind_sustainment_due as remind

    return remind(on=datetime.date.fromisoformat(on) if on else None)
