"""Optimistic locking: a write names the version it read and succeeds only if nobody saved since.

The check and the write are one ``UPDATE ... WHERE pk = %s AND version = %s``,
so two concurrent editors cannot both win, on SQLite or PostgreSQL.
"""

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from django.db import models
from django.db.models import F
from django.utils import timezone

from iom.audit import snapshot
from iom.errors import ConflictError


@runtime_checkable
class Versioned(Protocol):
    """A model under the optimistic lock: it carries a ``version`` column (``Model`` itself declares none)."""

    version: int


def update_with_version(*, instance: models.Model, version: int, values: Mapping[str, Any]) -> None:
    """Write ``values`` if ``instance`` is still at ``version``; raise ConflictError (nothing written) otherwise.

    On success ``instance`` is refreshed with the new values and version.
    """
    model = type(instance)
    extra: dict[str, Any] = {"version": F("version") + 1}
    if any(field.name == "updated_at" for field in model._meta.concrete_fields):
        extra["updated_at"] = timezone.now()
    column_values = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        column_values[field.attname if isinstance(field, models.Field) and field.is_relation else name] = (
            value.pk if isinstance(value, models.Model) else value
        )
    updated = model._default_manager.filter(pk=instance.pk, version=version).update(**column_values, **extra)
    if updated != 1:
        current = model._default_manager.get(pk=instance.pk)
        if not isinstance(current, Versioned):
            raise TypeError(f"{model.__name__} has no version column to lock on.")
        raise ConflictError(
            f"This {model._meta.verbose_name} was changed by someone else after you opened it "
            f"(you had version {version}, it is now version {current.version}). Nothing was saved: "
            "review their change and make yours again.",
            current_version=current.version,
            current=snapshot(current, values.keys()),
        )
    instance.refresh_from_db()
