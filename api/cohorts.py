"""/api/v1/cohorts/ and /api/v1/memberships/: cohorts and the panel's adopt and exit decisions."""

import django_filters  # type: ignore[import-untyped]  # django-filter ships no type information
from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import (
    AuditedListMixin,
    ErrorSerializer,
    ReadCreateViewSet,
    StrictFieldsMixin,
    StrictQueryParamsMixin,
    VisibleRowsMixin,
    acting_user,
    validated,
)
from api.fields import VisibleCohortField, VisiblePersonField
from iom import access, selectors, services
from iom.models import Cohort, Membership, Scheme, User
from iom.policy import CASEWORK, MANAGE_COHORTS, PANEL_DECISIONS, READ_COHORTS


class CohortSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    scheme = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.all(), allow_null=True, required=False)
    current_members = serializers.IntegerField(read_only=True, help_text="People with an open membership.")

    class Meta:
        model = Cohort
        fields = ["id", "slug", "name", "description", "scheme", "active", "current_members", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs: dict[str, dict[str, object]] = {"slug": {"validators": []}}


@extend_schema_view(
    list=extend_schema(summary="List cohorts"),
    retrieve=extend_schema(summary="Read a cohort by slug", responses={200: CohortSerializer, 404: ErrorSerializer}),
    create=extend_schema(summary="Create a cohort", responses={201: CohortSerializer, 400: ErrorSerializer}),
)
class CohortViewSet(ReadCreateViewSet):
    model = Cohort
    serializer_class = CohortSerializer
    lookup_field = "slug"
    lookup_value_regex = "[a-z0-9-]+"
    ordering_fields = ["name", "slug", "created_at"]
    ordering = ["name"]
    filterset_fields = ["active", "scheme"]
    action_rules = {"list": READ_COHORTS, "retrieve": READ_COHORTS, "create": MANAGE_COHORTS}

    def visible_to(self, user: User) -> QuerySet[Cohort]:
        return access.cohort_list_visible_to(user=user).annotate(
            current_members=Count("memberships", filter=Q(memberships__exited_on__isnull=True))
        )

    def perform_create(self, serializer):
        serializer.instance = services.cohort_create(acting_user=acting_user(self.request), **serializer.validated_data)
        serializer.instance.current_members = 0


class MembershipSerializer(serializers.ModelSerializer):
    cohort: serializers.SlugRelatedField[Cohort] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    exit_decided_by = serializers.CharField(
        source="exit_decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "person_name",
            "cohort",
            "adopted_on",
            "panel_date",
            "decided_by",
            "exited_on",
            "exit_reason",
            "exit_panel_date",
            "exit_decided_by",
        ]
        read_only_fields = fields


class AdoptSerializer(StrictFieldsMixin, serializers.Serializer):
    person = VisiblePersonField()
    cohort = VisibleCohortField()
    adopted_on = serializers.DateField()
    panel_date = serializers.DateField(required=False, allow_null=True)


class ExitSerializer(StrictFieldsMixin, serializers.Serializer):
    exited_on = serializers.DateField()
    exit_reason = serializers.CharField()
    panel_date = serializers.DateField(required=False, allow_null=True)


class MembershipFilter(django_filters.FilterSet):
    cohort = django_filters.CharFilter(field_name="cohort__slug")
    open = django_filters.BooleanFilter(field_name="exited_on", lookup_expr="isnull", label="Only open memberships")

    class Meta:
        model = Membership
        fields = ["person", "cohort", "open"]


@extend_schema_view(
    list=extend_schema(summary="List memberships of people you can see"),
    retrieve=extend_schema(summary="Read a membership", responses={200: MembershipSerializer, 404: ErrorSerializer}),
)
class MembershipViewSet(
    StrictQueryParamsMixin,
    VisibleRowsMixin,
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = Membership
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["adopted_on", "exited_on"]
    ordering = ["-adopted_on", "id"]
    audit_resource = "memberships"
    audit_person = "person_id"
    action_rules = {"list": CASEWORK, "retrieve": CASEWORK, "adopt": PANEL_DECISIONS, "exit": PANEL_DECISIONS}

    def visible_to(self, user: User) -> QuerySet[Membership]:
        return selectors.membership_list(user=user)

    @extend_schema(
        summary="Adopt a person into a cohort (a panel decision)",
        request=AdoptSerializer,
        responses={201: MembershipSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @action(detail=False, methods=["post"])
    def adopt(self, request):
        data = validated(AdoptSerializer, request.data, context=self.get_serializer_context())
        membership = services.membership_adopt(acting_user=acting_user(request), **data)
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a member's exit (a panel decision)",
        request=ExitSerializer,
        responses={200: MembershipSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def exit(self, request, pk=None):
        membership = self.get_object()
        membership = services.membership_exit(
            acting_user=acting_user(request), membership=membership, **validated(ExitSerializer, request.data)
        )
        return Response(self.get_serializer(membership).data)
