"""The signed-in user's own account: who they are here, their API tokens, and ending their sessions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from knox.settings import knox_settings

from iom import selectors, services, session_limits
from iom.policy import SIGNED_IN
from iom.services.tokens import token_label
from web.access import AuthenticatedRequest, page


@page(SIGNED_IN, methods=("GET",))
def account(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "teams": list(request.user.teams.order_by("name")),
        "tokens": [
            {
                "key": token.token_key,
                "starts_with": token_label(token),
                "created": token.created,
                "expiry": token.expiry,
            }
            for token in selectors.api_token_list_visible_to(user=request.user).filter(user=request.user)
        ],
        "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_SECONDS // 3600,
        "token_hours": int(knox_settings.TOKEN_TTL.total_seconds() // 3600),
    }
    return render(request, "account/account.html", context)


@page(SIGNED_IN, methods=("POST",))
def sign_out_everywhere(request: AuthenticatedRequest) -> HttpResponse:
    services.user_sign_out_everywhere(acting_user=request.user, user=request.user)
    logout(request)
    messages.success(request, "You were signed out on every device, this one included.")
    return redirect("login")


@page(SIGNED_IN, methods=("POST",))
def revoke_token(request: AuthenticatedRequest, key: str) -> HttpResponse:
    token = selectors.api_token_visible(user=request.user, key=key)
    if token is None or token.user_id != request.user.pk:
        raise Http404
    services.api_token_revoke(acting_user=request.user, token=token)
    messages.success(request, f"The API token starting {token_label(token)} was revoked.")
    return redirect("account")


@page(SIGNED_IN, methods=("POST",))
def keep_alive(request: AuthenticatedRequest) -> JsonResponse:
    """The "Stay signed in" button of the timeout warning: counts as activity, says how long is left now."""
    session_limits.touch(request, force=True)
    return JsonResponse({"seconds_left": session_limits.seconds_left(request.session)})
