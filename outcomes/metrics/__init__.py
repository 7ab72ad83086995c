"""The numbers the Plan is judged by (docs/metrics.md), as database aggregates over stored dates.

- :func:`reoffending` and :func:`reoffending_quarterly`: the proven reoffending measure.
- :func:`pre_post`: offences in the year before and after adoption into a cohort, with the cost of crime.
"""

from outcomes.metrics.pre_post import pre_post
from outcomes.metrics.reoffending import reoffending, reoffending_quarterly

__all__ = ["pre_post", "reoffending", "reoffending_quarterly"]
