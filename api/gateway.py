"""Gateway to Employment over the API: employers, pledges, opportunities, placements and the Plan's figures."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import (
    READ_CREATE_PATCH,
    AuditedListMixin,
    ErrorSerializer,
    ReadCreateViewSet,
    StrictFieldsMixin,
    StrictQueryParamsMixin,
    VersionField,
    VisibleRowsMixin,
    acting_user,
    validated,
)
from iom.models import Organisation, OrganisationType, User
from iom.selectors import first_or_404
from partners import selectors as partner_selectors
from partners import services as partner_services
from partners.models import Commitment, Employer, Opportunity, Pledge
from partners.rules import COORDINATE_GATEWAY, READ_GATEWAY, READ_OPPORTUNITIES
from referrals import selectors, services
from referrals.models import InterviewOutcome, Placement, PlacementEvent, PlacementEventKind
from referrals.rules import FOLLOW_PLACEMENTS, READ_GATEWAY_FIGURES

if TYPE_CHECKING:
    from rest_framework.validators import Validator  # a type alias of the stubs only


class EmployerSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(type=OrganisationType.EMPLOYER)
    )
    name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Employer
        fields = [
            "id",
            "organisation",
            "name",
            "sector",
            "size",
            "districts",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]


@extend_schema_view(
    list=extend_schema(summary="Gateway employers (an employer sees only itself)"),
    retrieve=extend_schema(summary="Read an employer", responses={200: EmployerSerializer, 404: ErrorSerializer}),
    create=extend_schema(summary="Register an employer", responses={201: EmployerSerializer, 400: ErrorSerializer}),
)
class EmployerViewSet(ReadCreateViewSet):
    model = Employer
    serializer_class = EmployerSerializer
    filterset_fields = ["sector", "size"]
    action_rules = {"list": READ_GATEWAY, "retrieve": READ_GATEWAY, "create": COORDINATE_GATEWAY}

    def visible_to(self, user: User) -> QuerySet[Employer]:
        return partner_selectors.employer_list_visible_to(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        serializer.instance = partner_services.employer_register(
            acting_user=acting_user(self.request), organisation=organisation, **data
        )


class PledgeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all())
    commitments = serializers.ListField(child=serializers.ChoiceField(choices=Commitment.choices), required=False)

    class Meta:
        model = Pledge
        fields = ["id", "employer", "signed_on", "signed_by", "opportunities_pledged", "commitments", "status"]
        read_only_fields = ["id", "status"]
        validators: "list[Validator[dict[str, object]]]" = []  # pledge_record lapses the earlier active pledge


@extend_schema_view(
    list=extend_schema(summary="Pledges (an employer sees only its own)"),
    retrieve=extend_schema(summary="Read a pledge", responses={200: PledgeSerializer, 404: ErrorSerializer}),
    create=extend_schema(summary="Record a signed pledge", responses={201: PledgeSerializer, 400: ErrorSerializer}),
)
class PledgeViewSet(ReadCreateViewSet):
    model = Pledge
    serializer_class = PledgeSerializer
    filterset_fields = ["employer", "status"]
    action_rules = {"list": READ_GATEWAY, "retrieve": READ_GATEWAY, "create": COORDINATE_GATEWAY}

    def visible_to(self, user: User) -> QuerySet[Pledge]:
        return partner_selectors.pledge_list_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = partner_services.pledge_record(
            acting_user=acting_user(self.request), **serializer.validated_data
        )


class OpportunitySerializer(StrictFieldsMixin, serializers.ModelSerializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all())
    employer_name = serializers.CharField(source="employer.organisation.name", read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "employer",
            "employer_name",
            "opportunity_type",
            "title",
            "district",
            "hours_per_week",
            "closing_on",
            "positions",
            "status",
            "version",
        ]
        read_only_fields = ["id", "version"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # an edit sends the version it read (one component in the schema)
            fields["version"] = VersionField()
        return fields


@extend_schema_view(
    list=extend_schema(summary="Opportunities (an employer sees only its own)"),
    retrieve=extend_schema(summary="Read an opportunity", responses={200: OpportunitySerializer, 404: ErrorSerializer}),
    create=extend_schema(
        summary="Publish an opportunity", responses={201: OpportunitySerializer, 400: ErrorSerializer}
    ),
    partial_update=extend_schema(summary="Change an opportunity (e.g. mark it filled)"),
)
class OpportunityViewSet(
    StrictQueryParamsMixin,
    VisibleRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = Opportunity
    serializer_class = OpportunitySerializer
    filterset_fields = ["employer", "status", "opportunity_type", "district"]
    http_method_names = READ_CREATE_PATCH
    action_rules = {
        "list": READ_OPPORTUNITIES,
        "retrieve": READ_OPPORTUNITIES,
        "create": COORDINATE_GATEWAY,
        "partial_update": COORDINATE_GATEWAY,
    }

    def visible_to(self, user: User) -> QuerySet[Opportunity]:
        return partner_selectors.opportunity_list_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = partner_services.opportunity_save(
            acting_user=acting_user(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        serializer.instance = partner_services.opportunity_save(
            acting_user=acting_user(self.request), opportunity=serializer.instance, version=version, **data
        )


class PlacementEventSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PlacementEventKind.choices)
    outcome = serializers.ChoiceField(choices=InterviewOutcome.choices, required=False, allow_blank=True)

    class Meta:
        model = PlacementEvent
        fields = ["id", "kind", "occurred_on", "outcome", "reason", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]


class CandidateSerializer(serializers.Serializer):
    """A placement as its employer sees it: the candidate's first name and initial, the role, the disclosure."""

    id = serializers.IntegerField(source="placement.pk")
    candidate = serializers.CharField(source="display_name")
    role = serializers.CharField()
    opportunity = serializers.IntegerField(source="placement.opportunity_id")
    support_contacts = serializers.CharField()
    unspent_convictions = serializers.ListField(child=serializers.DictField())
    started_on = serializers.DateField(source="placement.started_on", allow_null=True)
    sustained_13_on = serializers.DateField(source="placement.sustained_13_on", allow_null=True)
    sustained_26_on = serializers.DateField(source="placement.sustained_26_on", allow_null=True)
    ended_on = serializers.DateField(source="placement.ended_on", allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="Gateway placements (employers: their own candidates)", responses=CandidateSerializer),
    retrieve=extend_schema(summary="Read a placement", responses={200: CandidateSerializer, 404: ErrorSerializer}),
)
class PlacementViewSet(StrictQueryParamsMixin, VisibleRowsMixin, AuditedListMixin, viewsets.GenericViewSet):
    model = Placement
    serializer_class = CandidateSerializer
    audit_resource = "placements"
    audit_person = "referral__case__person_id"
    action_rules = dict.fromkeys(("list", "retrieve", "events"), FOLLOW_PLACEMENTS)

    def visible_to(self, user: User) -> QuerySet[Placement]:
        return selectors.placement_list_visible_to(user=user).order_by("-matched_at", "-id")

    def get_object(self) -> Placement:
        return first_or_404(self.get_queryset(), self.kwargs["pk"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        if page is None:  # the API's settings page every list (DEFAULT_PAGINATION_CLASS)
            raise ImproperlyConfigured(f"{type(self).__name__} lists in pages: it needs a pagination class.")
        candidates = [selectors.candidate_for_employer(placement=p) for p in page]
        self.audit_list(request)
        return self.get_paginated_response(CandidateSerializer(candidates, many=True).data)

    def retrieve(self, request, pk=None):
        placement = self.get_object()
        selectors.candidate_record_view(user=acting_user(request), placement=placement, via="api")
        return Response(CandidateSerializer(selectors.candidate_for_employer(placement=placement)).data)

    @extend_schema(
        methods=["GET"],
        summary="What happened on this placement (interview, offer, start, sustainment, end)",
        responses={200: PlacementEventSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record what happened (interview, offer, start, sustainment, end)",
        request=PlacementEventSerializer,
        responses={201: PlacementEventSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # every event, as one array: not paged
    def events(self, request, pk=None):
        placement = self.get_object()
        if request.method == "GET":
            return Response(PlacementEventSerializer(placement.events.all(), many=True).data)
        data = validated(PlacementEventSerializer, request.data)
        event = services.placement_record_event(acting_user=acting_user(request), placement=placement, **data)
        return Response(PlacementEventSerializer(event).data, status=status.HTTP_201_CREATED)


class GatewayFiguresView(StrictQueryParamsMixin, APIView):
    """The Plan's count: employers who have taken on an ex-offender, against the target of 100."""

    action_rules = {"get": READ_GATEWAY_FIGURES}
    extra_query_params = frozenset({"from", "to"})

    @extend_schema(
        summary="Gateway to Employment figures",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Count events on or after this date"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Count events on or before this date"),
        ],
        responses={
            200: inline_serializer(
                "GatewayFigures",
                {
                    "employers_pledged": serializers.IntegerField(),
                    "employers_with_placement_started": serializers.IntegerField(),
                    "target": serializers.IntegerField(),
                    "placements_started": serializers.IntegerField(),
                    "sustained_13_weeks": serializers.IntegerField(),
                    "sustained_26_weeks": serializers.IntegerField(),
                },
            ),
            400: ErrorSerializer,
        },
    )
    def get(self, request):
        window = validated(
            _DateWindow, {"from": request.query_params.get("from"), "to": request.query_params.get("to")}
        )
        return Response(selectors.gateway_figures(date_from=window.get("from"), date_to=window.get("to")))


class _DateWindow(serializers.Serializer):
    def get_fields(self):
        return {
            "from": serializers.DateField(required=False, allow_null=True),
            "to": serializers.DateField(required=False, allow_null=True),
        }

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": "The end date must not be before the start date."})
        return attrs
