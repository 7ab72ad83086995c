"""A sign-in waiting for its second factor: who gave the right password, kept in the session, not yet a login.

Until the code is right the visitor is not signed in: no page but the code (or set-up) page knows them, and the
session clocks (iom/session_limits.py) and the sign-in audit start only with ``django.contrib.auth.login``.
The wait lapses after a few minutes, and with any change of the user's password or any deactivation meanwhile.
"""

import time
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from iom.models import User

PENDING = "two_factor_pending"
# Long enough to open an app and type a code; setting one up (installing the app first) takes longer.
CODE_SECONDS = 5 * 60
SET_UP_SECONDS = 15 * 60
LAPSED_MESSAGE = "You took more than {minutes} minutes to enter the code, so you need to sign in again."


@dataclass(frozen=True)
class Waiting:
    user: User
    backend: str


def begin(request: HttpRequest, user: User, *, seconds: int) -> None:
    """Remember that ``user`` (just authenticated by ``backend``) gave their password, for ``seconds``.

    The session gets a new key first, so a session id planted before the password cannot carry the sign-in on.
    """
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "hash": user.get_session_auth_hash(),
        "until": time.time() + seconds,
        "minutes": seconds // 60,
    }


def clear(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


def waiting(request: HttpRequest) -> Waiting | None:
    """The sign-in waiting in this session, or None (a lapsed one is forgotten, and the visitor told why)."""
    state = request.session.get(PENDING)
    if not isinstance(state, dict) or not isinstance(state.get("user"), int):
        return None
    user = User.objects.filter(pk=state["user"], is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), str(state.get("hash", ""))):
        clear(request)
        return None
    if time.time() >= float(state.get("until", 0)):
        clear(request)
        messages.info(request, LAPSED_MESSAGE.format(minutes=state.get("minutes", CODE_SECONDS // 60)))
        return None
    return Waiting(user=user, backend=str(state.get("backend") or ""))
