"""Financial years, the Plan's periods (docs/metrics.md "Plan scorecard": 1 April to 31 March).

A financial year is stored as the calendar year it starts in: ``2015`` is 2015/16, 1 April 2015 to
31 March 2016. One small integer sorts, compares and indexes simply, and every label is derived here so
the pages ("2015/16"), the API and its URLs ("2015-16") never disagree.
"""

import datetime
import re

FIRST_YEAR, LAST_YEAR = 2000, 2099
_PERIOD = re.compile(r"^(\d{4})[-/](\d{2})$")


def start(year: int) -> datetime.date:
    """The first day of financial year ``year`` (1 April)."""
    return datetime.date(year, 4, 1)


def end(year: int) -> datetime.date:
    """The last day of financial year ``year`` (31 March of the next calendar year)."""
    return datetime.date(year + 1, 3, 31)


def of(day: datetime.date) -> int:
    """The financial year ``day`` falls in: 31 March 2016 is in 2015/16, 1 April 2016 in 2016/17."""
    return day.year if day.month >= 4 else day.year - 1


def label(year: int) -> str:
    """``2015`` → ``"2015/16"``, as the Plan and the pages write it."""
    return f"{year}/{(year + 1) % 100:02d}"


def code(year: int) -> str:
    """``2015`` → ``"2015-16"``: the API's form, safe in a URL path."""
    return f"{year}-{(year + 1) % 100:02d}"


def parse(text: str) -> int | None:
    """``"2015-16"`` or ``"2015/16"`` → ``2015``; ``None`` for anything else (``"2015-17"``, ``"2015"``)."""
    match = _PERIOD.match(str(text).strip())
    if match is None:
        return None
    year, next_two = int(match.group(1)), int(match.group(2))
    if (year + 1) % 100 != next_two or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return year
