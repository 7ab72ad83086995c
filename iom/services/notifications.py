"""In-app notifications with an email copy, each sent at most once per event."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from iom.background import enqueue
from iom.models import Action, ActionStatus, Notification, User
from iom.services._validation import today


def notify(
    *, user: User, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str
) -> Notification | None:
    """Create the notification unless one with ``dedupe_key`` exists; email a copy after commit.

    Returns None when the event was already notified, so callers and retried
    tasks can run as often as they like.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
            )
            if user.email:  # in the same transaction: the notification and its email commit together
                enqueue("iom.tasks.send_notification_email", notification.pk)
    except IntegrityError:
        return None
    return notification


def notify_each(
    *, users: Iterable[User], kind: str, title: str, body: str = "", link: str = "", dedupe_key: str
) -> int:
    """:func:`notify` each of ``users`` about one event, once each: ``dedupe_key`` names the event and each
    user's id is added to it. Returns how many notifications were new."""
    sent = 0
    for user in users:
        created = notify(user=user, kind=kind, title=title, body=body, link=link, dedupe_key=f"{dedupe_key}:{user.pk}")
        sent += created is not None
    return sent


def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def remind_overdue_actions(*, on: datetime.date | None = None) -> int:
    """Notify each owner of their open actions past due, once per action per day. Returns how many were new."""
    on = on or today()
    overdue = Action.objects.filter(status=ActionStatus.OPEN, due_on__lt=on, owner__is_active=True).select_related(
        "owner", "case__person"
    )
    sent = 0
    for action in overdue.iterator(chunk_size=500):
        days = (on - action.due_on).days
        created = notify(
            user=action.owner,
            kind="action_overdue",
            title=f"Action overdue by {days} day{'s' if days != 1 else ''}",
            body=f"{action.description} (case {action.case_id}, due {action.due_on:%d %B %Y}).",
            link=f"/cases/{action.case_id}/",
            dedupe_key=f"action_overdue:{action.pk}:{on.isoformat()}",
        )
        sent += created is not None
    return sent
