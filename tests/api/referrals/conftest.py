"""The referrals tests' fixtures (tests/referrals/fixtures.py), for this folder only: they override ``person``
(renamed Dylan Thacker) and define ``gateway_service``, which the rest of the suite must not see."""

from tests.referrals.fixtures import *  # noqa: F403  (fixtures for this folder only; see the docstring)
