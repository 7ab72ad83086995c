"""factory-boy factories for the programme catalogue and interventions (Faker en_GB).

Factories build data in a given state; tests of the rules themselves go through ``outcomes.services``.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from iom.models import OrganisationType
from outcomes import models
from tests.factories import CaseFactory, OrganisationFactory, UserFactory


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = models.Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    provider = factory.SubFactory(OrganisationFactory, type=OrganisationType.SUBSTANCE_MISUSE)
    programme_type = models.ProgrammeType.DRUG_TREATMENT
    active = True


class InterventionFactory(DjangoModelFactory):
    class Meta:
        model = models.Intervention

    case = factory.SubFactory(CaseFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    provider = factory.SelfAttribute("programme.provider")
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    sessions_planned = 12
    sessions_attended = 5
    outcome = models.InterventionOutcome.ONGOING
    recorded_by = factory.LazyAttribute(lambda intervention: intervention.case.lead_officer or UserFactory())
