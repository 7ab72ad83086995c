"""The address a request came from, for sign-in lockout, throttling and the audit log.

``REMOTE_ADDR`` is the peer that opened the connection. Behind the reverse proxy of a deployment that is the
proxy itself, for every user, so the proxy's ``X-Forwarded-For`` has to be read; but a client can send that
header too, and a new made-up address on every attempt would slip past any lockout or throttle keyed on it.
So the header is believed only when the peer is one of ``TRUSTED_PROXIES`` (addresses or networks, empty by
default): then the client is the last address in it that is not itself a trusted proxy. Otherwise the
header is ignored, whatever it says.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: IPAddress) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text, or None if the connection's own address is not one."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    if not _trusted(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            return str(peer)  # a garbled header from behind the proxy: fall back to what is certain
        if not _trusted(address):
            return str(address)
    return str(peer)
