"""outcomes.selectors.plan: the seeded Plan, the status rules at their boundaries, computed values and trends."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iom.models import OrganisationType
from outcomes import financial_years, metrics
from outcomes.models import MeasureKind, MeasureSource, MeasureUnit, OffenceRecord, PlanMeasure, PlanObjective
from outcomes.selectors import plan_framework, plan_scorecard
from outcomes.selectors.plan import MeasureStatus, measure_status
from partners.models import OpportunityType
from referrals import selectors as referral_selectors
from tests.iom import factories
from tests.outcomes.plan_support import (
    AFTER_THE_PLAN,
    SEEDED_CODES,
    enter,
    fake_reoffending,
    make_measure,
    seeded,
)
from tests.partners.factories import EmployerFactory, OpportunityFactory
from tests.referrals.factories import PlacementFactory

pytestmark = pytest.mark.django_db

MET, ON_TRACK, OFF_TRACK, NO_DATA = (
    MeasureStatus.MET,
    MeasureStatus.ON_TRACK,
    MeasureStatus.OFF_TRACK,
    MeasureStatus.NO_DATA,
)


@pytest.fixture(autouse=True)
def reoffending_calls(monkeypatch):
    return fake_reoffending(monkeypatch, {})


def _measure(scorecard: dict, code: str) -> dict:
    return next(m for o in scorecard["objectives"] for m in o["measures"] if m["code"] == code)


# --- The seeded Plan ---------------------------------------------------------------------------------------------


def test_the_migration_seeds_the_plans_nine_policing_measures_and_the_gateway_line():
    measures = {m.code: m for m in PlanMeasure.objects.select_related("objective")}
    assert sorted(measures) == sorted(SEEDED_CODES)
    assert PlanObjective.objects.count() == 4
    expected = {
        "priority-crime": (MeasureKind.REDUCE_BY_PCT, MeasureUnit.COUNT, Decimal(18)),
        "serious-sexual-offence-detection-rate": (MeasureKind.REACH_RATE, MeasureUnit.PERCENT, Decimal(35)),
        "serious-violence-detection-rate": (MeasureKind.REACH_RATE, MeasureUnit.PERCENT, Decimal(68)),
        "ksi-road-collisions": (MeasureKind.AT_MOST, MeasureUnit.COUNT, Decimal(320)),
        "public-satisfaction": (MeasureKind.REACH_RATE, MeasureUnit.PERCENT, Decimal(80)),
        "asb-incidents": (MeasureKind.REDUCE_BY_PCT, MeasureUnit.COUNT, Decimal(40)),
        "domestic-abuse-detection-rate": (MeasureKind.REACH_RATE, MeasureUnit.PERCENT, Decimal(55)),
        "prolific-offender-reoffending": (MeasureKind.REDUCE, MeasureUnit.PERCENT, None),
        "night-time-economy-violent-and-sexual-crime": (MeasureKind.REDUCE, MeasureUnit.COUNT, None),
        "gateway-employers": (MeasureKind.AT_LEAST, MeasureUnit.COUNT, Decimal(100)),
    }
    for code, (kind, unit, target) in expected.items():
        measure = measures[code]
        assert (measure.kind, measure.unit, measure.target) == (kind, unit, target), code
        assert measure.period_from == 2013, code  # 2013/14, the Plan's first year
        assert measure.baseline is None, code  # docs/metrics.md gives no baseline figures
    policing = [m for code, m in measures.items() if code != "gateway-employers"]
    assert {financial_years.end(m.period_to) for m in policing} == {datetime.date(2016, 3, 31)}
    assert financial_years.end(measures["gateway-employers"].period_to) == datetime.date(2017, 3, 31)
    assert measures["prolific-offender-reoffending"].computed == MeasureSource.IOM_REOFFENDING
    assert measures["gateway-employers"].computed == MeasureSource.GATEWAY_EMPLOYERS
    assert [m.code for m in policing if m.computed] == ["prolific-offender-reoffending"]
    assert measures["prolific-offender-reoffending"].objective.title == (
        "Reduce reoffending of the most prolific offenders"
    )


def test_the_seed_migration_reverses_and_seeds_again_without_duplicates(manager):
    seed_plan = importlib.import_module("outcomes.migrations.0005_seed_plan")
    enter(seeded("ksi-road-collisions"), manager, y2013=341)
    seed_plan.unseed(django_apps, None)
    assert not PlanMeasure.objects.exists()
    assert not PlanObjective.objects.exists()
    seed_plan.seed(django_apps, None)
    seed_plan.seed(django_apps, None)  # safe to run again
    assert sorted(PlanMeasure.objects.values_list("code", flat=True)) == sorted(SEEDED_CODES)
    assert PlanObjective.objects.count() == 4


def test_the_scorecard_lists_every_objective_and_its_measures_in_order(manager):
    scorecard = plan_scorecard(user=manager, today=AFTER_THE_PLAN)
    assert [o["position"] for o in scorecard["objectives"]] == [1, 2, 3, 4]
    assert sum(len(o["measures"]) for o in scorecard["objectives"]) == 10
    assert scorecard["periods"] == [2013, 2014, 2015, 2016]
    assert scorecard["as_of"] == AFTER_THE_PLAN


# --- Financial years ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2016, 3, 31), 2015),
        (datetime.date(2016, 4, 1), 2016),
        (datetime.date(2017, 1, 1), 2016),
    ],
)
def test_a_financial_year_runs_from_1_april_to_31_march(day, year):
    assert financial_years.of(day) == year
    assert financial_years.start(year) <= day <= financial_years.end(year)


@pytest.mark.parametrize("text", ["2015-16", "2015/16", " 2015-16 "])
def test_financial_years_are_read_in_either_spelling(text):
    assert financial_years.parse(text) == 2015
    assert (financial_years.label(2015), financial_years.code(2015)) == ("2015/16", "2015-16")


@pytest.mark.parametrize("text", ["2015", "2015-17", "2015/2016", "1999-00", "abcd-ef", ""])
def test_anything_else_is_not_a_financial_year(text):
    assert financial_years.parse(text) is None


def test_the_year_ending_in_a_new_century_is_written_with_two_digits():
    assert financial_years.code(2099) == "2099-00"
    assert financial_years.parse("2099-00") == 2099


# --- Status rules ------------------------------------------------------------------------------------------------


def _status(kind, values, *, target=None, baseline=None, ended=False):
    as_decimals = [Decimal(str(v)) for v in values]
    return measure_status(
        kind=kind,
        target=None if target is None else Decimal(str(target)),
        baseline=None if baseline is None else Decimal(str(baseline)),
        values=as_decimals,
        ended=ended,
    )


@pytest.mark.parametrize(
    ("values", "ended", "expected"),
    [
        ([820], True, MET),  # exactly 18% down on 1,000
        ([819], True, MET),
        ([821], True, OFF_TRACK),  # 17.9% down, and the measure has ended
        ([821], False, ON_TRACK),  # down on the baseline, not yet 18%, time left
        ([900, 850], False, ON_TRACK),
        ([850, 900], False, OFF_TRACK),  # going the wrong way
        ([850, 850], False, OFF_TRACK),  # level is not moving the right way
        ([1000], False, OFF_TRACK),
        ([], False, NO_DATA),
    ],
)
def test_reduce_by_pct_is_met_at_exactly_the_target_reduction(values, ended, expected):
    assert _status(MeasureKind.REDUCE_BY_PCT, values, target=18, baseline=1000, ended=ended) == expected


def test_reduce_by_pct_without_a_baseline_has_no_data():
    assert _status(MeasureKind.REDUCE_BY_PCT, [500], target=18, baseline=None) == NO_DATA


def test_reduce_by_pct_is_exact_where_floating_point_would_not_be():
    # 29.7 is exactly 10% down on 33; as floats, (33 - 29.7) / 33 * 100 is 9.99999...
    assert _status(MeasureKind.REDUCE_BY_PCT, ["29.7"], target=10, baseline=33, ended=True) == MET


@pytest.mark.parametrize(
    ("values", "ended", "expected"),
    [
        ([35], True, MET),
        (["35.01"], True, MET),
        (["34.99"], True, OFF_TRACK),
        ([30, "34.99"], False, ON_TRACK),
        ([36, "34.99"], False, OFF_TRACK),
        (["34.99"], False, OFF_TRACK),  # one value, no baseline: nothing shows it moving the right way
        ([], True, NO_DATA),
    ],
)
def test_reach_rate_is_met_at_the_rate(values, ended, expected):
    assert _status(MeasureKind.REACH_RATE, values, target=35, ended=ended) == expected


def test_reach_rate_compares_a_first_value_with_the_baseline_when_there_is_one():
    assert _status(MeasureKind.REACH_RATE, [33], target=35, baseline=30) == ON_TRACK
    assert _status(MeasureKind.REACH_RATE, [28], target=35, baseline=30) == OFF_TRACK


@pytest.mark.parametrize(
    ("values", "ended", "expected"),
    [
        ([320], True, MET),
        ([319], True, MET),
        ([321], True, OFF_TRACK),
        ([340, 321], False, ON_TRACK),
        ([300, 321], False, OFF_TRACK),
        ([300, 321], True, OFF_TRACK),
    ],
)
def test_at_most_is_met_at_the_number(values, ended, expected):
    assert _status(MeasureKind.AT_MOST, values, target=320, ended=ended) == expected


@pytest.mark.parametrize(
    ("values", "ended", "expected"),
    [
        ([100], True, MET),
        ([101], False, MET),
        ([99], True, OFF_TRACK),
        ([60, 99], False, ON_TRACK),
        ([99, 99], False, OFF_TRACK),
    ],
)
def test_at_least_is_met_at_the_number(values, ended, expected):
    assert _status(MeasureKind.AT_LEAST, values, target=100, ended=ended) == expected


@pytest.mark.parametrize(
    ("values", "ended", "expected"),
    [
        (["49.99"], True, MET),
        ([50], True, OFF_TRACK),  # equal to the baseline is not reduced
        ([50], False, OFF_TRACK),
        ([55, 51], False, ON_TRACK),  # still above the baseline but coming down, with time left
        ([55, 51], True, OFF_TRACK),
        ([], False, NO_DATA),
    ],
)
def test_reduce_is_met_strictly_below_the_baseline(values, ended, expected):
    assert _status(MeasureKind.REDUCE, values, baseline=50, ended=ended) == expected


def test_reduce_without_a_baseline_has_no_data():
    assert _status(MeasureKind.REDUCE, [40, 30], baseline=None) == NO_DATA


# --- The scorecard from entered actuals ---------------------------------------------------------------------------


def test_entered_actuals_give_the_values_latest_change_and_status(manager):
    asb = seeded("asb-incidents")
    PlanMeasure.objects.filter(pk=asb.pk).update(baseline=Decimal(30000))
    enter(asb, manager, y2013=26000, y2014=19000)
    measure = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), "asb-incidents")
    assert [(p["period"], p["value"], p["source"]) for p in measure["actuals"]] == [
        (2013, Decimal(26000), "entered"),
        (2014, Decimal(19000), "entered"),
        (2015, None, None),
    ]
    assert measure["latest"] == {"period": 2014, "value": Decimal(19000)}
    assert measure["change_from_baseline_pct"] == Decimal("-36.7")
    assert (measure["baseline"], measure["baseline_source"], measure["baseline_period"]) == (
        Decimal(30000),
        "entered",
        2012,
    )
    assert measure["ended"] is True
    assert measure["status"] == OFF_TRACK  # 36.7% down, not 40%, and the Plan has ended


def test_a_measure_with_time_left_is_on_track_while_it_improves(manager):
    measure = make_measure(kind=MeasureKind.AT_MOST, target=Decimal(100), period_from=2024, period_to=2027)
    enter(measure, manager, y2024=130, y2025=115)
    today = datetime.date(2026, 1, 15)  # in 2025/26
    score = _measure(plan_scorecard(user=manager, today=today), measure.code)
    assert [p["period"] for p in score["actuals"]] == [2024, 2025]  # years not yet started are not listed
    assert (score["ended"], score["status"]) == (False, ON_TRACK)
    PlanMeasure.objects.filter(pk=measure.pk).update(period_to=2025)
    score = _measure(plan_scorecard(user=manager, today=datetime.date(2026, 4, 1)), measure.code)
    assert (score["ended"], score["status"]) == (True, OFF_TRACK)


def test_a_measure_whose_first_year_has_not_started_has_no_data(manager):
    measure = make_measure(period_from=2030, period_to=2031)
    score = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), measure.code)
    assert (score["actuals"], score["latest"], score["status"]) == ([], None, NO_DATA)


# --- Computed sources ----------------------------------------------------------------------------------------------


def test_reoffending_is_the_binary_rate_of_each_years_index_window_as_a_per_cent(manager, monkeypatch):
    calls = fake_reoffending(monkeypatch, {2012: 0.4512, 2013: 0.4235, 2014: None, 2015: 0.3987})
    measure = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), "prolific-offender-reoffending")
    assert [(p["period"], p["value"], p["source"]) for p in measure["actuals"]] == [
        (2013, Decimal("42.35"), "computed"),
        (2014, None, None),  # suppressed or not yet measurable: no data
        (2015, Decimal("39.87"), "computed"),
    ]
    assert (measure["baseline"], measure["baseline_source"]) == (Decimal("45.12"), "computed")
    assert measure["status"] == MET  # 39.87% is below the 2012/13 baseline of 45.12%
    first = next(call for call in calls if call["index_from"] == datetime.date(2013, 4, 1))
    assert first == {
        "index_from": datetime.date(2013, 4, 1),
        "index_to": datetime.date(2014, 3, 31),
        "as_of": AFTER_THE_PLAN,
        "cohort": None,
        "with_breakdowns": False,
    }


def test_an_entered_baseline_wins_over_the_computed_one(manager, monkeypatch):
    fake_reoffending(monkeypatch, {2012: 0.30, 2013: 0.35, 2014: 0.36, 2015: 0.37})
    PlanMeasure.objects.filter(code="prolific-offender-reoffending").update(baseline=Decimal("40.00"))
    measure = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), "prolific-offender-reoffending")
    assert (measure["baseline"], measure["baseline_source"], measure["status"]) == (Decimal(40), "entered", MET)


def test_reoffending_without_any_measurable_year_has_no_data(manager):
    measure = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), "prolific-offender-reoffending")
    assert measure["status"] == NO_DATA
    assert all(point["value"] is None for point in measure["actuals"])


def test_a_reoffending_measure_of_a_cohort_asks_for_that_cohort(manager, cohort, monkeypatch):
    calls = fake_reoffending(monkeypatch, {2013: 0.5})
    measure = make_measure(
        kind=MeasureKind.REDUCE,
        unit=MeasureUnit.PERCENT,
        target=None,
        computed=MeasureSource.IOM_REOFFENDING,
        cohort=cohort,
        period_from=2013,
        period_to=2013,
    )
    score = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), measure.code)
    assert score["cohort"] == "fixed"
    assert score["actuals"][0]["value"] == Decimal(50)
    assert {call["cohort"] for call in calls if call["cohort"] is not None} == {cohort}


def _placement_started(employer, on, kind=OpportunityType.JOB):
    return PlacementFactory(opportunity=OpportunityFactory(employer=employer, opportunity_type=kind), started_on=on)


def _employer(name):
    return EmployerFactory(organisation=factories.OrganisationFactory(name=name, type=OrganisationType.EMPLOYER))


def test_gateway_employers_are_counted_cumulatively_to_each_years_end(manager):
    anglia, yare, cromer = _employer("Anglia Care"), _employer("Yare Builders"), _employer("Cromer Crafts")
    _placement_started(anglia, datetime.date(2014, 5, 1))
    _placement_started(anglia, datetime.date(2015, 6, 1))  # the same employer again: still one employer
    _placement_started(yare, datetime.date(2016, 3, 31))  # the last day of 2015/16
    _placement_started(cromer, datetime.date(2016, 4, 1), kind=OpportunityType.VOLUNTEERING)  # not counted
    measure = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), "gateway-employers")
    assert [(p["period"], p["value"]) for p in measure["actuals"]] == [
        (2013, Decimal(0)),
        (2014, Decimal(1)),
        (2015, Decimal(2)),
        (2016, Decimal(2)),
    ]
    assert all(p["source"] == "computed" for p in measure["actuals"])
    assert measure["status"] == OFF_TRACK  # 2 of 100, and the Plan has ended
    all_time = referral_selectors.gateway_figures(date_from=None, date_to=datetime.date(2017, 3, 31))
    assert measure["latest"]["value"] == all_time["employers_with_placement_started"]


def test_the_real_reoffending_metric_feeds_the_scorecard(manager, monkeypatch):
    """End to end through outcomes.metrics.reoffending."""
    monkeypatch.undo()  # this module's fake metric
    window = {"index_from": datetime.date(2013, 4, 1), "index_to": datetime.date(2014, 3, 31)}
    for number in range(10):
        person = factories.PersonFactory()
        # A caution in 2013/14 is the index event; every other person is cautioned again within the year.
        OffenceRecord.objects.create(
            record_id=f"PLAN-{number}-A",
            person=person,
            offence_date=datetime.date(2013, 5, 1),
            offence_category="other_theft",
            outcome="caution",
            outcome_date=datetime.date(2013, 6, 1),
        )
        if number % 2 == 0:
            OffenceRecord.objects.create(
                record_id=f"PLAN-{number}-B",
                person=person,
                offence_date=datetime.date(2013, 9, 1),
                offence_category="shoplifting",
                outcome="caution",
                outcome_date=datetime.date(2013, 10, 1),
            )
    rate = metrics.reoffending(**window, as_of=AFTER_THE_PLAN, with_breakdowns=False)["binary_rate"]
    measure = _measure(plan_scorecard(user=manager, today=AFTER_THE_PLAN), "prolific-offender-reoffending")
    assert rate == 0.5
    assert measure["actuals"][0] == {
        "period": 2013,
        "value": Decimal("50.00"),
        "source": "computed",
        "note": "",
        "version": None,
    }


# --- Queries ------------------------------------------------------------------------------------------------------


def test_the_scorecard_takes_the_same_queries_however_many_measures_and_actuals(manager, django_assert_num_queries):
    with CaptureQueriesContext(connection) as gateway:
        referral_selectors.gateway_figures(date_from=None, date_to=datetime.date(2017, 3, 31))
    gateway_years = 4  # the Gateway line's 2013/14 to 2016/17, each asked once
    expected = 3 + gateway_years * len(gateway.captured_queries)
    with django_assert_num_queries(expected):
        plan_scorecard(user=manager, today=AFTER_THE_PLAN)
    for number in range(12):
        measure = make_measure(code=f"extra-{number}")
        enter(measure, manager, y2013=90, y2014=80, y2015=70)
    make_measure(
        code="gateway-again", kind=MeasureKind.AT_LEAST, computed=MeasureSource.GATEWAY_EMPLOYERS, period_to=2016
    )
    with django_assert_num_queries(expected):
        plan_scorecard(user=manager, today=AFTER_THE_PLAN)
    with django_assert_num_queries(expected):
        plan_framework(user=manager, today=AFTER_THE_PLAN)


def test_each_computed_year_is_asked_once_however_many_measures_share_it(manager, reoffending_calls):
    make_measure(
        code="reoffending-again",
        kind=MeasureKind.REDUCE,
        unit=MeasureUnit.PERCENT,
        target=None,
        computed=MeasureSource.IOM_REOFFENDING,
        baseline_period=2012,
    )
    plan_scorecard(user=manager, today=AFTER_THE_PLAN)
    asked = [call["index_from"].year for call in reoffending_calls]
    assert sorted(asked) == [2012, 2013, 2014, 2015]


# --- The performance framework --------------------------------------------------------------------------------------


def test_the_framework_gives_trends_without_targets_or_status(manager):
    ksi = seeded("ksi-road-collisions")
    enter(ksi, manager, y2013=350, y2015=315)
    framework = plan_framework(user=manager, today=AFTER_THE_PLAN)
    measure = next(m for o in framework["objectives"] for m in o["measures"] if m["code"] == ksi.code)
    assert set(measure) == {"code", "title", "unit", "computed", "cohort", "trend"}
    assert [(p["period"], p["value"], p["change"], p["change_pct"], p["direction"]) for p in measure["trend"]] == [
        (2013, Decimal(350), None, None, None),
        (2014, None, None, None, None),
        (2015, Decimal(315), Decimal(-35), Decimal("-10.0"), "down"),  # from 2013/14, the last year with data
    ]


def test_a_level_year_is_level_and_a_rise_from_zero_has_no_percentage(manager):
    measure = make_measure()
    enter(measure, manager, y2013=0, y2014=0, y2015=4)
    framework = plan_framework(user=manager, today=AFTER_THE_PLAN)
    trend = next(m for o in framework["objectives"] for m in o["measures"] if m["code"] == measure.code)["trend"]
    assert [(p["direction"], p["change_pct"]) for p in trend] == [(None, None), ("level", None), ("up", None)]


# --- Who may read -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "analyst", "admin"])
def test_managers_analysts_and_administrators_read_the_plan(all_roles, role):
    assert plan_scorecard(user=all_roles[role], today=AFTER_THE_PLAN)["objectives"]
    assert plan_framework(user=all_roles[role], today=AFTER_THE_PLAN)["objectives"]


@pytest.mark.parametrize("role", ["officer", "probation", "partner", "coordinator", "employer"])
def test_other_roles_may_not_read_the_plan(all_roles, role):
    with pytest.raises(PermissionDenied):
        plan_scorecard(user=all_roles[role])
    with pytest.raises(PermissionDenied):
        plan_framework(user=all_roles[role])
