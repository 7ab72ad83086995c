"""Signing in in two steps (password, then a code), setting up the authenticator app, and backup codes.

The password page (``SignInView``) does not sign anyone in who has, or must have, a second factor: it keeps the
pending sign-in in the session (web/two_factor/pending.py) and sends them to the code page, or, the first time,
to the set-up page. Only a right code signs them in, through ``django.contrib.auth.login`` (which starts the
session clocks and audits the sign-in) and ``django_otp.login`` (which marks the session verified). A wrong
code is a failed sign-in for the lockout (iom/second_factor.py). In the demo (``TWO_FACTOR_REQUIRED`` off) a
user without an app is signed in after the password, and every page says so. The page to go on to (``next``)
is carried through both steps and followed only if it is on this site.
"""

import base64
import io
from base64 import b32encode
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

import django_otp
import segno
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import middleware as otp_middleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.models import User
from iom.policy import SIGNED_IN
from iom.second_factor import count_failed_sign_in, sign_in_credentials, sign_in_locked
from iom.services import two_factor
from web.access import AuthenticatedRequest, page, public_page
from web.two_factor import pending
from web.two_factor.forms import CodeForm

SIGN_IN_LABEL = "Code"
SIGN_IN_HINT = "The 6-digit code your authenticator app shows for IOM Partnership Tracker, or one of your backup codes."
SET_UP_LABEL = "Code from your app"
SET_UP_HINT = "The 6-digit code your app shows for IOM Partnership Tracker after you add it."
FEW_BACKUP_CODES = 3


def safe_next(request: HttpRequest) -> str:
    """The page to go on to, from the form or the address, if it is on this site; otherwise ''."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + (f"?{urlencode({'next': next_url})}" if next_url else "")


def _go_on(next_url: str) -> HttpResponse:
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _locked(request: HttpRequest, username: str) -> HttpResponse:
    """The locked sign-in page (429), as the password step gives it; the pending sign-in is dropped."""
    pending.clear(request)
    return get_lockout_response(request, None, sign_in_credentials(username))


def _sign_in(request: HttpRequest, waiting: pending.Waiting, device: Device) -> None:
    pending.clear(request)
    login(request, waiting.user, backend=waiting.backend or None)
    django_otp.login(request, device)
    # This request's user is now the one login() set, which OTPMiddleware never saw: say it is verified too, so
    # the page rendered in this same request (the backup codes) knows.
    setattr(request.user, "is_verified", partial(otp_middleware.is_verified, request.user))  # noqa: B010


class SignInView(auth_views.LoginView):
    """The password step. Whoever has a second factor, or must set one up, goes on to that step, not signed in."""

    redirect_authenticated_user = True

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        next_url = self.get_redirect_url()  # '' unless it is on this site
        if two_factor.two_factor_device(user=user) is not None:
            pending.begin(self.request, user, seconds=pending.CODE_SECONDS)
            return redirect(_with_next("sign-in-code", next_url))
        if settings.TWO_FACTOR_REQUIRED:
            pending.begin(self.request, user, seconds=pending.SET_UP_SECONDS)
            return redirect(_with_next("sign-in-set-up", next_url))
        return super().form_valid(form)  # the demo: signed in on the password alone (the banner says so)


@public_page
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponseBase:
    next_url = safe_next(request)
    waiting = pending.waiting(request)
    if waiting is None:
        return redirect(_with_next("login", next_url))
    username = waiting.user.get_username()
    if sign_in_locked(request, username=username):
        return _locked(request, username)
    form = CodeForm(request.POST or None, label=SIGN_IN_LABEL, hint=SIGN_IN_HINT)
    if request.method == "POST" and form.is_valid():
        wait = two_factor.two_factor_wait_seconds(user=waiting.user)
        if wait:
            form.add_error("code", f"Wait {wait} seconds, then enter the code again.")
        else:
            device = two_factor.two_factor_verify(user=waiting.user, code=form.cleaned_data["code"], via="page")
            if device is not None:
                _sign_in(request, waiting, device)
                if isinstance(device, StaticDevice):
                    _say_backup_codes_left(request, device)
                return _go_on(next_url)
            if count_failed_sign_in(request, username=username):
                return _locked(request, username)
            form.add_error("code", two_factor.WRONG_CODE)
    return render(request, "two_factor/code.html", {"form": form, "next": next_url})


def _say_backup_codes_left(request: HttpRequest, device: StaticDevice) -> None:
    left = device.token_set.count()
    text = f"You used a backup code. You have {left} left."
    if left <= FEW_BACKUP_CODES:
        text += " Make new ones from Your account."
    messages.info(request, text)


@public_page
@require_http_methods(["GET", "POST"])
def sign_in_set_up(request: HttpRequest) -> HttpResponseBase:
    """The first sign-in of a user who must have a second factor and has none: set up the app, then signed in."""
    next_url = safe_next(request)
    waiting = pending.waiting(request)
    if waiting is None:
        return redirect(_with_next("login", next_url))
    if two_factor.two_factor_device(user=waiting.user) is not None:  # set up meanwhile, in another tab
        return redirect(_with_next("sign-in-code", next_url))
    username = waiting.user.get_username()
    if sign_in_locked(request, username=username):
        return _locked(request, username)

    def signed_in(device: TOTPDevice) -> None:
        _sign_in(request, waiting, device)

    return _set_up(request, waiting.user, next_url=next_url, on_success=signed_in)


@page(SIGNED_IN, methods=("GET", "POST"))
def account_set_up(request: AuthenticatedRequest) -> HttpResponseBase:
    """Setting up the app while signed in: in the demo, where nobody is made to at sign-in."""
    if two_factor.two_factor_device(user=request.user) is not None:
        messages.info(request, "Two-factor sign-in is already set up for your account.")
        return redirect("account")

    def verified(device: TOTPDevice) -> None:
        django_otp.login(request, device)

    return _set_up(request, request.user, next_url=reverse("account"), on_success=verified)


def _set_up(
    request: HttpRequest, user: User, *, next_url: str, on_success: Callable[[TOTPDevice], None]
) -> HttpResponse:
    device = two_factor.two_factor_enrolment_start(user=user)
    form = CodeForm(request.POST or None, label=SET_UP_LABEL, hint=SET_UP_HINT)
    if request.method == "POST" and form.is_valid():
        wait = two_factor.two_factor_wait_seconds(user=user)
        if wait:
            form.add_error("code", f"Wait {wait} seconds, then enter the code again.")
        else:
            try:
                codes = two_factor.two_factor_enrol(user=user, device=device, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                on_success(device)
                return _backup_codes_page(request, codes, next_url=next_url, first=True)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": _qr_code(device.config_url),
        "secret": _grouped(b32encode(device.bin_key).decode()),
    }
    return render(request, "two_factor/set_up.html", context)


@page(SIGNED_IN, methods=("POST",))
def account_backup_codes(request: AuthenticatedRequest) -> HttpResponse:
    """New backup codes, shown once on the answer to this POST (they are kept nowhere else readable)."""
    try:
        codes = two_factor.two_factor_backup_codes_issue(user=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("account")
    return _backup_codes_page(request, codes, next_url=reverse("account"), first=False)


def _backup_codes_page(request: HttpRequest, codes: list[str], *, next_url: str, first: bool) -> HttpResponse:
    """The codes, once: rendered into this response only, never stored readable or put in a later page."""
    context = {"codes": codes, "next": next_url or resolve_url(settings.LOGIN_REDIRECT_URL), "first": first}
    return render(request, "two_factor/backup_codes.html", context)


def _qr_code(url: str) -> str:
    """The app's set-up address as an SVG QR code in a ``data:`` URI: an image, so no inline style or script."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=5, border=4, dark="#0b0c0c", light="#ffffff", xmldecl=False, svgns=True
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _grouped(secret: str) -> str:
    """The secret in groups of four letters, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@public_page
@require_http_methods(["GET", "POST"])
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Django admin's own login page, replaced: it would sign people in on a password alone.

    Anyone not signed in goes to the service's sign-in (with both steps) and comes back to ``next``; a signed-in
    user the admin site admits goes on; anyone else signed in is refused, rather than sent round in a loop.
    """
    next_url = safe_next(request)
    if not request.user.is_authenticated:
        return redirect(_with_next("login", next_url or reverse("admin:index")))
    if admin.site.has_permission(request):
        return redirect(next_url or reverse("admin:index"))
    raise PermissionDenied("Your account cannot use the admin site.")
