"""Temporary alias of tests/iom/factories.py, kept only for tests/referrals/test_gateway.py while it is being
edited elsewhere: once that file imports ``from tests.iom import factories``, delete this module."""

from tests.iom.factories import *  # noqa: F403  (a re-export; see the docstring)
