"""/api/v1/notifications/: the signed-in user's own in-app notifications."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import StrictFieldsMixin, StrictQueryParamsMixin, VisibleRowsMixin, acting_user, validated
from api.fields import RowIdField
from iom import services
from iom.models import Notification, User
from iom.policy import SIGNED_IN


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(StrictFieldsMixin, serializers.Serializer):
    ids = serializers.ListField(child=RowIdField(), required=False, help_text="Omit to mark all read.")


class NotificationViewSet(StrictQueryParamsMixin, VisibleRowsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    model = Notification
    serializer_class = NotificationSerializer
    filterset_fields = ["kind"]
    action_rules = dict.fromkeys(("list", "mark_read"), SIGNED_IN)

    def visible_to(self, user: User) -> QuerySet[Notification]:
        return Notification.objects.filter(user=user)

    @extend_schema(
        summary="Mark notifications read",
        request=MarkReadSerializer,
        responses={200: inline_serializer("MarkReadResponse", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        ids = validated(MarkReadSerializer, request.data).get("ids")
        marked = services.notification_mark_read(user=acting_user(request), notification_ids=ids)
        return Response({"marked": marked})
