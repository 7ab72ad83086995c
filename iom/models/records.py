"""Requests about one person's records that outlive a page view: access outside one's teams, and subject access."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from iom.models.cases import Case
from iom.models.people import Person


class BreakGlassReview(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Not appropriate"


class BreakGlassAccess(models.Model):
    """An officer opening a person (and so their cases) outside their teams, with the reason they gave.

    It lets them see that person until it expires and waits in the managers' review queue until someone
    other than the officer has judged it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="break_glass_accesses")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField()
    opened_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review = models.CharField(max_length=15, choices=BreakGlassReview.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "person", "-expires_at"]),
            models.Index(fields=["opened_at"], condition=Q(reviewed_at__isnull=True), name="break_glass_unreviewed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, review="") | Q(reviewed_at__isnull=False) & ~Q(review=""),
                name="break_glass_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → person {self.person_id} ({self.opened_at:%Y-%m-%d %H:%M})"


class SubjectAccessStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Building"
    READY = "ready", "Ready to review"
    FAILED = "failed", "Failed"


class SubjectAccessExport(models.Model):
    """Everything held about one person, gathered in the background into a zip for a subject access request.

    State lives here, not in the task: the task takes only this row's id, so a re-run rebuilds the same file.
    Items that need a human decision before release (restricted notes, third parties' details) are listed
    in ``flags``.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="subject_access_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, help_text="The request's reference or how it arrived.")
    status = models.CharField(max_length=10, choices=SubjectAccessStatus.choices, default=SubjectAccessStatus.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="subject-access/", blank=True)
    flags = models.JSONField(default=list, blank=True, help_text="Items to review before release.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One bundle at a time per person: a second request while one is being built is refused.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["queued", "building"]),
                name="subject_access_one_running_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access for person {self.person_id} ({self.get_status_display()})"
