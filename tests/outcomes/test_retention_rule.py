"""The retention review rule (outcomes/retention_rule.py, docs/retention.md) as pure functions: groups, review
dates from the last activity, the limits on a decision to retain, group 1's age limit, and the age bands erasure
stores. No database."""

import datetime

import pytest

from iom.models import OffenceCategory
from outcomes.metrics.reoffending import AGE_BANDS, age_band
from outcomes.retention_rule import (
    GROUP_OF_CATEGORY,
    REVIEW_YEARS,
    RetentionGroup,
    disposal_error,
    group_for,
    latest_retention_date,
    most_serious_category,
    next_review_on,
    retention_date_error,
    years_after,
)

D = datetime.date


def test_every_offence_category_has_a_group():
    assert set(GROUP_OF_CATEGORY) == set(OffenceCategory.values)


@pytest.mark.parametrize(
    ("categories", "group", "category"),
    [
        ([], RetentionGroup.OTHER, ""),
        (["shoplifting", "breach"], RetentionGroup.OTHER, "shoplifting"),
        (["shoplifting", "robbery"], RetentionGroup.SERIOUS, "robbery"),
        (["arson", "other_sexual", "drugs"], RetentionGroup.SERIOUS, "other_sexual"),
        (["drugs", "rape", "violence_with_injury"], RetentionGroup.PUBLIC_PROTECTION, "rape"),
        (["homicide", "rape"], RetentionGroup.PUBLIC_PROTECTION, "homicide"),
    ],
)
def test_the_most_serious_recorded_offence_sets_the_group(categories, group, category):
    assert group_for(categories) == group
    assert most_serious_category(categories) == category


def test_review_periods_are_ten_ten_and_six_years():
    assert REVIEW_YEARS == {1: 10, 2: 10, 3: 6}


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2020, 2, 29), 6, D(2026, 2, 28)),  # a leap day falls back to 28 February in a common year
        (D(2020, 2, 29), 4, D(2024, 2, 29)),  # and stays on 29 February in a leap year
        (D(2019, 3, 1), 10, D(2029, 3, 1)),
        (D(2019, 12, 31), 6, D(2025, 12, 31)),
    ],
)
def test_years_after_is_the_same_day_and_month(day, years, expected):
    assert years_after(day, years) == expected


def test_the_review_is_due_one_review_period_after_the_last_activity():
    assert next_review_on(group=3, last_activity_on=D(2019, 5, 17), active=False) == D(2025, 5, 17)
    assert next_review_on(group=2, last_activity_on=D(2019, 5, 17), active=False) == D(2029, 5, 17)
    assert next_review_on(group=1, last_activity_on=D(2016, 2, 29), active=False) == D(2026, 2, 28)


def test_no_review_is_due_while_the_person_is_under_active_management():
    assert next_review_on(group=3, last_activity_on=D(2000, 1, 1), active=True) is None


def test_a_decision_to_retain_can_only_push_the_review_later():
    base = {"group": 3, "last_activity_on": D(2019, 5, 17), "active": False}
    assert next_review_on(**base, retained_until=D(2027, 1, 1)) == D(2027, 1, 1)
    assert next_review_on(**base, retained_until=D(2024, 1, 1)) == D(2025, 5, 17)  # newer activity wins
    assert next_review_on(**base, retained_until=D(2025, 5, 17)) == D(2025, 5, 17)


@pytest.mark.parametrize(
    ("group", "proposed", "accepted"),
    [
        (3, D(2026, 6, 1), False),  # today
        (3, D(2026, 6, 2), True),  # tomorrow
        (3, D(2032, 6, 1), True),  # exactly six years ahead
        (3, D(2032, 6, 2), False),  # a day too far
        (2, D(2036, 6, 1), True),
        (2, D(2036, 6, 2), False),
    ],
)
def test_a_retained_persons_next_review_is_in_the_future_and_within_the_groups_period(group, proposed, accepted):
    error = retention_date_error(group=group, on=D(2026, 6, 1), proposed=proposed)
    assert (error is None) is accepted


def test_the_latest_retention_date_from_a_leap_day():
    assert latest_retention_date(group=3, on=D(2028, 2, 29)) == D(2034, 2, 28)
    assert retention_date_error(group=3, on=D(2028, 2, 29), proposed=D(2034, 2, 28)) is None
    assert "28 February 2034" in retention_date_error(group=3, on=D(2028, 2, 29), proposed=D(2034, 3, 1))


def test_group_1_is_kept_until_the_person_is_100():
    born = D(1928, 2, 29)
    assert disposal_error(group=1, date_of_birth=born, on=D(2028, 2, 28)) is not None  # 99 for one more day
    assert disposal_error(group=1, date_of_birth=born, on=D(2028, 2, 29)) is None
    assert disposal_error(group=1, date_of_birth=D(1927, 3, 1), on=D(2027, 2, 28)) is not None
    assert disposal_error(group=1, date_of_birth=D(1927, 3, 1), on=D(2027, 3, 1)) is None
    assert disposal_error(group=1, date_of_birth=None, on=D(2026, 3, 1)) is not None
    assert disposal_error(group=2, date_of_birth=D(2000, 1, 1), on=D(2026, 3, 1)) is None
    assert disposal_error(group=3, date_of_birth=D(2000, 1, 1), on=D(2026, 3, 1)) is None


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (10, "under_18"),
        (17, "under_18"),
        (18, "18_24"),
        (24, "18_24"),
        (25, "25_34"),
        (34, "25_34"),
        (35, "35_49"),
        (49, "35_49"),
        (50, "50_plus"),
        (99, "50_plus"),
    ],
)
def test_age_bands_match_the_metric(age, band):
    assert age_band(age) == band
    assert band in AGE_BANDS
