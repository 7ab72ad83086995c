"""The second factor at the request level, shared by the sign-in pages and the API's token endpoint.

- A wrong (or missing) code is a failed sign-in like a wrong password: :func:`count_failed_sign_in` sends
  Django's ``user_login_failed``, so django-axes counts it towards the lockout (iom/sign_in_limits.py) and the
  audit records it (iom/signals.py); :func:`sign_in_locked` asks whether that user, from here, is locked now.
- :class:`SecondFactorRequiredMiddleware` ends any signed-in session that was not verified with a second factor
  while one is required (``TWO_FACTOR_REQUIRED``). The sign-in pages never make one, but a session begun some
  other way (a login added elsewhere later, or one from before the setting was turned on) must not outlive it.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from iom.audit import audit_record
from iom.models import AuditAction, User

NOT_VERIFIED = "no_second_factor"
ENDED_MESSAGE = "You were signed out because your session had no second factor. Sign in again to go on."


def sign_in_credentials(username: str) -> dict[str, str]:
    """The credentials django-axes keys a failure on (the sign-in form's and the token endpoint's field name)."""
    return {"username": username}


def sign_in_locked(request: HttpRequest, *, username: str) -> bool:
    """Whether signing in as ``username`` from this request's address is locked (as the password step checks)."""
    return bool(AxesProxyHandler.is_locked(request, sign_in_credentials(username)))


def count_failed_sign_in(request: HttpRequest, *, username: str) -> bool:
    """Record a wrong second factor as a failed sign-in of ``username``; whether sign-in is now locked."""
    user_login_failed.send(sender=__name__, credentials=sign_in_credentials(username), request=request)
    return bool(getattr(request, "axes_locked_out", False)) or sign_in_locked(request, username=username)


def is_verified(user: User | AnonymousUser) -> bool:
    """Whether this signed-in session's user gave a second factor (django-otp's ``OTPMiddleware`` says)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


class SecondFactorRequiredMiddleware:
    """Where a second factor is required, a signed-in session without one is ended before the view sees it.

    After ``OTPMiddleware`` (which knows the session's device). The request then goes on as an anonymous one,
    like a session that ran out (iom/session_limits.py), and the end is audited.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if settings.TWO_FACTOR_REQUIRED and user.is_authenticated and not is_verified(user):
            audit_record(user=user, action=AuditAction.SESSION_ENDED, details={"reason": NOT_VERIFIED})
            request.session.flush()
            request.user = AnonymousUser()
            messages.info(request, ENDED_MESSAGE)
        return self.get_response(request)
