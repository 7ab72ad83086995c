"""Sign-in events are personal-data access events too: record successes, failures, lockouts and sign-outs, and
start a new session's clocks (iom/session_limits.py)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from iom import session_limits
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


@receiver(user_logged_in)
def _start_session_clocks(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_limits.begin(request)


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(user=user, action=AuditAction.LOGOUT)


@receiver(user_locked_out)
def _audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(
        user=None,
        action=AuditAction.LOCKED_OUT,
        outcome=AuditOutcome.REFUSED,
        username=str(username or ""),
        details={"address": ip_address},
    )
