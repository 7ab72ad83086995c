"""Pages of the API's lists: ``page`` and ``page_size`` are strict (README "API").

A malformed ``page`` or ``page_size`` is a 400 naming it, in the one error shape, instead of a silent default
(``page_size=-1``), a silent cap (``page_size=100000``) or a 404 (``page=abc``). ``page`` is a whole number from 1
(or ``last``); ``page_size`` one from 1 to 200. A well-formed page past the last is still DRF's 404 "Invalid page.".
An empty value is the same as leaving the parameter out.
"""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination as BasePageNumberPagination

_DIGITS = re.compile(r"[0-9]+")


def _whole_number(request, name: str, *, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        limit = f" to {maximum}" if maximum is not None else ""
        raise ValidationError({name: [f"Use a whole number from 1{limit}."]})
    return int(raw)


class PageNumberPagination(BasePageNumberPagination):
    """Pages of 50 by default; clients may ask for 1 to 200 with ``?page_size=``."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = _whole_number(request, self.page_size_query_param, maximum=self.max_page_size)
        return self.page_size if size is None else size

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            _whole_number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)
