"""The Plan's Gateway to Employment figures and funnel (docs/metrics.md "Gateway to Employment figures").

The world, built by hand so every count is known:

| employer | pledge | placements |
|---|---|---|
| A Anglia Care Homes | active | job started 2026-03-10 (sustained 13: 2026-06-09, 26: 2026-09-08); job 2026-06-01 |
| B Broads Logistics | active | interviewed, never started |
| C Wensum Volunteers | lapsed | volunteering started 2026-04-15 |
| D Yare Builders | lapsed, then active | work trial started 2025-11-20 |
| E Bure Bakery | lapsed | none |
| F Cromer Crafts | none | apprenticeship started 2026-02-01, referral withdrawn since |

All time: 3 employers pledged (A, B, D); 3 employers with a counted start (A, D, F; C's volunteering does not
count); 5 placements started; 1 sustained 13 weeks; 1 sustained 26 weeks.
"""

import datetime

import pytest

from iom.models import District, OrganisationType
from partners.models import OpportunityType, Pledge, PledgeStatus, Sector
from referrals.models import PlacementEventKind, ReferralState
from referrals.selectors import gateway_figures, gateway_funnel
from tests.iom import factories
from tests.partners.factories import EmployerFactory, OpportunityFactory, PledgeFactory
from tests.referrals.factories import PlacementEventFactory, PlacementFactory, ReferralFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ALL_TIME = {
    "employers_pledged": 3,
    "employers_with_placement_started": 3,
    "target": 100,
    "placements_started": 5,
    "sustained_13_weeks": 1,
    "sustained_26_weeks": 1,
}
FIGURE_FIELDS = set(ALL_TIME)


def _employer(name: str, sector: str):
    organisation = factories.OrganisationFactory(name=name, type=OrganisationType.EMPLOYER)
    return EmployerFactory(organisation=organisation, sector=sector)


def _placement(employer, kind=OpportunityType.JOB, *, district=District.NORWICH, state=ReferralState.ACCEPTED, **dates):
    opportunity = OpportunityFactory(employer=employer, opportunity_type=kind)
    return PlacementFactory(
        opportunity=opportunity,
        referral__state=state,
        referral__case__person__district=district,
        **dates,
    )


@pytest.fixture
def world(db):
    a = _employer("Anglia Care Homes", Sector.CARE)
    b = _employer("Broads Logistics", Sector.LOGISTICS)
    c = _employer("Wensum Volunteers", Sector.OTHER)
    d = _employer("Yare Builders", Sector.CONSTRUCTION)
    e = _employer("Bure Bakery", Sector.HOSPITALITY)
    f = _employer("Cromer Crafts", Sector.RETAIL)
    _employer("Diss Dairies", Sector.AGRICULTURE)  # registered, nothing else

    PledgeFactory(employer=a)
    PledgeFactory(employer=b)
    PledgeFactory(employer=c, status=PledgeStatus.LAPSED)
    PledgeFactory(employer=d, status=PledgeStatus.LAPSED, signed_on=D(2024, 5, 1))
    PledgeFactory(employer=d, signed_on=D(2025, 5, 1))
    PledgeFactory(employer=e, status=PledgeStatus.LAPSED)

    sustained = _placement(a, started_on=D(2026, 3, 10), sustained_13_on=D(2026, 6, 9), sustained_26_on=D(2026, 9, 8))
    PlacementEventFactory(placement=sustained, kind=PlacementEventKind.INTERVIEW, occurred_on=D(2026, 3, 1))
    _placement(a, started_on=D(2026, 6, 1), district=District.BRECKLAND)
    interviewed = _placement(b, district=District.GREAT_YARMOUTH)
    PlacementEventFactory(placement=interviewed, kind=PlacementEventKind.INTERVIEW, occurred_on=D(2026, 5, 5))
    PlacementEventFactory(placement=interviewed, kind=PlacementEventKind.INTERVIEW, occurred_on=D(2026, 5, 19))
    _placement(c, OpportunityType.VOLUNTEERING, started_on=D(2026, 4, 15))
    _placement(d, OpportunityType.WORK_TRIAL, started_on=D(2025, 11, 20), district=District.BRECKLAND)
    _placement(f, OpportunityType.APPRENTICESHIP, started_on=D(2026, 2, 1), state=ReferralState.WITHDRAWN)

    # Referred but not matched; and a draft, which is not yet a referral anyone received.
    gateway = sustained.referral.service
    ReferralFactory(service=gateway, state=ReferralState.SUBMITTED, case__person__district=District.NORWICH)
    ReferralFactory(service=gateway, state=ReferralState.DRAFT)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_all_time_figures(world):
    assert gateway_figures() == ALL_TIME


def test_an_employer_with_two_started_placements_counts_once(world):
    _placement(world["a"], started_on=D(2026, 7, 1))
    figures = gateway_figures()
    assert figures["employers_with_placement_started"] == 3
    assert figures["placements_started"] == 6


def test_an_employer_with_only_interviews_does_not_count(world):
    _placement(world["b"])
    assert gateway_figures()["employers_with_placement_started"] == 3


def test_a_volunteering_start_is_tracked_but_does_not_count_the_employer(world):
    _placement(world["e"], OpportunityType.VOLUNTEERING, started_on=D(2026, 8, 1))
    figures = gateway_figures()
    assert figures["employers_with_placement_started"] == 3
    assert figures["placements_started"] == 6


@pytest.mark.parametrize(
    "kind", [OpportunityType.JOB, OpportunityType.APPRENTICESHIP, OpportunityType.WORK_TRIAL, OpportunityType.PLACEMENT]
)
def test_every_other_type_of_start_counts_the_employer(world, kind):
    _placement(world["e"], kind, started_on=D(2026, 8, 1))
    assert gateway_figures()["employers_with_placement_started"] == 4


def test_a_lapsed_pledge_is_not_counted(world):
    Pledge.objects.filter(employer=world["b"]).update(status=PledgeStatus.LAPSED)
    assert gateway_figures()["employers_pledged"] == 2


# (from, to) -> (employers_with_placement_started, placements_started, sustained_13_weeks, sustained_26_weeks)
WINDOWS = [
    (D(2026, 1, 1), D(2026, 6, 30), (2, 4, 1, 0)),  # A twice, C, F; A's 13 weeks on 9 June
    (D(2026, 6, 1), None, (1, 1, 1, 1)),  # A's second start; the sustainments of its first
    (None, D(2025, 12, 31), (1, 1, 0, 0)),  # D's work trial
    (D(2026, 6, 1), D(2026, 6, 1), (1, 1, 0, 0)),  # both bounds inclusive
    (D(2026, 4, 15), D(2026, 4, 15), (0, 1, 0, 0)),  # C's volunteering: a start, not a counted employer
    (D(2027, 1, 1), None, (0, 0, 0, 0)),
]


@pytest.mark.parametrize(("date_from", "date_to", "expected"), WINDOWS)
def test_from_and_to_bound_the_event_dates_inclusively(world, date_from, date_to, expected):
    names = ("employers_with_placement_started", "placements_started", "sustained_13_weeks", "sustained_26_weeks")
    figures = gateway_figures(date_from=date_from, date_to=date_to)
    # employers_pledged (active pledges now) and the target do not depend on the window.
    assert figures == {**ALL_TIME, **dict(zip(names, expected, strict=True))}


def test_figures_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        gateway_figures(date_from=D(2026, 1, 1), date_to=D(2026, 12, 31))


# --- The API -----------------------------------------------------------------------------------------------------

URL = "/api/v1/metrics/gateway/"


@pytest.mark.parametrize("role", ["coordinator", "manager", "outsider_manager", "analyst", "admin"])
def test_figure_readers_get_exactly_the_selectors_figures(world, all_roles, api_as, role):
    client = api_as(all_roles[role])
    response = client.get(URL)
    assert response.status_code == 200, response.content
    assert response.json() == gateway_figures() == ALL_TIME
    windowed = client.get(URL, {"from": "2026-01-01", "to": "2026-06-30"})
    assert windowed.status_code == 200
    assert windowed.json() == gateway_figures(date_from=D(2026, 1, 1), date_to=D(2026, 6, 30))
    assert set(windowed.json()) == FIGURE_FIELDS


@pytest.mark.parametrize("role", ["officer", "officer2", "probation", "partner", "employer"])
def test_other_roles_are_refused_with_403_and_no_figures(world, all_roles, api_as, role):
    response = api_as(all_roles[role]).get(URL)
    assert response.status_code == 403
    assert not FIGURE_FIELDS & set(response.json())


def test_anonymous_gets_401(world, api):
    response = api.get(URL)
    assert response.status_code == 401
    assert not FIGURE_FIELDS & set(response.json())


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-07-01", "to": "2026-06-30"}, "to"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "01/06/2026"}, "from"),
        ({"since": "2026-01-01"}, "since"),
        ({"employer": "1"}, "employer"),
    ],
)
def test_bad_or_unknown_parameters_are_400_with_field_errors(world, analyst, api_as, query, field):
    response = api_as(analyst).get(URL, query)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_the_endpoint_takes_a_fixed_number_of_queries(world, analyst, api_as, django_assert_max_num_queries):
    client = api_as(analyst)
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"from": "2026-01-01"}).status_code == 200


# --- The funnel ----------------------------------------------------------------------------------------------------


def test_the_funnel_counts_people_at_each_stage(world):
    assert gateway_funnel() == [
        {
            "group": None,
            "referred": 7,
            "matched": 6,
            "interviewed": 2,
            "started": 5,
            "sustained_13_weeks": 1,
            "sustained_26_weeks": 1,
        }
    ]


def test_one_person_matched_twice_is_counted_once(world):
    first = PlacementFactory._meta.model.objects.filter(started_on=D(2026, 3, 10)).get()
    PlacementFactory(referral=first.referral, opportunity=OpportunityFactory(employer=world["b"]))
    assert gateway_funnel()[0]["matched"] == 6


def test_the_funnel_by_district(world):
    rows = {row["group"]: row for row in gateway_funnel(by="district")}
    assert set(rows) == {District.NORWICH, District.BRECKLAND, District.GREAT_YARMOUTH}
    assert {key: (row["referred"], row["matched"], row["started"]) for key, row in rows.items()} == {
        District.NORWICH: (4, 3, 3),  # A sustained, C, F matched and started; one referred only
        District.BRECKLAND: (2, 2, 2),  # A's second start, D
        District.GREAT_YARMOUTH: (1, 1, 0),  # B, interviewed only
    }
    assert rows[District.GREAT_YARMOUTH]["interviewed"] == 1
    assert sum(row["referred"] for row in rows.values()) == 7


def test_the_funnel_by_sector(world):
    rows = {row["group"]: row for row in gateway_funnel(by="sector")}
    assert {key: (row["matched"], row["started"], row["sustained_26_weeks"]) for key, row in rows.items()} == {
        Sector.CARE: (2, 2, 1),
        Sector.LOGISTICS: (1, 0, 0),
        Sector.OTHER: (1, 1, 0),
        Sector.CONSTRUCTION: (1, 1, 0),
        Sector.RETAIL: (1, 1, 0),
    }
