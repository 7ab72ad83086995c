"""/api/v1/notifications/: the signed-in user's own in-app notifications."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import StrictFieldsMixin, StrictQueryParamsMixin, acting_user, building_schema
from iom import services
from iom.models import Notification
from iom.policy import SIGNED_IN


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(StrictFieldsMixin, serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Omit to mark all read.")


class NotificationViewSet(StrictQueryParamsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_fields = ["kind"]
    action_rules = {"list": SIGNED_IN, "mark_read": SIGNED_IN}

    def get_queryset(self) -> QuerySet[Notification]:
        if building_schema(self):
            return Notification.objects.none()
        return Notification.objects.filter(user=acting_user(self.request))

    @extend_schema(
        summary="Mark notifications read",
        request=MarkReadSerializer,
        responses={200: inline_serializer("MarkReadResponse", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notification_mark_read(
            user=acting_user(request), notification_ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": marked})
