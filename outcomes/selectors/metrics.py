"""Reads for the metric endpoints and the dashboard: who may read them, which cohort, how fresh the data is."""

import datetime
from typing import TypedDict

from django.db.models import Max, QuerySet

from iom import access
from iom.models import Cohort, Membership, Person, User
from iom.policy import ALL_COHORTS
from outcomes.models import CrimeUnitCost, ImportRun, ImportState, MetricSnapshot, OffenceRecord
from outcomes.rules import READ_METRICS


def reads_metrics(user: User) -> bool:
    """Aggregates only, no identifiers: IOM managers, analysts and administrators (docs/roles.md)."""
    return READ_METRICS.allows(user)


def metric_cohort_list(*, user: User) -> QuerySet[Cohort]:
    """Cohorts a metric may be restricted to: those the user can see (an analyst sees every cohort)."""
    if not reads_metrics(user):
        return Cohort.objects.none()
    if ALL_COHORTS.allows(user):
        return Cohort.objects.all()
    return access.cohort_list_visible_to(user=user)


def data_as_of() -> datetime.datetime | None:
    """The time of the latest import or change feeding the metrics: offence records, people, memberships."""
    latest = [
        OffenceRecord.objects.aggregate(at=Max("updated_at"))["at"],
        Person.objects.aggregate(at=Max("updated_at"))["at"],
        Membership.objects.aggregate(at=Max("updated_at"))["at"],
        ImportRun.objects.filter(state=ImportState.SUCCEEDED, dry_run=False).aggregate(at=Max("finished_at"))["at"],
    ]
    moments = [moment for moment in latest if moment is not None]
    return max(moments) if moments else None


def metric_snapshot_list(*, metric: str, cohort_slug: str = "", limit: int = 366) -> QuerySet[MetricSnapshot]:
    """The stored snapshots of one metric (and cohort, '' for everyone), newest first."""
    return MetricSnapshot.objects.filter(metric=metric, cohort_slug=cohort_slug).order_by("-taken_on")[:limit]


class UnitCostSource(TypedDict):
    price_year: str
    source: str


def crime_unit_cost_sources() -> list[UnitCostSource]:
    """Each price year and source the unit costs of crime come from, for the dashboard's footnote."""
    return list(CrimeUnitCost.objects.order_by("price_year", "source").values("price_year", "source").distinct())
