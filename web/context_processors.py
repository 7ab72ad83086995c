"""Values every page needs: the unread-notification count for the bell, the session's time left, and a
``can_<rule>`` flag per rule.

Templates show a menu item or a button when the same rule that guards its page allows the user
(``{% if can_read_audit %}``); no template compares roles. Each flag is computed only if a template reads it.
"""

from functools import partial

from django.http import HttpRequest

import outcomes.rules
import partners.rules
import referrals.rules
from iom import selectors, session_limits
from iom.policy import RULES

# The app rule sets register their rules when imported: the names above make sure every flag exists.
RULE_SETS = (partners.rules, referrals.rules, outcomes.rules)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    flags = {f"can_{name}": partial(rule.allows, user) for name, rule in RULES.items()}
    return {
        **flags,
        "unread_notifications": selectors.notification_unread_count(user=user),
        # For the timeout warning (includes_session_timeout.html): how long this session has left if unused.
        "session_seconds_left": partial(session_limits.seconds_left, getattr(request, "session", {})),
    }
