"""IOM core: accounts, people, cohorts, cases, access rules and audit; also the project's settings."""

from iom.celery import app as celery_app

__all__ = ["celery_app"]
