"""Nightly metric snapshots: how each figure stood on a date, so managers can see it move as data matures.

Proven reoffending keeps changing for eighteen months after an index date (reoffences are proven late, records
arrive late), so the same quarter's rate is stored every night. Taking the snapshots again for a date replaces
that date's rows (one per metric and cohort), never adds to them.
"""

import datetime

from django.db import transaction

from iom.models import Cohort
from iom.services._validation import today
from outcomes.metrics import pre_post, reoffending_quarterly
from outcomes.models import MetricKind, MetricSnapshot

QUARTERS_KEPT = 12  # three years of quarterly cohorts, enough for the dashboard's trend


def _quarter_label(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def snapshot_quarters(on: datetime.date) -> tuple[str, str]:
    """The last :data:`QUARTERS_KEPT` calendar quarters that ended before ``on``."""
    this_quarter_start = datetime.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    last = this_quarter_start - datetime.timedelta(days=1)
    index = last.year * 4 + (last.month - 1) // 3 - (QUARTERS_KEPT - 1)
    first = datetime.date(index // 4, 3 * (index % 4) + 1, 1)
    return _quarter_label(first), _quarter_label(last)


def metric_snapshots_take(*, on: datetime.date | None = None) -> int:
    """Store the quarterly reoffending series (everyone and each active cohort) and each active cohort's
    pre/post figures as of ``on`` (default today); returns the number of snapshots stored."""
    on = on or today()
    from_quarter, to_quarter = snapshot_quarters(on)
    cohorts = list(Cohort.objects.filter(active=True).order_by("slug"))
    snapshots: list[tuple[str, str, dict, dict]] = []
    for cohort in [None, *cohorts]:
        parameters = {"from_quarter": from_quarter, "to_quarter": to_quarter, "as_of": on.isoformat()}
        figures = reoffending_quarterly(from_quarter=from_quarter, to_quarter=to_quarter, as_of=on, cohort=cohort)
        snapshots.append((MetricKind.QUARTERLY, cohort.slug if cohort else "", parameters, figures))
        if cohort is not None:
            figures = pre_post(cohort=cohort, as_of=on)
            snapshots.append((MetricKind.PRE_POST, cohort.slug, {"as_of": on.isoformat()}, figures))
    with transaction.atomic():
        for metric, cohort_slug, parameters, figures in snapshots:
            MetricSnapshot.objects.update_or_create(
                metric=metric,
                cohort_slug=cohort_slug,
                taken_on=on,
                defaults={"parameters": parameters, "figures": figures},
            )
    return len(snapshots)
