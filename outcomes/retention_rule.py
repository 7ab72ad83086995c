"""When a person's records are next reviewed: the review rule of docs/retention.md, as pure functions.

It follows the review groups of the College of Policing's Management of Police Information guidance (APP
"Information management: retention, review and disposal"): a person's most serious recorded offence decides
their group, and the group's review period runs from their last activity in the service (the *clear period*:
time without further offending or management). The functions take plain values and read no database, so the
nightly refresh, the decision pages and the tests all apply the same rule.
"""

import datetime
from collections.abc import Iterable

from django.db import models

from iom.dates import add_months, age_on
from iom.models import OffenceCategory


class RetentionGroup(models.IntegerChoices):
    """The MoPI review groups the service uses (Group 4, undetected crime, has no nominal here)."""

    PUBLIC_PROTECTION = 1, "Group 1: certain public protection matters"
    SERIOUS = 2, "Group 2: other sexual, violent or serious offences"
    OTHER = 3, "Group 3: all other offences"


# Each offence category's group. Group 1 takes the offences that carry a life sentence and put the person under
# public protection arrangements; group 2 the other sexual and violent offences and those the schedules of
# serious offences name; every other category is group 3.
_GROUP_1 = frozenset({OffenceCategory.HOMICIDE, OffenceCategory.RAPE})
_GROUP_2 = frozenset(
    {
        OffenceCategory.VIOLENCE_WITH_INJURY,
        OffenceCategory.VIOLENCE_WITHOUT_INJURY,
        OffenceCategory.OTHER_SEXUAL,
        OffenceCategory.ROBBERY,
        OffenceCategory.DOMESTIC_BURGLARY,
        OffenceCategory.ARSON,
    }
)
GROUP_OF_CATEGORY: dict[str, RetentionGroup] = {
    code: (
        RetentionGroup.PUBLIC_PROTECTION
        if code in _GROUP_1
        else RetentionGroup.SERIOUS
        if code in _GROUP_2
        else RetentionGroup.OTHER
    )
    for code in OffenceCategory.values
}

# Years from the last activity to the review: MoPI reviews groups 1 and 2 after ten years and group 3 after a
# six-year clear period. A retention decision may set the next review no further ahead than this.
REVIEW_YEARS: dict[int, int] = {
    RetentionGroup.PUBLIC_PROTECTION: 10,
    RetentionGroup.SERIOUS: 10,
    RetentionGroup.OTHER: 6,
}
# MoPI keeps group 1 records until the person is 100: reviews before then check the record, never dispose of it.
GROUP_1_KEPT_UNTIL_AGE = 100


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day and month ``years`` later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


def group_for(categories: Iterable[str]) -> RetentionGroup:
    """The most serious (lowest-numbered) group among the categories of a person's offence records, whatever
    their outcome; group 3 for a person with none (they are held as police information all the same)."""
    groups = [GROUP_OF_CATEGORY[category] for category in categories if category in GROUP_OF_CATEGORY]
    return min(groups, default=RetentionGroup.OTHER)


def most_serious_category(categories: Iterable[str]) -> str:
    """The category that sets the group (the first in the formats' order among the most serious), or ''."""
    present = set(categories)
    if not present:
        return ""
    group = group_for(present)
    return next(code for code in OffenceCategory.values if code in present and GROUP_OF_CATEGORY[code] == group)


def next_review_on(
    *,
    group: int,
    last_activity_on: datetime.date,
    active: bool,
    retained_until: datetime.date | None = None,
) -> datetime.date | None:
    """The date a manager must next review the person, or ``None`` while they are under active management.

    The group's review period runs from ``last_activity_on``; a decision to retain until a later date
    (``retained_until``) moves the review to that date, never earlier.
    """
    if active:
        return None
    due = years_after(last_activity_on, REVIEW_YEARS[group])
    if retained_until is not None and retained_until > due:
        return retained_until
    return due


def latest_retention_date(*, group: int, on: datetime.date) -> datetime.date:
    """The furthest a decision made on ``on`` may put the next review: one review period ahead."""
    return years_after(on, REVIEW_YEARS[group])


def retention_date_error(*, group: int, on: datetime.date, proposed: datetime.date) -> str | None:
    """Why ``proposed`` will not do as the next review of a person retained on ``on``, or ``None`` if it will."""
    if proposed <= on:
        return "The next review date must be in the future."
    latest = latest_retention_date(group=group, on=on)
    if proposed > latest:
        return (
            f"The next review must be no later than {latest.day} {latest:%B %Y}: "
            f"{REVIEW_YEARS[group]} years is the longest a group {group} record waits for its review."
        )
    return None


def disposal_error(*, group: int, date_of_birth: datetime.date | None, on: datetime.date) -> str | None:
    """Why the person may not be disposed of on ``on``, or ``None``: group 1 is kept until the person is 100."""
    if group != RetentionGroup.PUBLIC_PROTECTION:
        return None
    if date_of_birth is not None and age_on(date_of_birth, on) >= GROUP_1_KEPT_UNTIL_AGE:
        return None
    return (
        "Group 1 records are kept until the person is 100: record a decision to retain them, with the reason "
        "they are still adequate and necessary."
    )
