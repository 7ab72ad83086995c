"""The second factor in templates: the two-factor part of Your account (``{% two_factor_status user as x %}``),
without touching its view, and whether the demo banner is due (``{% demo_without_second_factor user as x %}``)."""

from typing import Any

from django import template
from django.conf import settings

from iom.models import User
from iom.second_factor import is_verified
from iom.services import two_factor

register = template.Library()


@register.simple_tag
def two_factor_status(user: User) -> dict[str, Any]:
    """Whether ``user`` has set up an app, since when, how many backup codes are left, and whether it is required."""
    status = two_factor.two_factor_status(user=user)
    return {
        "enrolled": status.enrolled,
        "enrolled_at": status.enrolled_at,
        "backup_codes_left": status.backup_codes_left,
        "required": settings.TWO_FACTOR_REQUIRED,
    }


@register.simple_tag
def demo_without_second_factor(user: User) -> bool:
    """Whether this page must say its user is signed in without a second factor: only ever in the demo."""
    return bool(user.is_authenticated and not settings.TWO_FACTOR_REQUIRED and not is_verified(user))
