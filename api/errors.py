"""One error shape for the whole API.

``{"detail": "...", "errors": {"field": ["message", ...]}}``; conflicts add
``current_version`` and ``current`` so a client can show the other change.
Services raise Django's ValidationError / PermissionDenied / Http404 or our
ConflictError; this maps each to its status. The database being unreachable
(``OperationalError``, ``InterfaceError``) is a 503 in the same shape, logged with
its traceback but never showing it. ``bad_request``, ``not_found`` and
``server_error`` give the same shape for what no API view answers: a request
Django refused to read, an unmatched path under ``/api/`` and a failure before
a view runs (``web/errors.py`` sends ``/api/`` paths here).
"""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from iom.errors import ConflictError

logger = logging.getLogger(__name__)

# The database could not be reached or dropped the connection: worth retrying, not a fault in the request.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
UNAVAILABLE_DETAIL = "The service is unavailable just now; nothing was saved. Try again in a few minutes."
SERVER_ERROR_DETAIL = "Sorry, there is a problem with the service; nothing was saved."


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = UNAVAILABLE_DETAIL
    default_code = "service_unavailable"


def flat_errors(data, prefix: str = "") -> dict[str, list[str]]:
    """A validation error's detail as ``{"field": ["message", ...]}``, the documented shape, however DRF nested it.

    A nested serializer's or list item's errors are named by their path, dotted: ``{"convictions": {"0": {"spent":
    [...]}}}`` becomes ``{"convictions.0.spent": [...]}``; a bare list of messages (``ValidationError([...])``)
    goes under ``non_field_errors``; the empty entries DRF gives valid items of a list are dropped.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            flat.update(flat_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list | tuple):
        messages = [str(item) for item in data if isinstance(item, str)]
        if messages:
            flat[prefix or "non_field_errors"] = messages
        for index, item in enumerate(data):
            if not isinstance(item, str):
                flat.update(flat_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    elif data is not None:
        flat[prefix or "non_field_errors"] = [str(data)]
    return flat


def validation_error_dict(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): msgs for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response(
            {"detail": exc.message, "current_version": exc.current_version, "current": exc.current},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_dict(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("Database unavailable", exc_info=exc)
        exc = ServiceUnavailable()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "The request has errors; nothing was saved.", "errors": flat_errors(response.data)}
    return response


def bad_request(request: HttpRequest, detail: str) -> JsonResponse:
    """A request under ``/api/`` that Django refused to read (too large, too many fields): 400 in the one shape."""
    return JsonResponse({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A path under ``/api/`` that no route matches: 404 in the one error shape."""
    return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)


def server_error(request: HttpRequest) -> JsonResponse:
    """A failure outside an API view's own handling: 503 if the database is unreachable, else 500; no traceback."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return JsonResponse({"detail": UNAVAILABLE_DETAIL}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return JsonResponse({"detail": SERVER_ERROR_DETAIL}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
