"""Cohorts and memberships. Membership history is what the metrics measure, so it is never overwritten."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from iom.models.accounts import Scheme
from iom.models.people import Person


class Cohort(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.PROTECT,
        related_name="cohorts",
        null=True,
        blank=True,
        help_text="The scheme whose panel decides adoptions; empty for imported cohorts managed by every scheme.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="memberships")
    adopted_on = models.DateField()
    panel_date = models.DateField(null=True, blank=True, help_text="The panel that decided the adoption.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exited_on = models.DateField(null=True, blank=True, help_text="The member's last day in the cohort.")
    exit_reason = models.TextField(blank=True)
    exit_panel_date = models.DateField(null=True, blank=True)
    exit_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(
        auto_now=True, help_text="The last change (an exit): the metrics' data_as_of reads it."
    )

    class Meta:
        ordering = ["-adopted_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"], condition=Q(exited_on__isnull=True), name="membership_one_open_per_cohort"
            ),
            models.UniqueConstraint(fields=["person", "cohort", "adopted_on"], name="membership_unique_adoption"),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("adopted_on")),
                name="membership_exit_not_before_adoption",
            ),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | ~Q(exit_reason=""), name="membership_exit_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.cohort_id} from {self.adopted_on}"

    @property
    def is_open(self) -> bool:
        return self.exited_on is None
