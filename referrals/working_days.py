"""Working days in England and Wales: weekdays that are not bank holidays (docs/product.md "Referrals")."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales share their bank holidays; Scotland and Northern Ireland differ.
    return frozenset(holidays.UK(subdiv="ENG", years=[year]).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
