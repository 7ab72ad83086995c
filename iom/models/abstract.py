"""Field sets that several models share, so what they mean is written once."""

from django.db import models


class VersionedRecord(models.Model):
    """A record people edit from forms and the API, with optimistic locking.

    ``version`` goes up by one on every saved change (``iom.changes.update_audited``); a save that names an older
    version is refused as a conflict instead of overwriting someone else's change.
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class NamedRecord(models.Model):
    """Reference data known to users by a unique name, listed in name order."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
