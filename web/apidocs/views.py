"""The API's documentation page, Swagger UI at /api/docs/, for every signed-in user.

Swagger UI comes from drf-spectacular-sidecar's copy among the service's static files (``SPECTACULAR_SETTINGS``),
so the page asks no third party for anything, and it is started by the service's own script
(web/static/web/swagger-ui.js), which reads its settings from a json_script block: the page has no inline script
or style and keeps the Content-Security-Policy of every page (docs/security.md).

Every signed-in user may read it (each role may call some of the API, docs/roles.md); anonymous visitors are sent
to sign in. The OpenAPI schema it reads (``/api/schema/``) stays open, as it always was.
"""

from csp.decorators import csp_update
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from iom.policy import SIGNED_IN
from web.access import page


class SwaggerUIView(SpectacularSwaggerView):
    template_name = "apidocs/swagger_ui.html"
    permission_classes = [AllowAny]  # the page's rule is checked by @page below, before this view runs

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The settings as an object for json_script (drf-spectacular gives them as text for an inline script).
        response.data["swagger_ui_settings"] = {
            **spectacular_settings.SWAGGER_UI_SETTINGS,
            "url": response.data["schema_url"],
        }
        return response


swagger_ui = page(SIGNED_IN)(SwaggerUIView.as_view(url_name="schema"))


class ReDocView(SpectacularRedocView):
    """ReDoc, a reading view of the same schema. ReDoc writes its styles into ``<style>`` elements; it is given
    this response's CSP nonce (``style-src`` carries one only on responses that use it), so the policy stays
    without ``'unsafe-inline'``. Search is off: it would run in a worker made from a ``blob:`` address."""

    template_name = "apidocs/redoc.html"
    permission_classes = [AllowAny]  # as above: @page checks the rule

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["redoc_settings"] = {
            **spectacular_settings.REDOC_UI_SETTINGS,
            "nonce": str(request.csp_nonce),
        }
        response.data["favicon_href"] = SwaggerUIView._swagger_ui_favicon()
        return response


# The style sheets ReDoc's bundle writes as it loads, before it is given the nonce: perfect-scrollbar's rules
# and an empty one, allowed by their hashes (of this sidecar's bundle; the browser test fails if they change).
REDOC_BUNDLE_STYLES = (
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
)

redoc = page(SIGNED_IN)(csp_update({"style-src": list(REDOC_BUNDLE_STYLES)})(ReDocView.as_view(url_name="schema")))
