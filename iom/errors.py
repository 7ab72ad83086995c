"""Domain errors that services raise beside Django's ValidationError and PermissionDenied."""

from typing import Any


class ConflictError(Exception):
    """An optimistic-lock conflict: someone else saved the record after it was read.

    Carries the record's current state so the page or API can show the other
    person's change instead of overwriting it.
    """

    def __init__(self, message: str, *, current_version: int, current: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.current_version = current_version
        self.current = current or {}
