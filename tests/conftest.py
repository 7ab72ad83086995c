"""The shared cast: one user per role, in two teams of one scheme plus a second scheme.

- ``officer`` (police, Norwich), ``probation`` (offender manager, Norwich),
  ``officer2`` (police, Yarmouth: same scheme, other team),
  ``manager`` (IOM manager of the Norfolk scheme), ``outsider_manager`` (another scheme),
  ``partner``, ``coordinator``, ``employer``, ``analyst``, ``admin_user``.
- ``case`` is a Norwich case led by ``officer`` with ``probation`` as offender manager.
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from iom.models import OrganisationType, Role
from tests.iom import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for attackers, not for a test suite of many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The token endpoint is throttled per client address (in the cache); each test starts with a full allowance."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def police(db):
    return factories.OrganisationFactory(name="Norfolk Constabulary", type=OrganisationType.POLICE)


@pytest.fixture
def probation_org(db):
    return factories.OrganisationFactory(name="Probation Service", type=OrganisationType.PROBATION)


@pytest.fixture
def norfolk(db):
    return factories.SchemeFactory(name="Norfolk IOM")


@pytest.fixture
def norwich(norfolk):
    return factories.TeamFactory(name="Norwich IOM", scheme=norfolk)


@pytest.fixture
def yarmouth(norfolk):
    return factories.TeamFactory(name="Great Yarmouth IOM", scheme=norfolk)


@pytest.fixture
def suffolk_team(db):
    return factories.TeamFactory(name="Ipswich IOM", scheme=factories.SchemeFactory(name="Suffolk IOM"))


@pytest.fixture
def officer(police, norwich):
    return factories.UserFactory(username="officer", role=Role.IOM_OFFICER, organisation=police, teams=[norwich])


@pytest.fixture
def officer2(police, yarmouth):
    return factories.UserFactory(username="officer2", role=Role.IOM_OFFICER, organisation=police, teams=[yarmouth])


@pytest.fixture
def probation(probation_org, norwich):
    return factories.UserFactory(
        username="probation", role=Role.OFFENDER_MANAGER, organisation=probation_org, teams=[norwich]
    )


@pytest.fixture
def manager(police, norwich):
    return factories.UserFactory(username="manager", role=Role.IOM_MANAGER, organisation=police, teams=[norwich])


@pytest.fixture
def outsider_manager(police, suffolk_team):
    return factories.UserFactory(
        username="suffolkmanager", role=Role.IOM_MANAGER, organisation=police, teams=[suffolk_team]
    )


@pytest.fixture
def partner(db):
    housing = factories.OrganisationFactory(name="Broadland Housing", type=OrganisationType.HOUSING)
    return factories.UserFactory(username="partner", role=Role.PARTNER_CASEWORKER, organisation=housing)


@pytest.fixture
def opcc(db):
    return factories.OrganisationFactory(name="OPCC for Norfolk", type=OrganisationType.OPCC)


@pytest.fixture
def coordinator(opcc):
    return factories.UserFactory(username="coordinator", role=Role.SCHEME_COORDINATOR, organisation=opcc)


@pytest.fixture
def employer(db):
    org = factories.OrganisationFactory(name="Anglia Care Homes", type=OrganisationType.EMPLOYER)
    return factories.UserFactory(username="employer", role=Role.EMPLOYER, organisation=org)


@pytest.fixture
def analyst(opcc):
    return factories.UserFactory(username="analyst", role=Role.ANALYST, organisation=opcc)


@pytest.fixture
def admin_user(opcc):
    return factories.UserFactory(username="admin", role=Role.ADMINISTRATOR, organisation=opcc, is_staff=True)


@pytest.fixture
def case(norwich, officer, probation):
    return factories.CaseFactory(team=norwich, lead_officer=officer, offender_manager=probation)


@pytest.fixture
def person(case):
    return case.person


@pytest.fixture
def cohort(norfolk):
    return factories.CohortFactory(slug="fixed", name="Fixed", scheme=norfolk)


@pytest.fixture
def all_roles(
    officer, officer2, probation, manager, outsider_manager, partner, coordinator, employer, analyst, admin_user
):
    return {
        "officer": officer,
        "officer2": officer2,
        "probation": probation,
        "manager": manager,
        "outsider_manager": outsider_manager,
        "partner": partner,
        "coordinator": coordinator,
        "employer": employer,
        "analyst": analyst,
        "admin": admin_user,
    }


@pytest.fixture
def api():
    """An API client; ``api.force_authenticate(user)`` or token headers to sign in."""
    return APIClient()


@pytest.fixture
def api_as(api):
    def _as(user):
        api.force_authenticate(user)
        return api

    return _as
