"""The error pages Django shows when no view answers (``handler400``, ``handler404`` and ``handler500`` in iom/urls.py).

Paths under ``/api/`` get the API's JSON error shape instead (api/errors.py): an unmatched API path is a JSON 404,
not the 404 page. A failure with the database unreachable is a 503 (the 500 page, which needs no database: it
extends nothing and reads no user); any other is a 500. Neither shows a traceback.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

from api import errors as api_errors

API_PREFIX = "/api/"


def bad_request_detail(exception: Exception) -> str:
    """Why Django refused to read a request (a SuspiciousOperation), naming the limit it went over."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return f"The request was too large: besides its files, a form may send at most {limit:,} bytes."
    if isinstance(exception, TooManyFieldsSent):
        return f"The request had too many fields: a form may send at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}."
    if isinstance(exception, TooManyFilesSent):
        return f"The request had too many files: a form may send at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}."
    return "The request was malformed."


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refused to read (too large, too many fields, malformed): 400 with what went wrong.

    Pages get the service's error page, paths under ``/api/`` the JSON error shape; nothing was saved either way.
    """
    detail = bad_request_detail(exception)
    if request.path_info.startswith(API_PREFIX):
        return api_errors.bad_request(request, detail)
    return HttpResponse(loader.render_to_string("400.html", {"detail": detail}, request), status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return api_errors.not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return api_errors.server_error(request)
    unavailable = isinstance(sys.exc_info()[1], api_errors.DATABASE_UNAVAILABLE)
    return HttpResponse(loader.get_template("500.html").render(), status=503 if unavailable else 500)
