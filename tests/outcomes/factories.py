"""factory-boy factories for the programme catalogue, interventions and offence records (Faker en_GB).

Factories build data in a given state; tests of the rules themselves go through ``outcomes.services``.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from iom.models import OrganisationType
from outcomes import models
from tests.iom.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory


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


def _proven_on(record) -> datetime.date | None:
    """A conviction or caution is proved four weeks after the offence unless a test says otherwise."""
    if record.outcome in models.PROVEN_OUTCOMES:
        return record.offence_date + datetime.timedelta(days=28)
    return None


class OffenceRecordFactory(DjangoModelFactory):
    """A caution by default; ``conviction=True`` for a community order, ``custody=True`` for a custodial
    sentence (give ``release_date``), ``outcome=OffenceOutcome.NONE`` or ``PENDING`` for an unproven record.

    Goes through ``save()``, so the stored index, follow-up and waiting dates are the model's own."""

    class Meta:
        model = models.OffenceRecord

    class Params:
        conviction = factory.Trait(outcome=models.OffenceOutcome.CONVICTION)
        custody = factory.Trait(outcome=models.OffenceOutcome.CONVICTION, disposal=models.Disposal.CUSTODY)

    record_id = factory.Sequence(lambda n: f"REC-{n:06d}")
    person = factory.SubFactory(PersonFactory)
    offence_date = factory.Faker(
        "date_between_dates",
        date_start=datetime.date(2016, 1, 1),
        date_end=datetime.date(2019, 12, 31),
        locale="en_GB",
    )
    offence_category = models.OffenceCategory.OTHER_THEFT
    outcome = models.OffenceOutcome.CAUTION
    outcome_date = factory.LazyAttribute(_proven_on)
    disposal = factory.LazyAttribute(
        lambda record: models.Disposal.COMMUNITY if record.outcome == models.OffenceOutcome.CONVICTION else None
    )
    release_date = None
