"""A person's management by an IOM team: allocation, pathway assessments, the action plan and notes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from iom.models.abstract import VersionedRecord
from iom.models.accounts import Team
from iom.models.choices import ActionStatus, CaseStatus, NeedLevel, NoteType, Pathway, Rag, Sensitivity
from iom.models.people import Person


class Case(VersionedRecord):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="led_cases"
    )
    offender_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="managed_cases"
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "team"], condition=~Q(status=CaseStatus.CLOSED), name="case_one_open_per_team"
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_on__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="case_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.team})"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian grants so visibility can join on them instead of a generic string key."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="user_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    granted_at = models.DateTimeField(auto_now_add=True)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Unused by the service (grants go to named users) but keeps guardian's lookups on the direct-FK path."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class PathwayAssessment(models.Model):
    """One dated assessment of one pathway; the newest per pathway is the current one."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    pathway = models.CharField(max_length=40, choices=Pathway.choices)
    need_level = models.CharField(max_length=10, choices=NeedLevel.choices)
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["case", "pathway", "-assessed_on"])]

    def __str__(self) -> str:
        return f"{self.get_pathway_display()}: {self.rag} on {self.assessed_on}"


class Action(VersionedRecord):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    pathway = models.CharField(max_length=40, choices=Pathway.choices, null=True, blank=True)  # noqa: DJ001 (no pathway)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ActionStatus.DONE, done_on__isnull=False)
                | (~Q(status=ActionStatus.DONE) & Q(done_on__isnull=True)),
                name="action_done_on_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class CaseNote(models.Model):
    """A dated record on the case. Notes are added, never edited: they are evidence."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    note_type = models.CharField(max_length=20, choices=NoteType.choices)
    occurred_on = models.DateField()
    text = models.TextField()
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_note_type_display()} note on {self.occurred_on}"
