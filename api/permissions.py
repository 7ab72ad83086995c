"""The API's half of the access policy: each view maps every action to a rule of iom/policy.py, failing loudly.

Roles a rule does not allow get 403 here; which *objects* a permitted user sees is decided by the selectors
(iom/access.py), which give 404. A view that does not say which rule guards an action is a programming error
(ImproperlyConfigured, a 500 in tests), never an open door. A refused write is audited.

A view still names every action when all of them need the same rule: ``dict.fromkeys(("list", "retrieve"), RULE)``
states the rule once, and an action left out of the list fails as loudly as in a map of mixed rules.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS, BasePermission

from iom.audit import audit_refused_request
from iom.policy import is_signed_in


class RulePermission(BasePermission):
    """Allow an action only to the users the rule named for it in the view's ``action_rules`` allows."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not is_signed_in(user):
            return False
        if request.method.lower() not in getattr(view, "http_method_names", ()):
            raise MethodNotAllowed(request.method)
        action = getattr(view, "action", None)
        if action == "metadata" and request.method != "OPTIONS":
            # OPTIONS describes the writes by checking a copy of the request per method (POST, PUT): judge the copy
            # as the action that method takes on this route (create, update or an extra action's name).
            action = view.action_map.get(request.method.lower())
        if action is None and getattr(view, "action_map", None) is not None:
            raise MethodNotAllowed(request.method)  # a viewset route that does not take this method
        if action is None and request.method not in ("HEAD", "OPTIONS") and not hasattr(view, request.method.lower()):
            raise MethodNotAllowed(request.method)  # an API view without a handler for this method
        action = action or request.method.lower()
        rules = getattr(view, "action_rules", {})
        if request.method == "OPTIONS" and (action == "metadata" or (action == "options" and action not in rules)):
            return True  # the endpoint's description, as viewsets give it, unless the view maps OPTIONS itself
        if action == "head" and "head" not in rules:
            action = "get"  # HEAD is a GET without the body: the same rule
        if action not in rules:
            raise ImproperlyConfigured(f"{type(view).__name__} does not say which rule guards '{action}'.")
        rule = rules[action]
        if rule.allows(user):
            return True
        # The method actually sent: describing an endpoint (OPTIONS) checks each write on a copy of the request.
        if request._request.method not in SAFE_METHODS:
            audit_refused_request(user=user, method=request.method, path=request.path, rule=rule.name)
        return False
