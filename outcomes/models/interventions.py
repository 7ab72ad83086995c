"""Interventions: the catalogue of programmes and services, and what was delivered to a person on a case."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from iom.models import Case, Organisation
from iom.models.abstract import VersionedRecord
from referrals.models import Referral


class ProgrammeType(models.TextChoices):
    ACCREDITED_PROGRAMME = "accredited_programme", "Accredited programme"
    DRUG_TREATMENT = "drug_treatment", "Drug treatment"
    MENTAL_HEALTH = "mental_health", "Mental health"
    HOUSING_SUPPORT = "housing_support", "Housing support"
    RESTORATIVE_JUSTICE = "restorative_justice", "Restorative justice"
    VICTIM_AWARENESS = "victim_awareness", "Victim awareness"
    EDUCATION_TRAINING = "education_training", "Education and training"
    EMPLOYMENT_PLACEMENT = "employment_placement", "Employment placement"


class InterventionOutcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    PARTIALLY_COMPLETED = "partially_completed", "Partially completed"
    DROPPED_OUT = "dropped_out", "Dropped out"
    ONGOING = "ongoing", "Ongoing"


class Programme(models.Model):
    """A programme or service in the catalogue; inactive ones stay for the history but are not offered."""

    name = models.CharField(max_length=200)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes")
    programme_type = models.CharField(max_length=30, choices=ProgrammeType.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["provider", "name"], name="programme_unique_per_provider")]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"


class Intervention(VersionedRecord):
    """Something delivered to the person on a case: a programme, treatment, conference, support or placement."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="interventions")
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="Defaults to the programme's provider."
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="interventions"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    sessions_planned = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_attended = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=InterventionOutcome.choices, default=InterventionOutcome.ONGOING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="intervention_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(sessions_planned__isnull=True)
                | Q(sessions_attended__isnull=True)
                | Q(sessions_attended__lte=F("sessions_planned")),
                name="intervention_attended_within_planned",
            ),
            models.CheckConstraint(
                condition=Q(outcome=InterventionOutcome.ONGOING, ended_on__isnull=True)
                | (~Q(outcome=InterventionOutcome.ONGOING) & Q(ended_on__isnull=False)),
                name="intervention_ended_on_iff_finished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} from {self.started_on}"

    @property
    def attendance(self) -> str:
        """Sessions as "attended / planned", with a dash for what is not recorded."""
        if self.sessions_attended is None and self.sessions_planned is None:
            return "\u2013"
        attended = "\u2013" if self.sessions_attended is None else self.sessions_attended
        planned = "\u2013" if self.sessions_planned is None else self.sessions_planned
        return f"{attended} / {planned}"
