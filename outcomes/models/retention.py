"""Retention review (docs/retention.md): where each person stands in the review schedule, and the decisions taken.

They live in outcomes, the top domain app, because the schedule reads every app's records: offences, cases and
their notes and actions, cohort memberships, referrals, placements and interventions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from iom.models import OffenceCategory, Person
from outcomes.retention_rule import RetentionGroup


class RetentionSchedule(models.Model):
    """One person's review group, last activity and next review date, recomputed every night in bulk
    (outcomes.services.retention.retention_schedules_refresh) and when a decision is taken about them.

    ``next_review_on`` is empty while the person is under active management (``active_reason`` says how), and
    never earlier than the date the last decision to retain set; the review queue is every person whose date has
    come.
    """

    person = models.OneToOneField(Person, on_delete=models.PROTECT, primary_key=True, related_name="retention")
    group = models.PositiveSmallIntegerField(choices=RetentionGroup.choices)
    group_category = models.CharField(
        max_length=30, blank=True, help_text="The offence category that set the group; empty when none is recorded."
    )
    last_activity_on = models.DateField()
    last_activity_source = models.CharField(max_length=40, help_text="What the last activity was, e.g. a case note.")
    active_reason = models.CharField(
        max_length=40, blank=True, help_text="Why the person is under active management; empty when not."
    )
    next_review_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["next_review_on", "person_id"]
        indexes = [
            models.Index(
                fields=["next_review_on", "person"], name="retention_due", condition=Q(next_review_on__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"Person {self.person_id}: review on {self.next_review_on or 'none (active)'}"

    @property
    def group_category_label(self) -> str:
        return OffenceCategory(self.group_category).label if self.group_category else ""


class RetentionDecisionKind(models.TextChoices):
    RETAIN = "retain", "Retain"
    DISPOSE = "dispose", "Dispose"


class RetentionDecision(models.Model):
    """A manager's decision at a review: retain, with the reason and the next review date, or dispose (erase).

    The basis the decision was taken on (group, last activity, due date) is kept with it; the reason is free text
    about the person, so erasure blanks it like every other.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="retention_decisions")
    decision = models.CharField(max_length=10, choices=RetentionDecisionKind.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True, help_text="For a decision to retain: the next review.")
    group = models.PositiveSmallIntegerField(choices=RetentionGroup.choices)
    last_activity_on = models.DateField()
    due_on = models.DateField(help_text="The review date the decision answered.")

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["person", "-decided_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision=RetentionDecisionKind.RETAIN, next_review_on__isnull=False)
                | Q(decision=RetentionDecisionKind.DISPOSE, next_review_on__isnull=True),
                name="retention_decision_next_review_iff_retain",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(decision=RetentionDecisionKind.DISPOSE),
                name="retention_decision_dispose_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} person {self.person_id} ({self.decided_at:%Y-%m-%d})"
