"""Calendar arithmetic the way docs/metrics.md defines it, done once in Python.

Databases disagree on "a year after 29 February" (SQLite's ``date(..., '+1 year')``
rolls over into March), so every derived date the metrics compare is computed
here and stored; the aggregate queries then only compare stored dates.
"""

import calendar
import datetime
import re

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
"""A date as docs/data-formats.md writes every date: YYYY-MM-DD, no shorter month or day."""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later (or earlier, if negative), clamped to the end of that month.

    >>> add_months(datetime.date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> add_months(datetime.date(2019, 8, 31), 6)
    datetime.date(2020, 2, 29)
    """
    year, month_index = divmod(day.year * 12 + (day.month - 1) + months, 12)
    month = month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def one_year_after(day: datetime.date) -> datetime.date:
    """Same day and month a year later; 29 February becomes 28 February."""
    return add_months(day, 12)


def one_year_before(day: datetime.date) -> datetime.date:
    return add_months(day, -12)


def six_months_after(day: datetime.date) -> datetime.date:
    return add_months(day, 6)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Completed years on ``day``: someone born on 29 February becomes a year older on 1 March in other years."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
