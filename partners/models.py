"""Partner services, employers, their Gateway to Employment pledges and the opportunities they offer.

Organisations themselves live in ``iom`` (users belong to one); this app adds
what partners offer. Lower layers (iom) never import from here.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from iom.models import District, Organisation, OrganisationType

# Statutory partners share under their public duties; everyone else needs the person's consent.
STATUTORY_ORGANISATION_TYPES = frozenset(
    {
        OrganisationType.POLICE,
        OrganisationType.PROBATION,
        OrganisationType.COUNCIL,
        OrganisationType.HEALTH,
        OrganisationType.DWP,
    }
)


class ServiceType(models.TextChoices):
    EMPLOYMENT = "employment", "Employment (Gateway to Employment)"
    HOUSING = "housing", "Housing"
    SUBSTANCE_MISUSE = "substance_misuse", "Drug and alcohol treatment"
    MENTAL_HEALTH = "mental_health", "Mental health"
    RESTORATIVE_JUSTICE = "restorative_justice", "Restorative justice"
    VICTIM_SUPPORT = "victim_support", "Victim support"
    EDUCATION_TRAINING = "education_training", "Education and training"
    FINANCE_DEBT = "finance_debt", "Finance, benefit and debt"
    OTHER = "other", "Other"


class Service(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    service_type = models.CharField(max_length=30, choices=ServiceType.choices)
    districts = models.JSONField(default=list, blank=True, help_text="District codes covered; empty means all.")
    eligibility = models.TextField(blank=True)
    consent_required = models.BooleanField(
        default=True, help_text="Always true for non-statutory partners and employers (set by the service)."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="service_unique_name_per_org")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class Sector(models.TextChoices):
    CONSTRUCTION = "construction", "Construction"
    HOSPITALITY = "hospitality", "Hospitality and catering"
    CARE = "care", "Health and social care"
    RETAIL = "retail", "Retail"
    MANUFACTURING = "manufacturing", "Manufacturing"
    LOGISTICS = "logistics", "Transport and logistics"
    AGRICULTURE = "agriculture", "Agriculture and food"
    PUBLIC = "public", "Public sector"
    OTHER = "other", "Other"


class EmployerSize(models.TextChoices):
    MICRO = "micro", "Micro (under 10)"
    SMALL = "small", "Small (10 to 49)"
    MEDIUM = "medium", "Medium (50 to 249)"
    LARGE = "large", "Large (250 or more)"


class Employer(models.Model):
    """The employer side of an ``employer`` organisation: what coordinators need to match people to work."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="employer")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    size = models.CharField(max_length=10, choices=EmployerSize.choices)
    districts = models.JSONField(default=list, blank=True, help_text="District codes where they offer work.")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name


class Commitment(models.TextChoices):
    FAIR_CHANCE = "fair_chance_recruitment", "Fair-chance recruitment"
    BAN_THE_BOX = "ban_the_box", "Ban the box"
    GUARANTEED_INTERVIEW = "guaranteed_interview", "Guaranteed interview"
    MENTORING = "mentoring", "Mentoring in work"
    WORK_PLACEMENTS = "work_placements", "Work placements and trials"


class PledgeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"


class Pledge(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="pledges")
    signed_on = models.DateField()
    signed_by = models.CharField(max_length=200, help_text="Name and position of the person who signed.")
    opportunities_pledged = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    commitments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.ACTIVE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], condition=Q(status="active"), name="pledge_one_active_per_employer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer} pledge of {self.signed_on}"


class OpportunityType(models.TextChoices):
    JOB = "job", "Job"
    APPRENTICESHIP = "apprenticeship", "Apprenticeship"
    WORK_TRIAL = "work_trial", "Work trial"
    PLACEMENT = "placement", "Placement"
    VOLUNTEERING = "volunteering", "Volunteering"


# The Plan counts employers who have *taken on* an ex-offender: volunteering is tracked, not counted.
COUNTED_OPPORTUNITY_TYPES = frozenset(
    {OpportunityType.JOB, OpportunityType.APPRENTICESHIP, OpportunityType.WORK_TRIAL, OpportunityType.PLACEMENT}
)


class OpportunityStatus(models.TextChoices):
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class Opportunity(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="opportunities")
    opportunity_type = models.CharField(max_length=20, choices=OpportunityType.choices)
    title = models.CharField(max_length=200)
    district = models.CharField(max_length=30, choices=District.choices)
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    closing_on = models.DateField(null=True, blank=True)
    positions = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return f"{self.title} at {self.employer}"
