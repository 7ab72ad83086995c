"""Token sign-in for API clients and a "who am I" endpoint."""

from typing import ClassVar

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ErrorSerializer, StrictFieldsMixin, acting_user, validated
from iom.policy import SIGNED_IN


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for a token. Failures are audited by the login signal.

    The one API view open to anonymous callers: signing in is how a client stops being anonymous.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "token"

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()}), 400: ErrorSerializer},
        auth=[],
    )
    def post(self, request):
        user = authenticate(request, **validated(TokenRequestSerializer, request.data))
        if user is None or not user.is_active:
            return Response(
                {"detail": "The username or password is not right.", "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
