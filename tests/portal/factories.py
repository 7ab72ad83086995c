"""factory-boy factories for the Gateway pages' tests: partner services, employers, pledges and opportunities.

Consent, referrals and placements are built through the services (see ``conftest.Gateway``), so their state is
always one the service could have produced.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from iom.models import District, OrganisationType
from partners import models
from tests.factories import OrganisationFactory, UserFactory


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = models.Service
        django_get_or_create = ("organisation", "name")

    organisation = factory.SubFactory(OrganisationFactory, type=OrganisationType.OPCC)
    name = "Gateway to Employment"
    service_type = models.ServiceType.EMPLOYMENT
    consent_required = True


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = models.Employer
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(
        OrganisationFactory,
        name=factory.Sequence(lambda n: f"Gateway Employer {n} Ltd"),
        type=OrganisationType.EMPLOYER,
    )
    sector = models.Sector.CARE
    size = models.EmployerSize.SMALL
    districts = factory.LazyFunction(lambda: [District.NORWICH])
    contact_name = factory.Faker("name", locale="en_GB")


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = models.Pledge

    employer = factory.SubFactory(EmployerFactory)
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    signed_by = factory.Faker("name", locale="en_GB")
    opportunities_pledged = 2
    commitments = factory.LazyFunction(lambda: [models.Commitment.GUARANTEED_INTERVIEW])
    recorded_by = factory.SubFactory(UserFactory)


class OpportunityFactory(DjangoModelFactory):
    class Meta:
        model = models.Opportunity

    employer = factory.SubFactory(EmployerFactory)
    opportunity_type = models.OpportunityType.JOB
    title = factory.Sequence(lambda n: f"Care assistant {n}")
    district = District.NORWICH
    hours_per_week = 30
    positions = 2
    created_by = factory.SubFactory(UserFactory)
