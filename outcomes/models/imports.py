"""A run of the CSV import: what was uploaded, how far it has got, and what it found."""

from django.conf import settings
from django.db import models


class ImportKind(models.TextChoices):
    COHORTS = "cohorts", "Cohorts"
    PEOPLE = "people", "People"
    MEMBERSHIPS = "memberships", "Memberships"
    OFFENCES = "offences", "Offence records"


class ImportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    VALIDATING = "validating", "Checking rows"
    WRITING = "writing", "Saving"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Not imported"


FINISHED_STATES = (ImportState.SUCCEEDED, ImportState.FAILED)
RUNNING_STATES = (ImportState.VALIDATING, ImportState.WRITING)


class ImportRun(models.Model):
    """The uploaded bytes stay in the database (not on a disk only the web process sees) until the run ends,
    so a worker on another machine can read them; they are cleared once the run has finished."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=ImportState.choices, default=ImportState.QUEUED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=20, default="api", help_text="api, page or command.")
    content = models.BinaryField(default=b"", editable=False)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first 100 errors, as sentences.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the worker running it (the reaper's clock)."
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has taken the run; the reaper re-queues it once."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def progress_percent(self) -> int:
        """Checking the rows is most of the work; saving is shown as the last stretch."""
        if self.state == ImportState.SUCCEEDED or (self.state == ImportState.FAILED and self.rows_total is not None):
            return 100
        if not self.rows_total:
            return 0
        if self.state == ImportState.WRITING:
            return 95
        return min(90, int(90 * self.rows_processed / self.rows_total))
