"""The current request's id and client address, for audit rows written deep inside services.

A context variable rather than a thread-local so it is correct under ASGI too;
outside a request (commands, Celery) both are empty.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_current: ContextVar[RequestContext] = ContextVar("iom_request_context", default=RequestContext())  # noqa: B039


def current() -> RequestContext:
    return _current.get()


def set_current(context: RequestContext):
    return _current.set(context)


def reset(token) -> None:
    _current.reset(token)
