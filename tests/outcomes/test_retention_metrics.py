"""Erasure leaves every published figure for past periods as it was, to the digit (docs/retention.md).

A population measured in 2017 to 2019, in two cohorts, some placed with Gateway employers, is read through every
metric endpoint of the API (reoffending with its breakdowns, the quarterly series, pre/post adoption, the Gateway
figures and funnel, the Plan scorecard, JSON and CSV); then several people are disposed of through the retention
review, among them cohort members with index offences, a Gateway starter, a person born on 29 February whose age
band on their index date differs from their age band today, and a person whose two index events on one day are
told apart by their source keys alone; then everything is read again and compared. Only ``data_as_of`` may move:
erasure changes the people it erases.
"""

import datetime

import pytest
from django.utils import timezone

from iom.models import CaseStatus, Ethnicity, Gender, Person
from outcomes.models import OffenceRecord, RetentionSchedule
from outcomes.services.retention import retention_dispose, retention_schedules_refresh
from partners.models import OpportunityType, ServiceType
from referrals.models import Placement, Referral, ReferralState
from tests.iom import factories
from tests.outcomes.factories import OffenceRecordFactory
from tests.partners.factories import EmployerFactory, OpportunityFactory, PledgeFactory, ServiceFactory
from tests.referrals.factories import PlacementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ENDPOINTS = [
    "/api/v1/metrics/reoffending/?index_from=2017-01-01&index_to=2019-12-31&as_of=2022-06-30",
    "/api/v1/metrics/reoffending/?index_from=2017-01-01&index_to=2019-12-31&as_of=2022-06-30&cohort=fixed",
    "/api/v1/metrics/reoffending/?index_from=2018-01-01&index_to=2018-12-31&as_of=2020-06-30&cohort=flex",
    "/api/v1/metrics/reoffending/quarterly/?from_quarter=2017Q1&to_quarter=2019Q4&as_of=2022-06-30",
    "/api/v1/metrics/reoffending/quarterly/?from_quarter=2017Q1&to_quarter=2019Q4&as_of=2022-06-30&cohort=fixed",
    "/api/v1/metrics/pre-post/?cohort=fixed&as_of=2022-06-30",
    "/api/v1/metrics/pre-post/?cohort=flex&as_of=2022-06-30",
    "/api/v1/metrics/gateway/",
    "/api/v1/metrics/gateway/?from=2018-04-01&to=2019-03-31",
    "/api/v1/plan/",
]
CSV_ENDPOINTS = [
    "/api/v1/metrics/reoffending/?index_from=2017-01-01&index_to=2019-12-31&as_of=2022-06-30&format=csv",
    "/api/v1/metrics/pre-post/?cohort=fixed&as_of=2022-06-30&format=csv",
    "/gateway/figures.csv",
]
GENDERS = [Gender.MALE, Gender.FEMALE, None, Gender.UNKNOWN]
ETHNICITIES = [Ethnicity.WHITE, Ethnicity.ASIAN, Ethnicity.BLACK, Ethnicity.MIXED]
DISTRICTS = ["norwich", "broadland", "great_yarmouth"]
CATEGORIES = ["shoplifting", "other_theft", "criminal_damage"]
AGES = [17, 21, 29, 41, 55]  # on the index date: every band
PEOPLE = 50
ERASED = [1, 3, 5, 8, 13, 20, 27, 34, 40]  # all group 3, last seen in 2020 at the latest


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _born(age: int, on: datetime.date, n: int) -> datetime.date:
    """A birthday ``age`` years before ``on``, on the day itself or a little before (so the band is exact)."""
    return D(on.year - age, on.month, min(on.day, 28)) - datetime.timedelta(days=n % 3)


@pytest.fixture
def population(norwich, officer, cohort, coordinator):
    flex = factories.CohortFactory(slug="flex", name="Flex", scheme=cohort.scheme)
    employer = EmployerFactory()
    PledgeFactory(employer=employer, recorded_by=coordinator)
    job = OpportunityFactory(employer=employer, opportunity_type=OpportunityType.JOB, created_by=coordinator)
    volunteering = OpportunityFactory(
        employer=EmployerFactory(), opportunity_type=OpportunityType.VOLUNTEERING, created_by=coordinator
    )
    gateway = ServiceFactory(service_type=ServiceType.EMPLOYMENT)
    people = []
    for n in range(PEOPLE):
        offence_on = D(2017, 1, 10) + datetime.timedelta(days=19 * n)
        index_on = offence_on + datetime.timedelta(days=28)  # the factory proves a caution four weeks on
        person = factories.PersonFactory(
            first_name=f"Measured{n:02d}",
            last_name=f"Person{n:02d}",
            date_of_birth=_born(AGES[n % len(AGES)], index_on, n),
            gender=GENDERS[n % 4],
            ethnicity=ETHNICITIES[(n // 4) % 4],
            district=DISTRICTS[n % 3],
        )
        serious = n % 11 == 0  # never among ERASED: a group 2 person is not due yet
        OffenceRecordFactory(
            record_id=f"IDX-{n:03d}",
            person=person,
            offence_date=offence_on,
            offence_category="violence_with_injury" if serious else CATEGORIES[n % 3],
        )
        OffenceRecordFactory(
            record_id=f"PRE-{n:03d}", person=person, offence_date=offence_on - datetime.timedelta(days=200)
        )
        if n % 3 == 0:  # a proven reoffence in the follow-up year
            OffenceRecordFactory(
                record_id=f"RE-{n:03d}",
                person=person,
                conviction=True,
                offence_date=index_on + datetime.timedelta(days=60),
            )
        if n % 5 == 0:  # a breach, never a reoffence
            OffenceRecordFactory(
                record_id=f"BR-{n:03d}",
                person=person,
                offence_category="breach",
                offence_date=index_on + datetime.timedelta(days=30),
            )
        if n % 7 == 0:  # a custodial sentence served before the index event
            OffenceRecordFactory(
                record_id=f"CU-{n:03d}",
                person=person,
                custody=True,
                offence_date=offence_on - datetime.timedelta(days=400),
                outcome_date=offence_on - datetime.timedelta(days=380),
                release_date=offence_on - datetime.timedelta(days=100),
            )
        factories.MembershipFactory(
            person=person,
            cohort=cohort if n % 2 == 0 else flex,
            adopted_on=D(2016, 6, 1) + datetime.timedelta(days=n),
            exited_on=D(2019, 12, 31),
            exit_reason="Left the area",
        )
        case = factories.CaseFactory(
            person=person,
            team=norwich,
            lead_officer=officer,
            status=CaseStatus.CLOSED,
            opened_on=D(2016, 6, 1),
            closed_on=D(2020, 1, 31),
        )
        factories.NoteFactory(case=case, author=officer, occurred_on=D(2019, 6, 1), text=f"Saw Measured{n:02d}")
        if n % 4 == 1:  # a Gateway starter, sustained, long finished
            placement = PlacementFactory(
                referral__case=case,
                referral__service=gateway,
                referral__state=ReferralState.COMPLETED,
                opportunity=job if n % 8 == 1 else volunteering,
                matched_by=coordinator,
                started_on=D(2018, 5, 1) + datetime.timedelta(days=n),
                sustained_13_on=D(2018, 8, 1) + datetime.timedelta(days=n),
                ended_on=D(2019, 5, 1),
            )
            Placement.objects.filter(pk=placement.pk).update(matched_at=moment(D(2018, 4, 1)))
        people.append(person)
    # Born on 29 February: 17 on the index day, 18 the day after; 34 and in another band by the day of erasure.
    leap = factories.PersonFactory(first_name="Leap", last_name="Day", date_of_birth=D(2000, 2, 29), gender=Gender.MALE)
    OffenceRecordFactory(record_id="LEAP-1", person=leap, offence_date=D(2018, 1, 31))  # proved 2018-02-28
    # Two index events on one day, told apart only by their keys: the smaller key (other theft) is the index offence.
    tie = factories.PersonFactory(first_name="Tie", last_name="Break", date_of_birth=D(1990, 5, 5))
    OffenceRecordFactory(record_id="TIE-B", person=tie, offence_date=D(2018, 4, 2), offence_category="shoplifting")
    OffenceRecordFactory(record_id="TIE-A", person=tie, offence_date=D(2018, 4, 2), offence_category="other_theft")
    for person in (leap, tie):
        factories.MembershipFactory(
            person=person, cohort=cohort, adopted_on=D(2017, 3, 1), exited_on=D(2019, 3, 1), exit_reason="Exited"
        )
    Referral.objects.update(created_at=moment(D(2018, 3, 1)))  # the referrals were made then, not today
    return [*people, leap, tie]


def _read(client) -> dict[str, object]:
    bodies: dict[str, object] = {}
    for url in ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        body.pop("data_as_of", None)
        bodies[url] = body
    for url in CSV_ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    return bodies


def test_every_published_figure_for_past_periods_is_the_same_after_erasure(population, manager, client):
    client.force_login(manager)
    before = _read(client)
    # The figures are real: people measured, reoffenders found, ages in every band, employers counted.
    overall = before[ENDPOINTS[0]]
    assert overall["measurable"] >= 40 and overall["reoffenders"] > 5 and overall["suppressed"] is False
    assert {cell["value"] for cell in overall["breakdowns"]["age_band"] if not cell["suppressed"]} >= {
        "under_18",
        "18_24",
        "25_34",
        "35_49",
        "50_plus",
    }
    assert before[ENDPOINTS[7]]["employers_with_placement_started"] == 1

    retention_schedules_refresh()
    erased = [population[n] for n in ERASED] + population[-2:]
    assert all(RetentionSchedule.objects.get(person=p).next_review_on <= timezone.localdate() for p in erased)
    for person in erased:
        retention_dispose(acting_user=manager, person=person)
    assert Person.objects.filter(erased_at__isnull=False).count() == len(erased)
    assert not Person.objects.filter(pk__in=[p.pk for p in erased], date_of_birth__isnull=False).exists()

    after = _read(client)
    for url in before:
        assert after[url] == before[url], url


def test_the_comparison_would_see_a_band_taken_on_the_wrong_day(population, manager, client):
    """The control: had erasure kept the age band on the day of erasure, the figures would move."""
    client.force_login(manager)
    url = ENDPOINTS[0]
    before = client.get(url).json()["breakdowns"]["age_band"]
    movers = population[:10]
    OffenceRecord.objects.filter(person__in=movers).update(index_age_band="50_plus")
    Person.objects.filter(pk__in=[p.pk for p in movers]).update(date_of_birth=None, erased_at=timezone.now())
    assert client.get(url).json()["breakdowns"]["age_band"] != before
