"""Values every page needs: the unread-notification count for the bell and which menu items to show."""

from iom import access
from iom.models import Notification


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        "nav_casework": access.works_cases(user),
        "nav_audit": access.reads_audit(user),
        "nav_role": user.role,
    }
