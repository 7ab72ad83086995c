"""Imports over the API: ``POST /api/v1/imports/`` (multipart ``kind`` and ``file``) and the run's progress."""

from typing import ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.base import (
    ErrorSerializer,
    StrictFieldsMixin,
    StrictQueryParamsMixin,
    VisibleRowsMixin,
    acting_user,
    validated,
)
from iom.models import User
from outcomes.models import ImportKind, ImportRun
from outcomes.rules import RUN_IMPORTS
from outcomes.selectors.imports import import_run_list_visible_to
from outcomes.services.imports import import_run_start, import_upload_problem


class ImportRunSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "filename",
            "dry_run",
            "state",
            "rows_total",
            "rows_processed",
            "progress_percent",
            "created",
            "updated",
            "unchanged",
            "error_count",
            "errors",
            "uploaded_by",
            "via",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(help_text="A CSV file in the format of its kind (UTF-8, header row).")
    dry_run = serializers.BooleanField(default=False, help_text="Check the file and report; write nothing.")

    def validate_file(self, file):
        # Too large, or not a CSV file by its type: refused before the file is read (the service says why).
        problem = import_upload_problem(size=file.size, content_type=file.content_type or "")
        if problem is not None:
            raise serializers.ValidationError(problem)
        return file


FINISHED_EXAMPLE = {
    "id": 12,
    "kind": "offences",
    "filename": "offences-2026-11.csv",
    "dry_run": False,
    "state": "failed",
    "rows_total": 5000,
    "rows_processed": 5000,
    "progress_percent": 100,
    "created": 0,
    "updated": 0,
    "unchanged": 0,
    "error_count": 2,
    "errors": [
        "row 14, column outcome_date: the date of the conviction (required when the outcome is conviction)",
        "row 90, column pnc_id: the PNC ID of a person already recorded (2014/0012345Q is not: import people first)",
    ],
    "uploaded_by": "manager",
    "via": "api",
    "created_at": "2026-12-01T09:00:00Z",
    "started_at": "2026-12-01T09:00:01Z",
    "finished_at": "2026-12-01T09:00:04Z",
}


@extend_schema_view(
    list=extend_schema(summary="Import runs, newest first"),
    retrieve=extend_schema(
        summary="An import's state, rows processed, totals and errors",
        responses={200: ImportRunSerializer, 404: ErrorSerializer},
        examples=[OpenApiExample("A file with errors: nothing written", value=FINISHED_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        summary="Upload a CSV file to import (checked in full before anything is written)",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportRunSerializer, 400: ErrorSerializer},
    ),
)
class ImportRunViewSet(
    StrictQueryParamsMixin, VisibleRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = ImportRun
    serializer_class = ImportRunSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["kind", "state"]
    action_rules: ClassVar = dict.fromkeys(("list", "retrieve", "create"), RUN_IMPORTS)

    def visible_to(self, user: User) -> QuerySet[ImportRun]:
        return import_run_list_visible_to(user=user)

    def create(self, request):
        upload = validated(ImportUploadSerializer, request.data)
        file = upload["file"]
        run = import_run_start(
            acting_user=acting_user(request),
            kind=upload["kind"],
            content=file.read(),
            filename=file.name,
            dry_run=upload["dry_run"],
            via="api",
            content_type=file.content_type or "",
        )
        run.refresh_from_db()  # with eager Celery the run has already finished
        headers = {"Location": f"{request.build_absolute_uri()}{run.pk}/"}
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED, headers=headers)
