"""The referrals tests' fixtures (tests/referrals/fixtures.py); a plain module, not this conftest, holds them so
the referrals page and API tests (tests/web/referrals/, tests/api/referrals/) can share them without the rest of
the suite seeing their ``person`` (renamed Dylan Thacker) and ``gateway_service``."""

from tests.referrals.fixtures import *  # noqa: F403  (fixtures for this folder only; see the docstring)
