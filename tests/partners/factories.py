"""factory-boy factories for partner services, Gateway employers, pledges and opportunities (Faker en_GB)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from iom.models import District, OrganisationType, Role
from partners import models
from tests.iom.factories import OrganisationFactory, UserFactory


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


# --- The Gateway pages' world (tests/web/gateway_fixtures.py) ----------------------------------------------------
# The Gateway to Employment service run by the OPCC, small employers with sequence names and open two-position
# jobs, each found again rather than duplicated (get_or_create). Consent, referrals and placements are built
# through the services (see ``tests.web.gateway_fixtures.Gateway``), so their state is always one the service
# could have produced. Fields the defaults above fill with Faker but these leave to the model are set to the
# model's default, so the pages see exactly the rows they saw before the two modules were one.


class GatewayServiceFactory(ServiceFactory):
    class Meta:
        django_get_or_create = ("organisation", "name")

    organisation = factory.SubFactory(OrganisationFactory, type=OrganisationType.OPCC)
    name = "Gateway to Employment"
    service_type = models.ServiceType.EMPLOYMENT
    eligibility = ""


class GatewayEmployerFactory(EmployerFactory):
    class Meta:
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(
        OrganisationFactory,
        name=factory.Sequence(lambda n: f"Gateway Employer {n} Ltd"),
        type=OrganisationType.EMPLOYER,
    )
    size = models.EmployerSize.SMALL
    contact_email = ""
    contact_phone = ""


class GatewayPledgeFactory(PledgeFactory):
    employer = factory.SubFactory(GatewayEmployerFactory)
    recorded_by = factory.SubFactory(UserFactory)


class GatewayOpportunityFactory(OpportunityFactory):
    employer = factory.SubFactory(GatewayEmployerFactory)
    title = factory.Sequence(lambda n: f"Care assistant {n}")
    positions = 2
    created_by = factory.SubFactory(UserFactory)
