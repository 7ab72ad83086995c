"""The Gateway pages' world on top of the shared cast (tests/conftest.py), for tests/web/gateway/ and
tests/web/portal/ only: each folder's conftest.py imports these fixtures, because some share a name with
tests/referrals/fixtures.py (``gateway_service``) and must not reach the other page tests.

- ``gateway_service`` is Gateway to Employment, run by the coordinator's OPCC.
- ``anglia`` is the ``employer`` user's Anglia Care Homes (care sector) with an open ``opportunity``;
  ``employer2`` works for Broads Logistics (``broads``), which has its own open ``opportunity2``.
- ``gateway`` walks referrals through the services, each step by the person entitled to it:
  ``gateway.placement(opportunity)`` gives a candidate the employer can see (consented, accepted, disclosure
  approved, matched).
- ``dylan`` is the person of ``case``, renamed so tests can look for his surname, date of birth and PNC ID.
- The partner rows come from the ``Gateway*Factory`` factories in tests/partners/factories.py.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from iom.models import District, OrganisationType, Role
from partners.models import Opportunity, OpportunityType, Sector
from referrals import services
from referrals.models import Placement, Referral, ReferralState
from tests.iom import factories
from tests.partners.factories import GatewayEmployerFactory, GatewayOpportunityFactory, GatewayServiceFactory

SUPPORT = "Sam Carter, Norwich IOM, 01603 000000"


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def gateway_service(coordinator):
    return GatewayServiceFactory(organisation=coordinator.organisation)


@pytest.fixture
def anglia(employer):
    return GatewayEmployerFactory(organisation=employer.organisation, sector=Sector.CARE)


@pytest.fixture
def employer2(db):
    org = factories.OrganisationFactory(name="Broads Logistics", type=OrganisationType.EMPLOYER)
    return factories.UserFactory(username="employer2", role=Role.EMPLOYER, organisation=org)


@pytest.fixture
def broads(employer2):
    return GatewayEmployerFactory(organisation=employer2.organisation, sector=Sector.LOGISTICS)


@pytest.fixture
def opportunity(anglia, coordinator):
    return GatewayOpportunityFactory(employer=anglia, title="Care assistant", created_by=coordinator)


@pytest.fixture
def opportunity2(broads, coordinator):
    return GatewayOpportunityFactory(
        employer=broads, title="Warehouse operative", district=District.BROADLAND, created_by=coordinator
    )


@dataclass
class Gateway:
    officer: object
    coordinator: object
    service: object
    team: object

    def case(self, **person):
        return factories.CaseFactory(
            team=self.team, lead_officer=self.officer, person=factories.PersonFactory(**person)
        )

    def referral(self, case=None, *, to_state: str = ReferralState.ACCEPTED, approve: bool = True) -> Referral:
        """An employment referral with Gateway consent, moved to ``to_state`` and (optionally) with the
        officer's approved disclosure: one unspent conviction and one long spent."""
        case = case or self.case()
        services.consent_record(
            acting_user=self.officer,
            person=case.person,
            shared_information="Name, the role and unspent convictions",
            method="written",
            given_on=today() - datetime.timedelta(days=300),
            scope_service_type="employment",
        )
        referral = services.referral_create(
            acting_user=self.officer,
            case=case,
            service=self.service,
            reason="Ready for work after a construction course",
            shared_information="First name, skills and unspent convictions",
        )
        path = {
            ReferralState.DRAFT: [],
            ReferralState.SUBMITTED: [ReferralState.SUBMITTED],
            ReferralState.ACCEPTED: [ReferralState.SUBMITTED, ReferralState.ACCEPTED],
            ReferralState.IN_PROGRESS: [ReferralState.SUBMITTED, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS],
        }[to_state]
        for state in path:
            actor = self.officer if state == ReferralState.SUBMITTED else self.coordinator
            services.referral_transition(acting_user=actor, referral=referral, to_state=state)
        if approve:
            self.approve(referral)
        return referral

    def approve(self, referral: Referral) -> None:
        born = referral.case.person.date_of_birth
        services.referral_approve_disclosure(
            acting_user=self.officer,
            referral=referral,
            convictions=[
                {
                    "offence_category": "shoplifting",
                    "sentence_type": "community_order",
                    "convicted_on": today() - datetime.timedelta(days=200),
                    "length_months": 24,
                },
                {
                    "offence_category": "criminal_damage",
                    "sentence_type": "conditional_discharge",
                    "convicted_on": datetime.date(born.year + 18, 6, 1),
                    "length_months": 12,
                },
            ],
            support_contacts=SUPPORT,
        )

    def placement(
        self, opportunity: Opportunity, case=None, *, matched_days_ago: int = 0, approve: bool = True
    ) -> Placement:
        referral = self.referral(case, approve=approve)
        placement = services.placement_match(acting_user=self.coordinator, referral=referral, opportunity=opportunity)
        if matched_days_ago:
            # Matched in the past, so the employer may date a start (and its sustainment) back that far.
            Placement.objects.filter(pk=placement.pk).update(
                matched_at=timezone.now() - datetime.timedelta(days=matched_days_ago)
            )
            placement.refresh_from_db()
        return placement

    def started(self, opportunity: Opportunity, *, days_ago: int, employer_user, case=None) -> Placement:
        placement = self.placement(opportunity, case, matched_days_ago=days_ago + 10)
        services.placement_record_event(
            acting_user=employer_user,
            placement=placement,
            kind="started",
            occurred_on=today() - datetime.timedelta(days=days_ago),
        )
        return placement


@pytest.fixture
def gateway(officer, coordinator, gateway_service, norwich) -> Gateway:
    return Gateway(officer=officer, coordinator=coordinator, service=gateway_service, team=norwich)


@pytest.fixture
def dylan(case):
    person = case.person
    person.first_name = "Dylan"
    person.last_name = "Thacker"
    person.date_of_birth = datetime.date(1990, 5, 17)
    person.save()
    return person


@pytest.fixture
def candidate(gateway, case, dylan, opportunity, officer):
    """Dylan, matched to Anglia's care assistant job 200 days ago, with a case note the employer must not see."""
    factories.NoteFactory(case=case, author=officer, text="Confidential: lives with his brother in Lakenham")
    return gateway.placement(opportunity, case, matched_days_ago=200)


@pytest.fixture
def volunteering(anglia, coordinator):
    return GatewayOpportunityFactory(
        employer=anglia, title="Charity shop volunteer", opportunity_type=OpportunityType.VOLUNTEERING
    )
