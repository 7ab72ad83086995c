"""Proven reoffending (DESIGN.md, after the Ministry of Justice measure)."""

import datetime
from typing import Any

from iom.models import Cohort


def reoffending(
    *,
    index_from: datetime.date,
    index_to: datetime.date,
    as_of: datetime.date,
    cohort: Cohort | None = None,
    with_breakdowns: bool = True,
) -> dict[str, Any]:
    raise NotImplementedError


def reoffending_quarterly(
    *, from_quarter: str, to_quarter: str, as_of: datetime.date, cohort: Cohort | None = None
) -> dict[str, Any]:
    raise NotImplementedError
