"""Celery tasks of outcomes: thin wrappers that take ids and call services; safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def run_import(run_id: int) -> str | None:
    """Check and write one uploaded file; a second delivery of the same run finds it claimed and does nothing."""
    from outcomes.services.imports import import_run_execute

    run = import_run_execute(run_id=run_id)
    return run.state if run is not None else None
