"""Role checks per API action, declared on each view and failing loudly when an action is unmapped.

Roles that may not use an endpoint at all get 403 here; which *objects* a
permitted user sees is decided by the selectors (iom/access.py), which give 404.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import BasePermission

from iom.access import CASEWORK_ROLES, COHORT_READER_ROLES, works_cases
from iom.models import Role

CASEWORK = CASEWORK_ROLES
MANAGERS_AND_ADMINS = frozenset({Role.IOM_MANAGER, Role.ADMINISTRATOR})
COHORT_READERS = COHORT_READER_ROLES
PANEL = frozenset({Role.IOM_OFFICER, Role.IOM_MANAGER})
EVERYONE = frozenset(Role.values)


class RolePermission(BasePermission):
    """Allow an action only to the roles listed for it in the view's ``action_roles``."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method.lower() not in getattr(view, "http_method_names", ()):
            raise MethodNotAllowed(request.method)
        action = getattr(view, "action", None)
        if action is None and getattr(view, "action_map", None) is not None:
            raise MethodNotAllowed(request.method)  # a viewset route that does not take this method
        if action is None and request.method not in ("HEAD", "OPTIONS") and not hasattr(view, request.method.lower()):
            raise MethodNotAllowed(request.method)  # an API view without a handler for this method
        action = action or request.method.lower()
        roles = getattr(view, "action_roles", {})
        if request.method == "OPTIONS" and (action == "metadata" or (action == "options" and action not in roles)):
            return True  # the endpoint's description, as viewsets give it, unless the view maps OPTIONS itself
        if action == "head" and "head" not in roles:
            action = "get"  # HEAD is a GET without the body: the same roles
        if action not in roles:
            raise ImproperlyConfigured(f"{type(view).__name__} does not say which roles may '{action}'.")
        allowed = roles[action]
        if allowed & CASEWORK and user.role in CASEWORK and not works_cases(user):
            return False
        return user.role in allowed
