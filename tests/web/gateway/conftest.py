"""The Gateway pages' fixtures (tests/web/gateway_fixtures.py), shared by tests/web/gateway/ and tests/web/portal/
and for those folders only: their ``gateway_service`` differs from the referrals tests' one."""

from tests.web.gateway_fixtures import *  # noqa: F403  (fixtures for this folder only; see the docstring)
