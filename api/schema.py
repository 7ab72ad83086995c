"""The OpenAPI generator for the API (``DEFAULT_SCHEMA_CLASS``): drf-spectacular's, plus the answers every view shares.

Each is in the one error shape (``Error``), and is documented here for each operation that can give it and does not
already document its own, rather than each view repeating it:

- 400: every GET of a view with strict query parameters (``api.base.StrictQueryParamsMixin``: an unknown parameter,
  a malformed page, filter or ordering; README "API"), and every write, whose body may be malformed or refused;
- 415: every write, sent a body in a media type it does not read;
- 401 and 403: every operation a rule guards (``api.permissions.RulePermission``): not signed in, or a role the
  rule does not allow;
- 404: every operation naming an object in its path (none, or one out of the user's reach), and every list in
  pages (a page past the last);
- 429: every throttled operation (the token endpoint);
- 503: every operation, as any may find the database unreachable (api/errors.py).

An unmatched path under ``/api/`` is a 404 in the same shape too (``api.errors.not_found``); no operation of the
schema can say so, as no operation has that path.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from api.base import ErrorSerializer, StrictQueryParamsMixin
from api.permissions import RulePermission

WRITES = frozenset({"POST", "PUT", "PATCH"})


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._shared_error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return dict(sorted(responses.items()))

    def _shared_error_codes(self) -> list[str]:
        codes = ["503"]
        if self.method in WRITES or (self.method == "GET" and isinstance(self.view, StrictQueryParamsMixin)):
            codes.append("400")
        if self.method in WRITES:
            codes.append("415")
        if any(isinstance(permission, RulePermission) for permission in self.view.get_permissions()):
            codes += ["401", "403"]
        if "{" in self.path or (self.method == "GET" and self._in_pages()):
            codes.append("404")
        if getattr(self.view, "throttle_scope", None):
            codes.append("429")
        return codes

    def _in_pages(self) -> bool:
        return self._get_paginator() is not None and self._is_list_view()
