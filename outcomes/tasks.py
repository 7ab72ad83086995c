"""Celery tasks of outcomes: thin wrappers that take ids and call services; safe to run twice."""

import datetime

from celery import shared_task

from outcomes.services.imports import import_run_execute
from outcomes.services.snapshots import metric_snapshots_take


@shared_task(acks_late=True)
def run_import(run_id: int) -> str | None:
    """Check and write one uploaded file; a second delivery of the same run finds it claimed and does nothing."""
    run = import_run_execute(run_id=run_id)
    return run.state if run is not None else None


@shared_task
def take_metric_snapshots(on: str | None = None) -> int:
    """Nightly; running it twice for one date replaces that date's snapshots."""
    return metric_snapshots_take(on=datetime.date.fromisoformat(on) if on else None)
