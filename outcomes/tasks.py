"""Celery tasks of outcomes: thin wrappers that take ids and call services; safe to run twice."""

import datetime

from celery import shared_task

from outcomes.services.imports import import_run_execute, import_runs_reap
from outcomes.services.retention import retention_schedules_refresh
from outcomes.services.snapshots import metric_snapshots_take
from outcomes.services.subject_access import subject_access_build, subject_access_reap


@shared_task(acks_late=True)
def run_import(run_id: int) -> str | None:
    """Check and write one uploaded file. Idempotent: a second delivery of the same run finds it claimed or
    finished and does nothing, and the rows are written in one transaction with the run's "imported" state."""
    run = import_run_execute(run_id=run_id)
    return run.state if run is not None else None


@shared_task
def reap_imports() -> list[int]:
    """Every few minutes: re-queue once, or fail, the imports whose worker died. Idempotent: each change is
    conditional on the run still being stale in the state and attempt found, so a second run changes nothing."""
    return list(import_runs_reap())


@shared_task
def refresh_retention_schedules(on: str | None = None) -> int:
    """Nightly: every person's next review date as their records stand (docs/retention.md). Idempotent: each run
    replaces each person's row with the same computation, so running twice writes the same dates."""
    return retention_schedules_refresh(on=datetime.date.fromisoformat(on) if on else None)


@shared_task
def take_metric_snapshots(on: str | None = None) -> int:
    """Nightly. Idempotent: running it twice for one date replaces that date's snapshots (update_or_create)."""
    return metric_snapshots_take(on=datetime.date.fromisoformat(on) if on else None)


@shared_task(acks_late=True)
def build_subject_access(export_id: int) -> str | None:
    """Gather everything held about one person into the bundle's zip. Idempotent: a second delivery finds the
    bundle claimed or finished and does nothing; a re-queued bundle writes its one file again, replacing it."""
    export = subject_access_build(export_id=export_id)
    return export.status if export is not None else None


@shared_task
def reap_subject_access() -> list[int]:
    """Every few minutes: re-queue once, or fail, the bundles whose worker died. Idempotent, as ``reap_imports``."""
    return list(subject_access_reap())
