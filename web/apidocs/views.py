"""The API's documentation page, Swagger UI at /api/docs/, for every signed-in user.

Swagger UI comes from drf-spectacular-sidecar's copy among the service's static files (``SPECTACULAR_SETTINGS``),
so the page asks no third party for anything, and it is started by the service's own script
(web/static/web/swagger-ui.js), which reads its settings from a json_script block: the page has no inline script
or style and keeps the Content-Security-Policy of every page (docs/security.md).

Every signed-in user may read it (each role may call some of the API, docs/roles.md); anonymous visitors are sent
to sign in. The OpenAPI schema it reads (``/api/schema/``) stays open, as it always was.
"""

from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
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
