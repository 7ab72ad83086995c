"""Request-scoped context (a request id for correlating audit rows and logs), and ``Cache-Control: no-store``."""

import re
import uuid

from django.utils.cache import patch_cache_control

from iom import request_context
from iom.client_address import client_ip

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_context.set_current(request_context.RequestContext(request_id, client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response Django makes: no browser or proxy keeps a copy.

    Pages and API answers carry personal data once signed in, and the others carry a credential (the sign-in
    form's CSRF token, the token endpoint's token), so the rule has no exception to get wrong. Static files are
    answered by WhiteNoise before this runs and keep their long cache. Added to whatever a view said (a view's
    ``max-age`` stays, but no-store wins).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response
