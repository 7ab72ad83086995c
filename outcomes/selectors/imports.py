"""Reads of import runs, and who may import."""

from django.db.models import QuerySet

from iom.models import User
from outcomes.models import ImportRun
from outcomes.rules import RUN_IMPORTS


def may_import(user: User | None) -> bool:
    """IOM managers import: people are personal data, and the panel's cohorts are theirs."""
    return RUN_IMPORTS.allows(user)


def import_run_list_visible_to(*, user: User) -> QuerySet[ImportRun]:
    """IOM managers share the imports: each sees every run (the people imported are visible to all of them)."""
    if not may_import(user):
        return ImportRun.objects.none()
    return ImportRun.objects.select_related("uploaded_by").defer("content")
