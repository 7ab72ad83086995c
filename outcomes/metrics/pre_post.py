"""Pre/post adoption (DESIGN.md, the national IOM tool's view)."""

import datetime
from typing import Any

from iom.models import Cohort


def pre_post(*, cohort: Cohort, as_of: datetime.date) -> dict[str, Any]:
    raise NotImplementedError
