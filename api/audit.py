"""/api/v1/audit-events/: the s.62 log for IOM managers and administrators."""

import django_filters  # type: ignore[import-untyped]  # django-filter ships no type information
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.base import StrictQueryParamsMixin, VisibleRowsMixin, acting_user
from iom import access
from iom.models import AuditAction, AuditEvent, AuditOutcome, User
from iom.policy import READ_AUDIT


class AuditEventSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", allow_null=True)
    user = serializers.IntegerField(source="user_id", allow_null=True)
    changes = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "user",
            "username",
            "action",
            "outcome",
            "object_type",
            "object_id",
            "person",
            "changes",
            "details",
            "request_id",
            "ip_address",
            "justification",
        ]
        read_only_fields = fields

    def _shows_values(self) -> bool:
        return access.audit_shows_values(acting_user(self.context["request"]))

    def get_changes(self, event) -> dict | None:
        """Old and new values; ``null`` for administrators, who see who did what but no case content."""
        return event.changes if self._shows_values() else None

    def get_details(self, event) -> dict | None:
        return event.details if self._shows_values() else None


class AuditEventFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="username", label="Username")
    person = django_filters.NumberFilter(field_name="person_id")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    outcome = django_filters.ChoiceFilter(choices=AuditOutcome.choices)
    occurred_from = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte")
    occurred_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["user", "person", "action", "outcome", "occurred_from", "occurred_to"]


@extend_schema_view(
    list=extend_schema(summary="Search the audit log", description="Administrators see no changed values."),
    retrieve=extend_schema(summary="Read one audit event"),
)
class AuditEventViewSet(
    StrictQueryParamsMixin, VisibleRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at"]
    ordering = ["-occurred_at", "-id"]
    action_rules = dict.fromkeys(("list", "retrieve"), READ_AUDIT)

    def visible_to(self, user: User) -> QuerySet[AuditEvent]:
        return access.audit_list_visible_to(user=user)
