"""Reads of import runs, and who may import."""

from django.db.models import QuerySet

from iom.models import Role, User
from outcomes.models import ImportRun

IMPORTER_ROLES = frozenset({Role.IOM_MANAGER})


def may_import(user: User | None) -> bool:
    """IOM managers import: people are personal data, and the panel's cohorts are theirs."""
    return bool(user and user.is_authenticated and user.is_active and user.role in IMPORTER_ROLES)


def import_run_list_visible_to(*, user: User) -> QuerySet[ImportRun]:
    """IOM managers share the imports: each sees every run (the people imported are visible to all of them)."""
    if not may_import(user):
        return ImportRun.objects.none()
    return ImportRun.objects.select_related("uploaded_by").defer("content")
