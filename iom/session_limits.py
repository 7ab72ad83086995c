"""How long a signed-in session lasts: it ends after a spell without activity and at a fixed time after sign-in.

Police data on an unattended screen is the risk (ASVS 5.0 V7.3): a session ends after
``SESSION_IDLE_SECONDS`` without a request (30 minutes by default) and ``SESSION_ABSOLUTE_SECONDS`` after
sign-in (10 hours, a long shift) whatever the activity, and at once when its user signs out everywhere
(``User.sessions_valid_after``). The times live in the session itself, as seconds since the epoch:

- ``signed_in_at`` is written when the user signs in (``begin``, from the ``user_logged_in`` signal);
- ``last_seen`` is moved on by requests, at most once a ``TOUCH_EVERY`` seconds, so that a busy page does not
  write the session row on every request. Idle time is counted from it, so to within that minute.

Django's own expiry (``SESSION_COOKIE_AGE``) is set a little longer than the idle limit, so the middleware is
what decides, and says why; the database row and the cookie run out soon after as a backstop.
"""

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from iom.audit import audit_record
from iom.models import AuditAction, User

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
TOUCH_EVERY = 60

IDLE = "idle"
ABSOLUTE = "absolute"
EVERYWHERE = "signed_out_everywhere"
UNTIMED = "untimed"

ENDED_MESSAGES = {
    IDLE: "You were signed out because you had not used the service for {idle} minutes. Sign in again to go on.",
    ABSOLUTE: "You were signed out because you signed in {absolute} hours ago. Sign in again to go on.",
    EVERYWHERE: "You were signed out because your account was signed out on every device.",
    UNTIMED: "Your session had ended. Sign in again to go on.",
}


def begin(request: HttpRequest) -> None:
    """Start the clocks of a new signed-in session."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def seconds_left(session: Any, *, now: float | None = None) -> int:
    """How long the session has before it ends unused: the sooner of the idle end and the absolute end."""
    now = time.time() if now is None else now
    idle_end = float(session.get(LAST_SEEN, 0)) + settings.SESSION_IDLE_SECONDS
    absolute_end = float(session.get(SIGNED_IN_AT, 0)) + settings.SESSION_ABSOLUTE_SECONDS
    return max(0, int(min(idle_end, absolute_end) - now))


def ended_because(session: Any, user: User, *, now: float) -> str | None:
    """Why this signed-in session is over, or None while it lasts."""
    signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    if signed_in_at is None or last_seen is None:
        return UNTIMED  # begun before these limits, or not by signing in: not ours to trust
    if user.sessions_valid_after is not None and float(signed_in_at) < user.sessions_valid_after.timestamp():
        return EVERYWHERE
    if now - float(signed_in_at) >= settings.SESSION_ABSOLUTE_SECONDS:
        return ABSOLUTE
    if now - float(last_seen) >= settings.SESSION_IDLE_SECONDS:
        return IDLE
    return None


def touch(request: HttpRequest, *, force: bool = False) -> None:
    """Count this request as activity (written at most once a minute unless ``force``)."""
    now = time.time()
    if force or now - float(request.session.get(LAST_SEEN, 0)) >= TOUCH_EVERY:
        request.session[LAST_SEEN] = now


class SessionLimitsMiddleware:
    """Ends a signed-in session that has run out before the view sees its user (after AuthenticationMiddleware).

    The request then goes on as an anonymous one, so pages send it to sign in (with a message saying why) and
    the API answers 401, exactly as for someone who never signed in. Requests authenticated by an API token
    carry no session and are not touched here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            reason = ended_because(request.session, user, now=time.time())
            if reason is None:
                touch(request)
            else:
                _end(request, user, reason)
        return self.get_response(request)


def _end(request: HttpRequest, user: User, reason: str) -> None:
    audit_record(user=user, action=AuditAction.SESSION_ENDED, details={"reason": reason})
    request.session.flush()  # not logout(): that would record a sign-out the user did not make
    request.user = AnonymousUser()
    idle, absolute = settings.SESSION_IDLE_SECONDS // 60, settings.SESSION_ABSOLUTE_SECONDS // 3600
    messages.info(request, ENDED_MESSAGES[reason].format(idle=idle, absolute=absolute))
