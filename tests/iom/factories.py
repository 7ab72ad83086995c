"""factory-boy factories for the IOM core (Faker en_GB)."""

import datetime
import itertools

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from iom import models
from iom.pnc import make_pnc_id

PASSWORD = "correct-horse-battery-staple"
_pnc_numbers = itertools.count(1)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = models.OrganisationType.POLICE


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = models.Scheme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Scheme {n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = models.Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    scheme = factory.SubFactory(SchemeFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    role = models.Role.IOM_OFFICER
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class FlagFactory(DjangoModelFactory):
    class Meta:
        model = models.Flag
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"flag-{n}")
    name = factory.Sequence(lambda n: f"Flag {n}")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = models.Person

    pnc_id = factory.LazyFunction(lambda: make_pnc_id(2010, 5_000_000 + next(_pnc_numbers)))
    crn = None
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=60)
    gender = models.Gender.MALE
    ethnicity = models.Ethnicity.WHITE
    district = models.District.NORWICH
    risk_of_serious_harm = models.RiskOfSeriousHarm.MEDIUM


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = models.Case

    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = models.Cohort
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"cohort-{n}")
    name = factory.Sequence(lambda n: f"Cohort {n}")
    scheme = factory.SubFactory(SchemeFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = models.Membership

    person = factory.SubFactory(PersonFactory)
    cohort = factory.SubFactory(CohortFactory)
    adopted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = models.Action

    case = factory.SubFactory(CaseFactory)
    description = factory.Faker("sentence", locale="en_GB")
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = models.CaseNote

    case = factory.SubFactory(CaseFactory)
    note_type = models.NoteType.CONTACT
    occurred_on = factory.LazyFunction(timezone.localdate)
    text = factory.Faker("paragraph", locale="en_GB")
    author = factory.SubFactory(UserFactory)


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = models.PathwayAssessment

    case = factory.SubFactory(CaseFactory)
    pathway = models.Pathway.ACCOMMODATION
    need_level = models.NeedLevel.HIGH
    rag = models.Rag.RED
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    assessed_by = factory.SubFactory(UserFactory)
