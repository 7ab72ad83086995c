"""Token sign-in and sign-out for API clients, their tokens, and a "who am I" endpoint.

Tokens are django-rest-knox's: stored as digests, each lasting ``API_TOKEN_HOURS`` (iom/services/tokens.py).
A user who has set up two-factor sign-in sends a code with the password (``otp``), as on the sign-in pages; one
who has not cannot get a token where a second factor is required (iom/services/two_factor.py).
"""

from typing import ClassVar

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ErrorSerializer, StrictFieldsMixin, acting_user, validated
from iom import selectors, services
from iom.models import User
from iom.policy import SIGNED_IN
from iom.second_factor import count_failed_sign_in
from iom.services import two_factor
from iom.services.tokens import token_label

LOCKED_OUT = "Too many failed sign-ins: signing in as this user or from this address is locked for 15 minutes."
OTP_MISSING = "Send the 6-digit code from your authenticator app, or one of your backup codes, as otp."
SET_UP_FIRST = "Set up two-factor sign-in on the web first (sign in at /sign-in/), then ask for a token with its code."


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The 6-digit code the user's authenticator app shows, or one of their backup codes (each works "
        "once). Required for every user who has set up two-factor sign-in.",
    )


class TokenView(APIView):
    """Exchange a username, password and second-factor code for a token. Failures are audited by the login signal.

    The one API view open to anonymous callers: signing in is how a client stops being anonymous. A missing or
    wrong code is a failed sign-in, counted towards the lockout like a wrong password.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "token"

    @extend_schema(
        summary="Get an API token",
        description=(
            "Sign in with `username`, `password` and, for a user who has set up two-factor sign-in, `otp`: the "
            "6-digit code their authenticator app shows, or one of their backup codes. A missing or wrong `otp` "
            "is a 400 with an error on `otp` and counts as a failed sign-in; a user who has not set up two-factor "
            "sign-in gets a 400 asking them to do so on the web first (outside the demo). After too many failed "
            "sign-ins the endpoint answers 429, with `Retry-After`, for 15 minutes."
        ),
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            ),
            400: ErrorSerializer,
            429: ErrorSerializer,
        },
        auth=[],
    )
    def post(self, request):
        credentials = validated(TokenRequestSerializer, request.data)
        otp = credentials.pop("otp", "")
        user = authenticate(request, **credentials)
        if getattr(request, "axes_locked_out", False):
            return _locked_out()
        if user is None or not user.is_active:
            return Response(
                {"detail": "The username or password is not right.", "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        refusal = _second_factor_refusal(request, user, otp)
        if refusal is not None:
            return refusal
        token, secret = services.api_token_issue(user=user)
        return Response({"token": secret, "expires_at": serializers.DateTimeField().to_representation(token.expiry)})


def _locked_out() -> Response:
    # Said plainly, so a client stops retrying; the same lockout as the sign-in page's.
    return Response(
        {"detail": LOCKED_OUT, "errors": {}},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(int(get_cool_off().total_seconds()))},
    )


def _otp_error(message: str) -> Response:
    return Response({"detail": message, "errors": {"otp": [message]}}, status=status.HTTP_400_BAD_REQUEST)


def _second_factor_refusal(request, user: User, otp: str) -> Response | None:
    """Why ``user`` (whose password was right) gets no token yet, or None when their second factor is right."""
    if two_factor.two_factor_device(user=user) is None:
        return _otp_error(SET_UP_FIRST) if settings.TWO_FACTOR_REQUIRED else None
    wait = two_factor.two_factor_wait_seconds(user=user)
    if wait:  # django-otp's pause after a wrong code: not checked, so not counted
        message = f"Wait {wait} seconds, then send the code again."
        return Response(
            {"detail": message, "errors": {"otp": [message]}},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    if otp and two_factor.two_factor_verify(user=user, code=otp, via="api") is not None:
        return None
    if not otp:  # the wrong-code case is audited by the service; a missing one is audited here
        two_factor.two_factor_failure_record(user=user, stage="api", kind="missing")
    if count_failed_sign_in(request, username=user.get_username()):
        return _locked_out()
    return _otp_error(OTP_MISSING if not otp else two_factor.WRONG_CODE)


class NoBodySerializer(StrictFieldsMixin, serializers.Serializer):
    """For an endpoint that takes no body: any field sent is refused, like anywhere else."""


class SignOutView(APIView):
    """End the token this request carries (a browser session signs out instead)."""

    action_rules: ClassVar = {"post": SIGNED_IN}

    @extend_schema(summary="Sign out: end this token", request=None, responses={204: None})
    def post(self, request):
        validated(NoBodySerializer, request.data)
        if isinstance(request.auth, AuthToken):
            services.api_token_revoke(acting_user=acting_user(request), token=request.auth)
        else:
            logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", help_text="Use it to revoke the token.")
    starts_with = serializers.SerializerMethodField(help_text="The token's first eight characters.")
    user = serializers.CharField(source="user.username")
    created_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry")
    current = serializers.SerializerMethodField(help_text="Whether this request was made with it.")

    def get_starts_with(self, token) -> str:
        return token_label(token)

    def get_current(self, token) -> bool:
        used = self.context["request"].auth
        return isinstance(used, AuthToken) and used.digest == token.digest


class TokenListView(APIView):
    """Your unexpired API tokens (an administrator sees everyone's), newest first."""

    action_rules: ClassVar = {"get": SIGNED_IN}

    @extend_schema(summary="API tokens", responses={200: TokenSerializer(many=True)})
    def get(self, request):
        tokens = selectors.api_token_list_visible_to(user=acting_user(request))
        return Response(TokenSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetailView(APIView):
    """Revoke a token: one of your own, or anyone's for an administrator. Others' are a 404."""

    action_rules: ClassVar = {"delete": SIGNED_IN}

    @extend_schema(summary="Revoke an API token", responses={204: None, 404: ErrorSerializer})
    def delete(self, request, key: str):
        user = acting_user(request)
        token = selectors.api_token_visible(user=user, key=key)
        if token is None:
            raise Http404
        services.api_token_revoke(acting_user=user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    role = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name", default=None)
    teams = serializers.SerializerMethodField()

    def get_teams(self, user) -> list[str]:
        return [team.name for team in user.teams.all()]


class MeView(APIView):
    action_rules: ClassVar = {"get": SIGNED_IN}

    @extend_schema(summary="The signed-in user", responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(acting_user(request)).data)
