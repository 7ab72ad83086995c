"""The OpenAPI generator for the API (``DEFAULT_SCHEMA_CLASS``): drf-spectacular's, plus what every view shares.

Every GET of a view with strict query parameters (``api.base.StrictQueryParamsMixin``) can answer 400 in the one
error shape: an unknown parameter, a malformed page, filter or ordering (README "API"). Rather than each view
repeating it, the 400 is documented here for each such operation that does not already document its own.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from api.base import ErrorSerializer, StrictQueryParamsMixin


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET" and isinstance(self.view, StrictQueryParamsMixin) and "400" not in responses:
            responses["400"] = self._get_response_for_code(ErrorSerializer, "400", direction=direction)
        return responses
