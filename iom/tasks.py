"""Celery tasks: thin wrappers that take ids and call services; safe to run twice."""

import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from iom import background, services
from iom.models import Notification
from iom.services.audit_trail import audit_chain_check


@shared_task
def dispatch_outbox() -> int:
    """Every minute: publish the outbox rows a broker outage kept back. Idempotent: a row is taken under a lock
    and marked sent in the same transaction, so a second run (or two at once) finds nothing left to send."""
    return background.outbox_dispatch()


@shared_task
def remind_overdue_actions(on: str | None = None) -> int:
    """Idempotent: each reminder's dedupe key names the action and the day, so a second run notifies no one."""
    return services.remind_overdue_actions(on=datetime.date.fromisoformat(on) if on else None)


@shared_task
def verify_audit_chain() -> int:
    """Nightly: check the audit trail's hash chain and alert the administrators to a new break. Idempotent: a
    break already recorded is not recorded or announced again. Returns the number of broken links."""
    return audit_chain_check().break_count


@shared_task(bind=True, max_retries=5, default_retry_delay=300)
def send_notification_email(self, notification_id: int) -> bool:
    """Idempotent: the email is claimed atomically (``emailed_at``), so a retried or duplicated task never sends
    twice; a failed send releases the claim before retrying."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        send_mail(
            subject=notification.title,
            message=f"{notification.body}\n\nOpen IOM Partnership Tracker to see more.",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.user.email],
        )
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise self.retry(exc=exc) from exc
    return True
