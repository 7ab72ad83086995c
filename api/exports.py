"""CSV beside JSON for the aggregate endpoints: ``?format=csv`` or ``Accept: text/csv``; every export audited.

A view lists its ``csv_columns`` and turns its JSON into rows (a list of dicts) for CSV; errors stay JSON.
"""

import io
from decimal import Decimal
from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import acting_user
from iom.audit import audit_record
from iom.csv_export import csv_writer
from iom.models import AuditAction
from iom.services._validation import today


def csv_cell(value: Any) -> str:
    """Empty for no value; numbers without trailing zeros (320, 42.35); booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
    return str(value)


class CSVRenderer(BaseRenderer):
    """Rows (a list of dicts) as CSV under the view's ``csv_columns``, formulas defused (iom/csv_export.py)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        columns = renderer_context["view"].csv_columns
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(columns)
        for row in data:
            writer.writerow([csv_cell(row.get(column)) for column in columns])
        return out.getvalue().encode("utf-8")


CSV_PARAMETERS = [
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv for CSV (so does Accept: text/csv)")
]


class CsvExportMixin(APIView):
    """JSON, or CSV when asked for; a CSV export is audited; errors are always JSON."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    csv_columns: ClassVar[tuple[str, ...]] = ()
    export_name = ""

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def wants_csv(self) -> bool:
        return getattr(self.request.accepted_renderer, "format", None) == "csv"

    def csv_response(self, rows: list[dict[str, Any]], *, details: dict[str, Any] | None = None) -> Response:
        audit_record(
            user=acting_user(self.request),
            action=AuditAction.EXPORT,
            details={"export": self.export_name, "format": "csv", "rows": len(rows), **(details or {})},
        )
        filename = f"{self.export_name.replace('_', '-')}-{today().isoformat()}.csv"
        return Response(rows, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
