"""What an import would do, worked out before anything is written."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Change:
    """One stored record the file changes: its key, the new values of the file's columns, and what differs."""

    pk: int
    values: dict[str, Any]
    changes: dict[str, list[Any]]
    person_id: int | None = None


@dataclass
class ImportPlan:
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    update_fields: tuple[str, ...] = ()
    unchanged: int = 0
