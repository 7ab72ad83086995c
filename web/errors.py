"""The error pages Django shows when no view answers (``handler404`` and ``handler500`` in iom/urls.py).

Paths under ``/api/`` get the API's JSON error shape instead (api/errors.py): an unmatched API path is a JSON 404,
not the 404 page. A failure with the database unreachable is a 503 (the 500 page, which needs no database: it
extends nothing and reads no user); any other is a 500. Neither shows a traceback.
"""

import sys

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

from api import errors as api_errors

API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return api_errors.not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return api_errors.server_error(request)
    unavailable = isinstance(sys.exc_info()[1], api_errors.DATABASE_UNAVAILABLE)
    return HttpResponse(loader.get_template("500.html").render(), status=503 if unavailable else 500)
