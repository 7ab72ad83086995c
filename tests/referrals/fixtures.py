"""The Gateway and referrals world on top of the shared cast (tests/conftest.py), for the referrals tests only:
tests/referrals/, tests/web/referrals/ and tests/api/referrals/ each import these fixtures in their conftest.py,
because some override or share a name with fixtures elsewhere (``person``, ``gateway_service``).

- ``person`` (of ``case``, Norwich, led by ``officer``) is renamed Dylan Thacker, born 17 May 1990, so tests can
  look for leaks of his surname, date of birth and PNC ID.
- ``housing_service`` belongs to ``partner``'s Broadland Housing and needs consent; ``other_partner`` works for
  Flagship Housing, which has its own service.
- ``gateway_service`` is the Gateway to Employment service run by the coordinator's OPCC.
- Employer A is the ``employer`` user's Anglia Care Homes; employer B is Broads Logistics with its own user
  ``employer_b``. Each has one open opportunity.
- ``move(referral, *states)`` walks a referral through the services, each step by the actor entitled to it.
"""

import datetime

import pytest
from django.utils import timezone

from iom.models import OrganisationType, Role, User
from partners.models import OpportunityType, ServiceType
from referrals import services
from referrals.models import Placement, Referral, ReferralState
from referrals.services.referrals import REFERRER_MOVES
from tests.iom import factories
from tests.partners.factories import EmployerFactory, OpportunityFactory, ServiceFactory
from tests.referrals.factories import ConsentFactory

S = ReferralState


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def person(case):
    person = case.person
    person.first_name = "Dylan"
    person.last_name = "Thacker"
    person.date_of_birth = datetime.date(1990, 5, 17)
    person.save()
    return person


@pytest.fixture
def housing_service(partner):
    return ServiceFactory(
        organisation=partner.organisation,
        name="Tenancy sustainment",
        service_type=ServiceType.HOUSING,
        consent_required=True,
    )


@pytest.fixture
def other_partner(db):
    flagship = factories.OrganisationFactory(name="Flagship Housing", type=OrganisationType.HOUSING)
    return factories.UserFactory(username="flagship", role=Role.PARTNER_CASEWORKER, organisation=flagship)


@pytest.fixture
def other_housing_service(other_partner):
    return ServiceFactory(organisation=other_partner.organisation, name="Flagship floating support")


@pytest.fixture
def gateway_service(coordinator):
    return ServiceFactory(
        organisation=coordinator.organisation,
        name="Gateway to Employment",
        service_type=ServiceType.EMPLOYMENT,
        consent_required=True,
    )


@pytest.fixture
def employer_a(employer):
    return EmployerFactory(organisation=employer.organisation)


@pytest.fixture
def employer_b_user(db):
    org = factories.OrganisationFactory(name="Broads Logistics", type=OrganisationType.EMPLOYER)
    return factories.UserFactory(username="employer_b", role=Role.EMPLOYER, organisation=org)


@pytest.fixture
def employer_b(employer_b_user):
    return EmployerFactory(organisation=employer_b_user.organisation)


@pytest.fixture
def opportunity_a(employer_a, coordinator):
    return OpportunityFactory(
        employer=employer_a, title="Care assistant", opportunity_type=OpportunityType.JOB, created_by=coordinator
    )


@pytest.fixture
def opportunity_b(employer_b, coordinator):
    return OpportunityFactory(
        employer=employer_b, title="Warehouse operative", opportunity_type=OpportunityType.JOB, created_by=coordinator
    )


@pytest.fixture
def housing_consent(person, partner, officer):
    """Consent to share with Broadland Housing (scoped to the organisation)."""
    return ConsentFactory(
        person=person, scope_organisation=partner.organisation, scope_service_type="", recorded_by=officer
    )


@pytest.fixture
def gateway_consent(person, officer):
    """Consent for Gateway to Employment: scoped to the employment service type."""
    return ConsentFactory(person=person, scope_service_type=ServiceType.EMPLOYMENT, recorded_by=officer)


@pytest.fixture
def move(officer):
    """Walk a referral through ``states`` with the services: the officer submits and withdraws, a user of the
    receiving organisation does the rest."""

    def _move(referral: Referral, *states: str, reason: str = "Recorded in the test") -> Referral:
        for state in states:
            if state in REFERRER_MOVES:
                actor = officer
            else:
                actor = (
                    User.objects.filter(
                        organisation_id=referral.service.organisation_id,
                        role__in=[Role.PARTNER_CASEWORKER, Role.SCHEME_COORDINATOR],
                    )
                    .order_by("pk")
                    .first()
                )
            referral = services.referral_transition(acting_user=actor, referral=referral, to_state=state, reason=reason)
        return referral

    return _move


@pytest.fixture
def draft_referral(officer, case, person):
    """A draft referral factory through the service: ``draft_referral(service)``."""

    def _draft(service, **kwargs) -> Referral:
        values = {
            "reason": "At risk of losing his tenancy after rent arrears",
            "shared_information": "Name, date of birth, current address and the arrears",
            "risk_summary": "No risk to lone workers known",
            **kwargs,
        }
        return services.referral_create(acting_user=officer, case=case, service=service, **values)

    return _draft


@pytest.fixture
def housing_referral(draft_referral, housing_service):
    return draft_referral(housing_service)


@pytest.fixture
def submitted_housing_referral(housing_referral, housing_consent, move):
    return move(housing_referral, S.SUBMITTED)


@pytest.fixture
def gateway_referral(draft_referral, gateway_service, gateway_consent, move):
    """An accepted Gateway to Employment referral, covered by the Gateway consent."""
    referral = draft_referral(
        gateway_service,
        reason="Ready for work; completed a care certificate in custody",
        shared_information="First name, skills and the disclosure the officer approves",
    )
    return move(referral, S.SUBMITTED, S.ACCEPTED)


def custody_last_year() -> dict:
    """Two years' custody that ended last year: unspent for another four years (category and year shown)."""
    ended = today().replace(year=today().year - 1, month=3, day=31)
    return {
        "offence_category": "domestic_burglary",
        "sentence_type": "custody",
        "convicted_on": ended.replace(year=ended.year - 2, day=1),
        "length_months": 24,
        "ends_on": ended,
    }


def fine_three_years_ago() -> dict:
    """A fine from three years ago: spent a year after conviction, so never shown to an employer."""
    return {
        "offence_category": "shoplifting",
        "sentence_type": "fine",
        "convicted_on": today() - datetime.timedelta(days=3 * 365),
    }


@pytest.fixture
def approve_disclosure(officer):
    def _approve(referral: Referral, convictions=None) -> Referral:
        return services.referral_approve_disclosure(
            acting_user=officer,
            referral=referral,
            convictions=[custody_last_year()] if convictions is None else convictions,
            support_contacts="PC Jo Hart, Norwich IOM, 01603 000000",
        )

    return _approve


@pytest.fixture
def placement_a(gateway_referral, approve_disclosure, opportunity_a, coordinator):
    """Employer A's candidate: matched by the coordinator, disclosure approved by the officer."""
    approve_disclosure(gateway_referral)
    return services.placement_match(acting_user=coordinator, referral=gateway_referral, opportunity=opportunity_a)


@pytest.fixture
def backdate_match():
    """Move a placement's match date back, so events can be dated weeks or months ago."""

    def _backdate(placement, days: int):
        matched_at = timezone.now() - datetime.timedelta(days=days)
        Placement.objects.filter(pk=placement.pk).update(matched_at=matched_at)
        placement.refresh_from_db()
        return placement

    return _backdate
