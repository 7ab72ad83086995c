"""DRF's scoped throttle, keyed on the client address the rest of the service uses (iom/client_address.py).

DRF's own key trusts ``X-Forwarded-For`` from anyone unless ``NUM_PROXIES`` is set, so a client sending a new
made-up address with every request was never throttled.
"""

from rest_framework.throttling import ScopedRateThrottle

from iom.client_address import client_ip


class ClientScopedRateThrottle(ScopedRateThrottle):
    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"
