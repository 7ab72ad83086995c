"""Nightly metric snapshots (outcomes.services.snapshots and the Celery task): one per metric, cohort and date."""

import datetime

import pytest

from outcomes.models import MetricKind, MetricSnapshot
from outcomes.services.snapshots import metric_snapshots_take, snapshot_quarters
from outcomes.tasks import take_metric_snapshots
from tests.iom.factories import CohortFactory, MembershipFactory, PersonFactory
from tests.outcomes.factories import OffenceRecordFactory

pytestmark = pytest.mark.django_db
ON = datetime.date(2021, 7, 1)


@pytest.mark.parametrize(
    ("on", "quarters"),
    [
        (datetime.date(2021, 7, 1), ("2018Q3", "2021Q2")),
        (datetime.date(2021, 6, 30), ("2018Q2", "2021Q1")),
        (datetime.date(2021, 1, 1), ("2018Q1", "2020Q4")),
    ],
)
def test_the_snapshot_covers_the_twelve_quarters_ended_before_the_day(on, quarters):
    assert snapshot_quarters(on) == quarters


@pytest.fixture
def cohort_with_people():
    cohort = CohortFactory(slug="snap")
    for number in range(6):
        person = PersonFactory()
        MembershipFactory(person=person, cohort=cohort, adopted_on=datetime.date(2018, 1, 1))
        OffenceRecordFactory(
            person=person, offence_date=datetime.date(2019, 1, 5), outcome_date=datetime.date(2019, 2, 1)
        )
        if number % 2:
            OffenceRecordFactory(
                person=person, offence_date=datetime.date(2019, 6, 1), outcome_date=datetime.date(2019, 7, 1)
            )
    return cohort


def test_taking_the_snapshots_twice_for_a_date_replaces_them(cohort_with_people):
    assert metric_snapshots_take(on=ON) == 3  # everyone's series, and the cohort's series and pre/post
    first = {(s.metric, s.cohort_slug): s.figures for s in MetricSnapshot.objects.all()}
    OffenceRecordFactory(
        person=cohort_with_people.memberships.first().person,
        offence_date=datetime.date(2019, 3, 1),
        outcome_date=datetime.date(2019, 4, 1),
    )
    assert take_metric_snapshots(ON.isoformat()) == 3
    assert MetricSnapshot.objects.count() == 3
    again = {(s.metric, s.cohort_slug): s.figures for s in MetricSnapshot.objects.all()}
    assert set(again) == {(MetricKind.QUARTERLY, ""), (MetricKind.QUARTERLY, "snap"), (MetricKind.PRE_POST, "snap")}
    assert again != first  # the new record changed the figures, and the day's rows hold the new ones


def test_a_snapshot_holds_the_metric_as_it_stood(cohort_with_people):
    metric_snapshots_take(on=ON)
    series = MetricSnapshot.objects.get(metric=MetricKind.QUARTERLY, cohort_slug="snap", taken_on=ON).figures
    quarter = next(q for q in series["quarters"] if q["quarter"] == "2019Q1")
    assert (quarter["measurable"], quarter["reoffenders"], quarter["binary_rate"]) == (6, 3, 0.5)


def test_another_day_adds_a_row_of_its_own(cohort_with_people):
    metric_snapshots_take(on=ON)
    metric_snapshots_take(on=ON + datetime.timedelta(days=1))
    assert MetricSnapshot.objects.filter(cohort_slug="snap", metric=MetricKind.QUARTERLY).count() == 2
