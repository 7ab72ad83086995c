"""Sign-in events are personal-data access events too: record successes and failures."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from iom.audit import audit_record
from iom.models import AuditAction, AuditOutcome


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs) -> None:
    audit_record(user=user, action=AuditAction.LOGIN)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        user=None,
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.REFUSED,
        username=str(credentials.get("username", "")),
    )
