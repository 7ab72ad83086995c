"""/api/v1/people/: search, read, record and edit people."""

from typing import Any

import django_filters  # type: ignore[import-untyped]  # django-filter ships no type information
from django.core.validators import validate_slug
from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import (
    AuditedListMixin,
    ConflictSerializer,
    ErrorSerializer,
    StrictFieldsMixin,
    StrictQueryParamsMixin,
    VersionField,
    VisibleRowsMixin,
    acting_user,
    object_for_write,
)
from iom import access, selectors, services
from iom.models import Cohort, District, Flag, Person, RiskOfSeriousHarm, Team, User
from iom.policy import CASEWORK
from iom.services.people import MAX_REASON_LENGTH


class DateOfBirthField(serializers.DateField):
    """Required, and never null, in a request; null in a response only once the person is erased."""


class DateOfBirthFieldExtension(OpenApiSerializerFieldExtension):
    """Documents the one difference between directions, which a field's ``allow_null`` cannot say."""

    target_class = DateOfBirthField

    def map_serializer_field(self, auto_schema, direction):
        schema = {**(build_basic_type(OpenApiTypes.DATE) or {})}
        if direction == "response":
            schema["nullable"] = True
        return schema


class PersonSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    date_of_birth = DateOfBirthField()
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), source="alias_list", required=False)
    flags = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Flag.objects.filter(active=True), required=False
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        write_only=True,
        required=False,
        help_text="On create: the team that will manage the person (defaults to your only team).",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "pnc_id",
            "crn",
            "first_name",
            "last_name",
            "aliases",
            "date_of_birth",
            "gender",
            "ethnicity",
            "district",
            "risk_of_serious_harm",
            "flags",
            "team",
            "version",
            "created_at",
            "updated_at",
            "erased_at",
        ]
        read_only_fields = ["id", "version", "created_at", "updated_at"]
        # Uniqueness and format are checked by the service, with the same messages for pages and API.
        extra_kwargs: dict[str, dict[str, object]] = {
            "pnc_id": {"validators": []},
            "crn": {"validators": []},
            # Set when a retention review disposed of the person: their names read "Erased person", their PNC ID
            # is a reference and their date of birth is null (docs/retention.md).
            "erased_at": {"read_only": True},
        }

    def service_data(self) -> dict:
        data = dict(self.validated_data)
        data.pop("flags", None)
        data.pop("team", None)
        if "alias_list" in data:
            data["aliases"] = data.pop("alias_list")
        return data


class PersonUpdateSerializer(PersonSerializer):
    version = VersionField()
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=MAX_REASON_LENGTH,
        help_text="Why the details are changed (a correction's reason): kept with the old and new values in the "
        "person's corrections and the audit log. The pages always ask for one.",
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "reason"]
        read_only_fields = ["id", "created_at", "updated_at"]


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, alias, PNC ID or CRN")
    district = django_filters.ChoiceFilter(choices=District.choices)
    risk_of_serious_harm = django_filters.ChoiceFilter(choices=RiskOfSeriousHarm.choices)
    flag = django_filters.CharFilter(field_name="flags__code")
    cohort = django_filters.CharFilter(
        method="in_cohort",
        label="Slug of a cohort the person is a current member of",
        max_length=Cohort._meta.get_field("slug").max_length,
        validators=[validate_slug],
    )

    class Meta:
        model = Person
        fields = ["q", "district", "risk_of_serious_harm", "flag", "cohort"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=selectors.person_search(user=acting_user(self.request), query=value).values("pk"))

    def in_cohort(self, queryset, name, value):
        return queryset.filter(memberships__cohort__slug=value, memberships__exited_on__isnull=True)


@extend_schema_view(
    list=extend_schema(summary="Search people you can see", description="Each search is recorded in the audit log."),
    retrieve=extend_schema(
        summary="Read one person",
        description="Recorded as a view.",
        responses={200: PersonSerializer, 404: ErrorSerializer},
    ),
    create=extend_schema(summary="Record a person", responses={201: PersonSerializer, 400: ErrorSerializer}),
    partial_update=extend_schema(
        summary="Edit a person",
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    ),
    update=extend_schema(
        summary="Replace a person's details",
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    ),
)
class PersonViewSet(
    StrictQueryParamsMixin,
    VisibleRowsMixin,
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["last_name", "first_name", "date_of_birth", "pnc_id", "updated_at"]
    ordering = ["last_name", "first_name", "id"]
    audit_resource = "people"
    audit_person = "pk"
    action_rules = dict.fromkeys(("list", "retrieve", "create", "update", "partial_update"), CASEWORK)

    def visible_to(self, user: User) -> QuerySet[Person]:
        return access.person_list_visible_to(user=user).prefetch_related("flags").distinct()

    def get_object(self) -> Person:
        if self.action == "metadata":  # OPTIONS asks whether PUT applies to this person: not a view of their record
            return super().get_object()
        # Also a person the user opened outside their teams (a page, not the API, opens one): docs/roles.md.
        return selectors.person_read(user=acting_user(self.request), pk=self.kwargs["pk"]).person

    def perform_create(self, serializer):
        serializer.instance = services.person_create(
            acting_user=acting_user(self.request),
            **serializer.service_data(),
            flags=serializer.validated_data.get("flags"),
            team=serializer.validated_data.get("team"),
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = acting_user(request)
        person = object_for_write(Person, kwargs["pk"], user, access.ensure_can_change_person, "person")
        serializer = PersonUpdateSerializer(
            person, data=request.data, partial=kwargs.pop("partial", False), context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.service_data()
        version = data.pop("version")
        person = services.person_update(
            acting_user=user,
            person=person,
            version=version,
            **data,
            flags=serializer.validated_data.get("flags"),
        )
        return Response(self.get_serializer(person).data)
