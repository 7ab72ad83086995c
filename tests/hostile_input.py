"""What the bad-input tests share (tests/web/test_input_hardening.py, tests/api/test_input_hardening.py,
tests/test_csv_exports.py): the hostile values, and data built once for a whole test module.

Those modules send thousands of requests against one world; building it for every test would take most of their
time. ``module_transaction`` builds it once, inside a transaction that is rolled back when the module ends; each test
still runs in its own savepoint inside it (pytest-django's ``db``), so nothing a test writes reaches the next one.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings

from iom.models import OrganisationType, Role, User
from tests.iom import factories

SCRIPT = "<script>alert(1)</script>"
HUGE = "99999999999999999999"
LONG = "x" * 10_000
NUL = "a\x00b"
# The cast, by the names tests/test_access_matrix.py ROLES uses.
CAST = {
    "officer": (Role.IOM_OFFICER, OrganisationType.POLICE),
    "probation": (Role.OFFENDER_MANAGER, OrganisationType.PROBATION),
    "manager": (Role.IOM_MANAGER, OrganisationType.POLICE),
    "partner": (Role.PARTNER_CASEWORKER, OrganisationType.HOUSING),
    "coordinator": (Role.SCHEME_COORDINATOR, OrganisationType.OPCC),
    "employer": (Role.EMPLOYER, OrganisationType.EMPLOYER),
    "analyst": (Role.ANALYST, OrganisationType.OPCC),
    "admin": (Role.ADMINISTRATOR, OrganisationType.OPCC),
}
TEAM_ROLES = {"officer", "probation", "manager"}


@contextmanager
def module_transaction(django_db_blocker) -> Iterator[None]:
    """Database access for a module-scoped fixture, rolled back when the module ends (fast hashing meanwhile)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield
        transaction.set_rollback(True)


def build_cast(team) -> dict[str, User]:
    """One user per role: police and probation users in ``team``, the others in organisations of their type."""
    organisations = {
        kind: factories.OrganisationFactory(name=f"{label} organisation", type=kind)
        for kind, label in OrganisationType.choices
    }
    return {
        name: factories.UserFactory(
            username=name,
            role=role,
            organisation=organisations[kind],
            teams=[team] if name in TEAM_ROLES else [],
            is_staff=name == "admin",
        )
        for name, (role, kind) in CAST.items()
    }
