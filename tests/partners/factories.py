"""factory-boy factories for partner services, Gateway employers, pledges and opportunities (Faker en_GB)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from iom.models import District, OrganisationType, Role
from partners import models
from tests.factories import OrganisationFactory, UserFactory


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = models.Service

    organisation = factory.SubFactory(OrganisationFactory, type=OrganisationType.HOUSING)
    name = factory.Sequence(lambda n: f"Partner service {n}")
    service_type = models.ServiceType.HOUSING
    eligibility = factory.Faker("sentence", locale="en_GB")
    consent_required = True
    active = True


class EmployerFactory(DjangoModelFactory):
    """An employer-type organisation registered for Gateway to Employment."""

    class Meta:
        model = models.Employer

    organisation = factory.SubFactory(
        OrganisationFactory,
        name=factory.Faker("company", locale="en_GB"),
        type=OrganisationType.EMPLOYER,
    )
    sector = models.Sector.CARE
    size = models.EmployerSize.MEDIUM
    districts = factory.LazyFunction(lambda: [District.NORWICH])
    contact_name = factory.Faker("name", locale="en_GB")
    contact_email = factory.Faker("company_email", locale="en_GB")
    contact_phone = factory.Faker("phone_number", locale="en_GB")


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = models.Pledge

    employer = factory.SubFactory(EmployerFactory)
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    signed_by = factory.Faker("name", locale="en_GB")
    opportunities_pledged = 2
    commitments = factory.LazyFunction(lambda: [models.Commitment.GUARANTEED_INTERVIEW])
    status = models.PledgeStatus.ACTIVE
    recorded_by = factory.SubFactory(UserFactory, role=Role.SCHEME_COORDINATOR)


class OpportunityFactory(DjangoModelFactory):
    class Meta:
        model = models.Opportunity

    employer = factory.SubFactory(EmployerFactory)
    opportunity_type = models.OpportunityType.JOB
    title = factory.Faker("job", locale="en_GB")
    district = District.NORWICH
    hours_per_week = 30
    positions = 1
    status = models.OpportunityStatus.OPEN
    created_by = factory.SubFactory(UserFactory, role=Role.SCHEME_COORDINATOR)
