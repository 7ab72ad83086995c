"""/api/v1/interventions/ and /api/v1/programmes/: what was delivered to people on cases, and the catalogue."""

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from api.base import (
    READ_CREATE_PATCH,
    AuditedCaseContentMixin,
    AuditedListMixin,
    ConflictSerializer,
    ErrorSerializer,
    ReadCreateViewSet,
    StrictFieldsMixin,
    StrictQueryParamsMixin,
    VisibleRowsMixin,
    acting_user,
    object_for_write,
    validated,
)
from api.fields import VisibleCaseField
from iom import access
from iom.models import Organisation, User
from iom.policy import CASEWORK
from outcomes import selectors, services
from outcomes.models import Intervention, InterventionOutcome, Programme
from referrals import selectors as referral_selectors
from referrals.models import Referral

if TYPE_CHECKING:
    from rest_framework.validators import Validator  # a type alias of the stubs only


@extend_schema_field(OpenApiTypes.INT)
class VisibleReferralField(serializers.PrimaryKeyRelatedField[Referral]):
    """A referral the user can see; the service checks it comes from the intervention's case."""

    def get_queryset(self) -> QuerySet[Referral]:
        return referral_selectors.referral_list_visible_to(user=acting_user(self.context["request"]))


class ProgrammeSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "provider", "provider_name", "programme_type", "active"]
        read_only_fields = fields


class InterventionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    case = VisibleCaseField()
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all())
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    programme_type = serializers.CharField(source="programme.programme_type", read_only=True)
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, help_text="Defaults to the programme's provider."
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    referral = VisibleReferralField(required=False, allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Intervention
        fields = [
            "id",
            "case",
            "programme",
            "programme_name",
            "programme_type",
            "provider",
            "provider_name",
            "referral",
            "started_on",
            "ended_on",
            "sessions_planned",
            "sessions_attended",
            "outcome",
            "recorded_by",
            "version",
            "created_at",
        ]
        read_only_fields = ["id", "recorded_by", "version", "created_at"]
        extra_kwargs = {"outcome": {"required": False}}
        # The service validates dates, attendance and outcome and reports field errors.
        validators: "list[Validator[dict[str, object]]]" = []


class InterventionUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you read; a stale one gets 409.")
    provider = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False)
    referral = VisibleReferralField(required=False, allow_null=True)
    started_on = serializers.DateField(required=False)
    ended_on = serializers.DateField(required=False, allow_null=True)
    sessions_planned = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=32767)
    sessions_attended = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=32767)
    outcome = serializers.ChoiceField(choices=InterventionOutcome.choices, required=False)


def _ensure_can_change_intervention(*, user, intervention) -> None:
    access.ensure_can_change_case(user=user, case=intervention.case, attempted="change intervention")


@extend_schema_view(
    list=extend_schema(summary="List interventions on cases you can see"),
    retrieve=extend_schema(
        summary="Read an intervention",
        description="Recorded as a view.",
        responses={200: InterventionSerializer, 404: ErrorSerializer},
    ),
    create=extend_schema(
        summary="Record an intervention", responses={201: InterventionSerializer, 400: ErrorSerializer}
    ),
    partial_update=extend_schema(
        summary="Update an intervention (attendance, end date, outcome)",
        request=InterventionUpdateSerializer,
        responses={200: InterventionSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    ),
)
class InterventionViewSet(AuditedListMixin, AuditedCaseContentMixin[Intervention], ReadCreateViewSet):
    model = Intervention
    serializer_class = InterventionSerializer
    filterset_fields = ["case", "outcome", "programme"]
    ordering_fields = ["started_on", "ended_on", "created_at"]
    ordering = ["-started_on", "-id"]
    audit_resource = "interventions"
    audit_person = "case__person_id"
    http_method_names = READ_CREATE_PATCH
    action_rules = dict.fromkeys(("list", "retrieve", "create", "partial_update"), CASEWORK)

    def visible_to(self, user: User) -> QuerySet[Intervention]:
        return selectors.intervention_list_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.intervention_record(
            acting_user=acting_user(self.request), **serializer.validated_data
        )

    def partial_update(self, request, pk=None):
        intervention = object_for_write(
            Intervention, pk, acting_user(request), _ensure_can_change_intervention, "intervention"
        )
        data = validated(InterventionUpdateSerializer, request.data, context=self.get_serializer_context())
        version = data.pop("version")
        intervention = services.intervention_update(
            acting_user=acting_user(request), intervention=intervention, version=version, **data
        )
        return Response(self.get_serializer(intervention).data)


@extend_schema_view(list=extend_schema(summary="List the catalogue of programmes and services"))
class ProgrammeViewSet(StrictQueryParamsMixin, VisibleRowsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    model = Programme
    serializer_class = ProgrammeSerializer
    filterset_fields = ["programme_type", "provider", "active"]
    ordering_fields = ["name"]
    ordering = ["name", "id"]
    action_rules = {"list": CASEWORK}

    def visible_to(self, user: User) -> QuerySet[Programme]:
        return selectors.programme_list(user=user)
