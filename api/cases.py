"""/api/v1/cases/, /assessments/, /actions/ and /notes/: the day-to-day case work."""

import django_filters  # type: ignore[import-untyped]  # django-filter ships no type information
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import (
    READ_CREATE_PATCH,
    AuditedCaseContentMixin,
    AuditedListMixin,
    ConflictSerializer,
    ErrorSerializer,
    ReadCreateViewSet,
    StrictFieldsMixin,
    VersionSerializer,
    acting_user,
    object_for_write,
    validated,
)
from api.fields import CaseworkerField, VisibleCaseField, VisiblePersonField
from iom import access, selectors, services
from iom.models import Action, ActionStatus, Case, CaseNote, CaseStatus, Pathway, PathwayAssessment, User
from iom.policy import CASEWORK
from iom.selectors import first_or_404
from iom.services._validation import today


class AssessmentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    case = VisibleCaseField()
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)

    class Meta:
        model = PathwayAssessment
        fields = ["id", "case", "pathway", "need_level", "rag", "assessed_on", "assessed_by", "notes", "created_at"]
        read_only_fields = ["id", "assessed_by", "created_at"]
        extra_kwargs = {"assessed_on": {"required": False}}


class CaseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    person = VisiblePersonField()
    lead_officer = CaseworkerField(required=False, allow_null=True)
    offender_manager = CaseworkerField(required=False, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "person",
            "person_name",
            "team",
            "team_name",
            "lead_officer",
            "offender_manager",
            "status",
            "opened_on",
            "closed_on",
            "version",
        ]
        read_only_fields = ["id", "status", "closed_on", "version"]
        extra_kwargs = {"opened_on": {"required": False}}


class CaseDetailSerializer(CaseSerializer):
    current_pathways = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "current_pathways"]

    @extend_schema_field(AssessmentSerializer(many=True))
    def get_current_pathways(self, case) -> list[dict]:
        # many=True makes a ListSerializer, whose data is a list; the stubs type the call as one AssessmentSerializer.
        return AssessmentSerializer(  # type: ignore[return-value]
            selectors.pathway_current(case=case), many=True, context=self.context
        ).data


class CaseUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    lead_officer = CaseworkerField(required=False, allow_null=True)
    offender_manager = CaseworkerField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)


class GrantSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all(), source="grantee")
    permission = serializers.ChoiceField(choices=["view_case", "change_case"], default="view_case")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class GrantReadSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    permission = serializers.CharField(source="permission.codename")
    granted_by = serializers.CharField(source="granted_by.username", default=None)
    reason = serializers.CharField()
    granted_at = serializers.DateTimeField()


class CaseFilter(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only cases where I am lead or offender manager")

    class Meta:
        model = Case
        fields = ["status", "team", "person", "mine"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = acting_user(self.request)
        return queryset.filter(lead_officer=user) | queryset.filter(offender_manager=user)


@extend_schema_view(
    list=extend_schema(summary="List cases you can see"),
    retrieve=extend_schema(
        summary="Read a case",
        description="Recorded as a view.",
        responses={200: CaseDetailSerializer, 404: ErrorSerializer},
    ),
    create=extend_schema(summary="Open a case", responses={201: CaseSerializer, 400: ErrorSerializer}),
    partial_update=extend_schema(
        summary="Allocate or change the status of a case",
        request=CaseUpdateSerializer,
        responses={200: CaseSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    ),
)
class CaseViewSet(AuditedListMixin, ReadCreateViewSet):
    model = Case
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["opened_on", "status", "person__last_name"]
    ordering = ["-opened_on", "id"]
    audit_resource = "cases"
    audit_person = "person_id"
    http_method_names = READ_CREATE_PATCH
    action_rules = dict.fromkeys(
        ("list", "retrieve", "create", "partial_update", "grants", "grant", "revoke"), CASEWORK
    )

    def visible_to(self, user: User) -> QuerySet[Case]:
        return selectors.case_list(user=user)

    def get_object(self):
        # Also a case of a person the user opened outside their teams (a page, not the API, opens one): docs/roles.md.
        return selectors.case_read(user=acting_user(self.request), pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def perform_create(self, serializer):
        serializer.instance = services.case_open(acting_user=acting_user(self.request), **serializer.validated_data)

    def partial_update(self, request, pk=None):
        case = object_for_write(Case, pk, acting_user(request), access.ensure_can_change_case, "case")
        data = validated(CaseUpdateSerializer, request.data)
        case = services.case_update(
            acting_user=acting_user(request),
            case=case,
            version=data["version"],
            **{name: data[name] for name in ("lead_officer", "offender_manager", "status") if name in data},
        )
        return Response(self.get_serializer(case).data)

    @extend_schema(summary="Who holds explicit grants on this case", responses={200: GrantReadSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # every grant, as one array: not paged
    def grants(self, request, pk=None):
        case = first_or_404(access.case_list_visible_to(user=acting_user(request)), pk)
        rows = case.user_grants.select_related("user", "permission", "granted_by").order_by("user__username")
        return Response(GrantReadSerializer(rows, many=True).data)

    @extend_schema(
        summary="Give a named police or probation user access to this case",
        request=GrantSerializer,
        responses={204: None, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        case = object_for_write(Case, pk, acting_user(request), access.ensure_can_change_case, "case")
        services.case_grant(acting_user=acting_user(request), case=case, **validated(GrantSerializer, request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Remove a user's grant on this case",
        request=GrantSerializer,
        responses={204: None, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        case = object_for_write(Case, pk, acting_user(request), access.ensure_can_change_case, "case")
        data = validated(GrantSerializer, request.data)
        services.case_revoke(
            acting_user=acting_user(request), case=case, grantee=data["grantee"], permission=data["permission"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List pathway assessments (history) on cases you can see"),
    retrieve=extend_schema(summary="Read an assessment", responses={200: AssessmentSerializer, 404: ErrorSerializer}),
    create=extend_schema(summary="Assess a pathway", responses={201: AssessmentSerializer, 400: ErrorSerializer}),
)
class AssessmentViewSet(AuditedListMixin, AuditedCaseContentMixin[PathwayAssessment], ReadCreateViewSet):
    model = PathwayAssessment
    serializer_class = AssessmentSerializer
    audit_resource = "assessments"
    audit_person = "case__person_id"
    filterset_fields = ["case", "pathway", "rag", "need_level"]
    ordering_fields = ["assessed_on"]
    ordering = ["-assessed_on", "-id"]
    action_rules = dict.fromkeys(("list", "retrieve", "create"), CASEWORK)

    def visible_to(self, user: User) -> QuerySet[PathwayAssessment]:
        return selectors.assessment_list(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.pathway_assess(
            acting_user=acting_user(self.request), **serializer.validated_data
        )


class ActionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    case = VisibleCaseField()
    owner = CaseworkerField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = ["id", "case", "pathway", "description", "owner", "due_on", "status", "done_on", "overdue", "version"]
        read_only_fields = ["id", "status", "done_on", "version"]

    def get_overdue(self, obj) -> bool:
        return obj.status == ActionStatus.OPEN and obj.due_on < today()


class ActionUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    pathway = serializers.ChoiceField(choices=Pathway.choices, required=False, allow_null=True)
    description = serializers.CharField(required=False)
    owner = CaseworkerField(required=False)
    due_on = serializers.DateField(required=False)


class ActionCompleteSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    done_on = serializers.DateField(required=False)


class ActionFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    owner = django_filters.CharFilter(field_name="owner__username")

    class Meta:
        model = Action
        fields = ["case", "status", "owner", "pathway", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status": ActionStatus.OPEN, "due_on__lt": today()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


@extend_schema_view(
    list=extend_schema(summary="List actions on cases you can see"),
    retrieve=extend_schema(summary="Read an action", responses={200: ActionSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        summary="Add an action to a case's plan", responses={201: ActionSerializer, 400: ErrorSerializer}
    ),
    partial_update=extend_schema(
        summary="Edit an action",
        request=ActionUpdateSerializer,
        responses={200: ActionSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    ),
)
class ActionViewSet(AuditedListMixin, AuditedCaseContentMixin[Action], ReadCreateViewSet):
    model = Action
    serializer_class = ActionSerializer
    audit_resource = "actions"
    audit_person = "case__person_id"
    filterset_class = ActionFilter
    ordering_fields = ["due_on", "status"]
    ordering = ["due_on", "id"]
    http_method_names = READ_CREATE_PATCH
    action_rules = dict.fromkeys(("list", "retrieve", "create", "partial_update", "complete", "cancel"), CASEWORK)

    def visible_to(self, user: User) -> QuerySet[Action]:
        return selectors.action_list(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.action_add(acting_user=acting_user(self.request), **serializer.validated_data)

    def _writable(self, pk) -> Action:
        return object_for_write(Action, pk, acting_user(self.request), _ensure_can_change_action, "action")

    def partial_update(self, request, pk=None):
        action_obj = self._writable(pk)
        data = validated(ActionUpdateSerializer, request.data)
        version = data.pop("version")
        action_obj = services.action_update(
            acting_user=acting_user(request), action=action_obj, version=version, **data
        )
        return Response(self.get_serializer(action_obj).data)

    @extend_schema(
        summary="Mark an action done",
        request=ActionCompleteSerializer,
        responses={200: ActionSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        action_obj = self._writable(pk)
        action_obj = services.action_complete(
            acting_user=acting_user(request), action=action_obj, **validated(ActionCompleteSerializer, request.data)
        )
        return Response(self.get_serializer(action_obj).data)

    @extend_schema(
        summary="Cancel an action",
        request=VersionSerializer,
        responses={200: ActionSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        action_obj = self._writable(pk)
        version = validated(VersionSerializer, request.data)["version"]
        action_obj = services.action_cancel(acting_user=acting_user(request), action=action_obj, version=version)
        return Response(self.get_serializer(action_obj).data)


def _ensure_can_change_action(*, user, action) -> None:
    access.ensure_can_change_case(user=user, case=action.case, attempted="change action")


class NoteSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    case = VisibleCaseField()
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = CaseNote
        fields = ["id", "case", "note_type", "occurred_on", "text", "sensitivity", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {"occurred_on": {"required": False}}


@extend_schema_view(
    list=extend_schema(summary="List notes on cases you can see (restricted notes only for police and probation)"),
    retrieve=extend_schema(summary="Read a note", responses={200: NoteSerializer, 404: ErrorSerializer}),
    create=extend_schema(summary="Add a note", responses={201: NoteSerializer, 400: ErrorSerializer}),
)
class NoteViewSet(AuditedListMixin, AuditedCaseContentMixin[CaseNote], ReadCreateViewSet):
    model = CaseNote
    serializer_class = NoteSerializer
    filterset_fields = ["case", "note_type", "sensitivity"]
    ordering_fields = ["occurred_on", "created_at"]
    ordering = ["-occurred_on", "-id"]
    audit_resource = "notes"
    audit_person = "case__person_id"
    action_rules = dict.fromkeys(("list", "retrieve", "create"), CASEWORK)

    def visible_to(self, user: User) -> QuerySet[CaseNote]:
        return selectors.note_list(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.note_add(acting_user=acting_user(self.request), **serializer.validated_data)
