"""outcomes.selectors.metrics.data_as_of: the time of the latest import or change feeding the metrics."""

import datetime

import pytest
from django.utils import timezone

from iom.services.cohorts import membership_exit
from outcomes.selectors.metrics import data_as_of
from tests.iom.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_there_is_no_data_as_of_without_data():
    assert data_as_of() is None


def test_a_panel_exit_moves_data_as_of(manager, cohort, person):
    membership = MembershipFactory(person=person, cohort=cohort, adopted_on=datetime.date(2024, 1, 10))
    before = data_as_of()
    membership_exit(
        acting_user=manager,
        membership=membership,
        exited_on=datetime.date(2024, 6, 1),
        exit_reason="Reduced risk",
    )
    after = data_as_of()
    assert after > before
    assert after <= timezone.now()
