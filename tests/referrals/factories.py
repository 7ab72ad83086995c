"""factory-boy factories for consent, referrals and Gateway placements (Faker en_GB).

Factories build data in a given state; tests of the workflow itself go through ``referrals.services``.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from iom.models import Role
from partners.models import ServiceType
from referrals import models
from tests.iom.factories import CaseFactory, UserFactory
from tests.partners.factories import OpportunityFactory, ServiceFactory


class ConsentFactory(DjangoModelFactory):
    """Consent scoped to a type of service by default (``scope_organisation=...`` with ``scope_service_type=""``)."""

    class Meta:
        model = models.Consent

    person = factory.SubFactory("tests.iom.factories.PersonFactory")
    scope_organisation = None
    scope_service_type = ServiceType.HOUSING
    shared_information = factory.Faker("sentence", locale="en_GB")
    method = models.ConsentMethod.WRITTEN
    given_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    recorded_by = factory.SubFactory(UserFactory)


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = models.Referral

    case = factory.SubFactory(CaseFactory)
    service = factory.SubFactory(ServiceFactory)
    reason = factory.Faker("sentence", locale="en_GB")
    shared_information = factory.Faker("sentence", locale="en_GB")
    risk_summary = factory.Faker("sentence", locale="en_GB")
    state = models.ReferralState.DRAFT
    created_by = factory.LazyAttribute(lambda referral: referral.case.lead_officer or UserFactory())
    submitted_at = factory.LazyAttribute(
        lambda referral: None if referral.state == models.ReferralState.DRAFT else timezone.now()
    )


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = models.Placement
        skip_postgeneration_save = True

    referral = factory.SubFactory(
        ReferralFactory,
        state=models.ReferralState.ACCEPTED,
        service__service_type=ServiceType.EMPLOYMENT,
        disclosure_approved_at=factory.LazyFunction(timezone.now),
    )
    opportunity = factory.SubFactory(OpportunityFactory)
    matched_by = factory.SubFactory(UserFactory, role=Role.SCHEME_COORDINATOR)

    @factory.post_generation
    def matched_at(self, create, extracted, **kwargs):
        """``matched_at`` is set on insert; pass ``matched_at=<datetime>`` to backdate a match."""
        if create and extracted:
            models.Placement.objects.filter(pk=self.pk).update(matched_at=extracted)
            self.matched_at = extracted


class PlacementEventFactory(DjangoModelFactory):
    """An event row as stored; tests of the rules for recording events go through the service."""

    class Meta:
        model = models.PlacementEvent

    placement = factory.SubFactory(PlacementFactory)
    kind = models.PlacementEventKind.INTERVIEW
    occurred_on = factory.LazyFunction(timezone.localdate)
    outcome = factory.LazyAttribute(
        lambda event: models.InterviewOutcome.SUCCESSFUL if event.kind == models.PlacementEventKind.INTERVIEW else ""
    )
    recorded_by = factory.SubFactory(UserFactory, role=Role.EMPLOYER)
