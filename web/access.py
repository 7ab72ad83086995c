"""Every page declares who may open it: ``@page(RULE, methods=...)``, or ``@public_page`` for the few open to all.

The decorator sends anonymous users to sign in, refuses a signed-in user the rule does not allow with a 403
(the rule's own message, on the 403 page; a refused write is audited), then answers 405 to other methods, and
records the rule on the view.
:func:`ensure_every_page_has_a_rule` walks the URLconf when it loads and stops the service from starting if a
page forgot to say, so a new page cannot be open by accident. Which *objects* a page shows is still the
selectors' business (a 404 for what the user may not see).
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver

from iom.audit import audit_refused_request
from iom.models import User
from iom.policy import Rule


class AuthenticatedRequest(HttpRequest):
    """The request a ``@page`` view receives: the decorator sent anyone not signed in away, so ``user`` is a User."""

    user: User


RULE_ATTRIBUTE = "page_rule"
METHODS_ATTRIBUTE = "page_methods"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"

View = Callable[..., HttpResponseBase]


def page(rule: Rule, *, methods: Iterable[str] = ("GET",)) -> Callable[[View], View]:
    """Open the view to users ``rule`` allows, for ``methods`` (HEAD goes with GET)."""
    allowed = {method.upper() for method in methods}
    if "GET" in allowed:
        allowed.add("HEAD")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Who asks comes before how: sign in (302), then the rule (403), then the method (405).
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule.allows(request.user):
                if request.method not in SAFE_METHODS:
                    audit_refused_request(
                        user=request.user, method=str(request.method), path=request.path, rule=rule.name
                    )
                raise PermissionDenied(rule.refusal)
            if request.method not in allowed:
                return HttpResponseNotAllowed(sorted(allowed))
            return view(request, *args, **kwargs)

        setattr(guarded, RULE_ATTRIBUTE, rule)
        setattr(guarded, METHODS_ATTRIBUTE, frozenset(allowed))
        return guarded

    return decorate


def public_page(view: View) -> View:
    """Mark a view as open to everyone, signed in or not (sign-in, sign-out, the health check)."""
    setattr(view, RULE_ATTRIBUTE, PUBLIC)
    return view


def rule_of(view: Callable[..., Any]) -> Rule | str | None:
    """The rule a view declared (``PUBLIC`` for open pages), or None if it declared none."""
    return getattr(view, RULE_ATTRIBUTE, None) or getattr(getattr(view, "view_class", None), RULE_ATTRIBUTE, None)


def ensure_every_page_has_a_rule(patterns: Iterable[URLPattern | URLResolver], prefix: str = "") -> None:
    """Raise ImproperlyConfigured naming every page route whose view declares no rule."""
    missing = [route for route, view in _routes(patterns, prefix) if rule_of(view) is None]
    if missing:
        raise ImproperlyConfigured(
            "These pages do not say who may open them (decorate the view with web.access.page or public_page): "
            + ", ".join(missing)
        )


def _routes(patterns: Iterable[URLPattern | URLResolver], prefix: str):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback
