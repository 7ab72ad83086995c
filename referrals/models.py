"""Consent, referrals to partner services with their transition history, and Gateway to Employment placements."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from iom.models import Case, Organisation, Person
from partners.models import Opportunity, Service, ServiceType


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Written (signed form)"
    VERBAL = "verbal", "Verbal, witnessed"
    ELECTRONIC = "electronic", "Electronic"


class Consent(models.Model):
    """The person's recorded consent to share with one organisation, or with a type of service.

    A scope of service type ``employment`` is consent for Gateway to Employment: it covers
    any employer the coordinator matches.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    scope_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    scope_service_type = models.CharField(max_length=30, choices=ServiceType.choices, blank=True)
    shared_information = models.TextField(help_text="What the person agreed may be shared.")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    given_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope_organisation__isnull=False) & Q(scope_service_type=""))
                | (Q(scope_organisation__isnull=True) & ~Q(scope_service_type="")),
                name="consent_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent of person {self.person_id} for {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.scope_organisation_id:
            return str(self.scope_organisation)
        return ServiceType(self.scope_service_type).label

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class ReferralState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    NOT_ENGAGED = "not_engaged", "Not engaged"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Only while live does the partner see the person summary (docs/product.md "Referrals").
LIVE_STATES = frozenset({ReferralState.SUBMITTED, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS})
# An employment referral can be matched to an opportunity once the coordinator has accepted it.
MATCHABLE_STATES = frozenset({ReferralState.ACCEPTED, ReferralState.IN_PROGRESS})


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField()
    pathways = models.JSONField(default=list, blank=True, help_text="Pathway codes the referral addresses.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    shared_information = models.TextField(help_text="What is shared with the partner about the person.")
    risk_summary = models.TextField(blank=True, help_text="The risk information the partner needs to work safely.")
    state = models.CharField(max_length=20, choices=ReferralState.choices, default=ReferralState.DRAFT)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    partner_viewed_at = models.DateTimeField(
        null=True, blank=True, help_text="First time the partner opened it: the first disclosure."
    )
    # Gateway to Employment: the officer approves what an employer may be told.
    disclosure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disclosure_approved_at = models.DateTimeField(null=True, blank=True)
    support_contacts = models.TextField(blank=True, help_text="Who the employer can call for support.")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "submitted_at"])]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.service}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


class ReferralTransition(models.Model):
    """One step of a referral's life: who moved it, when, from what to what, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=ReferralState.choices)
    to_state = models.CharField(max_length=20, choices=ReferralState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class ReferralUpdate(models.Model):
    """A progress note from the partner, visible to the officer."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="updates")
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class DisclosedConviction(models.Model):
    """A conviction the officer lists for an employment referral; employers see it only while unspent."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="convictions")
    offence_category = models.CharField(max_length=40)
    sentence_type = models.CharField(max_length=40)
    convicted_on = models.DateField()
    length_months = models.PositiveSmallIntegerField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    serious_offence = models.BooleanField(default=False)
    spent_on = models.DateField(null=True, blank=True, help_text="Computed with the ROA table; empty = never spent.")

    class Meta:
        ordering = ["-convicted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.offence_category} ({self.convicted_on.year})"


class Placement(models.Model):
    """A Gateway candidate: an employment referral matched by a coordinator to one employer's opportunity."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="placements")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="placements")
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField(auto_now_add=True)
    # Denormalised from the events so lists and metrics need no per-row work.
    started_on = models.DateField(null=True, blank=True)
    sustained_13_on = models.DateField(null=True, blank=True)
    sustained_26_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-matched_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "opportunity"], name="placement_once_per_opportunity")
        ]

    def __str__(self) -> str:
        return f"Placement {self.pk}: {self.opportunity}"


class PlacementEventKind(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    OFFER = "offer", "Offer made"
    STARTED = "started", "Placement started"
    SUSTAINED_13 = "sustained_13", "Sustained 13 weeks"
    SUSTAINED_26 = "sustained_26", "Sustained 26 weeks"
    ENDED = "ended", "Placement ended"


class InterviewOutcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class PlacementEvent(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=PlacementEventKind.choices)
    occurred_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=InterviewOutcome.choices, blank=True)
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind"], condition=~Q(kind="interview"), name="placement_event_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"
