"""Lockout after failed sign-ins, on the pages and the API token endpoint alike (django-axes, ASVS 5.0 V6.3.1).

Three counts, each over the cool-off window (15 minutes), lock sign-in for that window:

- ``AXES_FAILURE_LIMIT`` (5) failures for one username from one address: someone guessing one password;
- ``SIGN_IN_ACCOUNT_FAILURE_LIMIT`` (10) for one username from any addresses: guessing spread over many;
- ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` (20) from one address across usernames: one password tried on many
  accounts. It is higher than the others because a police station's users may share one address.

django-axes keeps the failures and checks one limit; ``LockoutHandler`` gives it the highest of the three counts,
each scaled to that limit. The address is ``iom.client_address.client_ip``, never a header a client can forge.
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _failures(**match: object) -> int:
    since = timezone.now() - (get_cool_off() or datetime.timedelta(0))
    total = AccessAttempt.objects.filter(attempt_time__gte=since, **match).aggregate(n=Sum("failures_since_start"))
    return int(total["n"] or 0)


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        pair = super().get_failures(request, credentials)  # one username from one address
        limit = get_failure_limit(request, credentials)
        username = get_client_username(request, credentials)
        account = _failures(username=username) if username else 0
        address = _failures(ip_address=request.axes_ip_address) if request.axes_ip_address else 0
        return max(
            pair,
            account * limit // settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT,
            address * limit // settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
        )
