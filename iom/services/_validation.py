"""Small helpers shared by the write services."""

import copy
import datetime
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def today() -> datetime.date:
    """Today in Europe/London (docs/product.md "What every feature must also do")."""
    return timezone.localdate()


def not_in_future(field: str, value: datetime.date | None, label: str) -> None:
    if value is not None and value > today():
        raise ValidationError({field: f"{label} cannot be in the future."})


def cleaned_copy(instance: M, values: Mapping[str, object], *, exclude: Iterable[str] = ()) -> M:
    """A copy of ``instance`` with ``values`` applied and model validation run; the original is untouched."""
    candidate = copy.copy(instance)
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=list(exclude))
    return candidate


def values_after(instance: models.Model, fields: Iterable[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """``instance``'s ``fields`` as an edit that writes only ``values`` would leave them.

    An edit names only what changes, but its rules hold between fields (an end date after the start), so they
    are checked on the whole record as it would be.
    """
    return {**{name: getattr(instance, name) for name in fields}, **values}
