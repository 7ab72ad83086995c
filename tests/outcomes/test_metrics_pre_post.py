"""Pre/post adoption (docs/metrics.md "Pre/post adoption", "Metric API", "Dates, rounding and small numbers"),
hand-computed. Every test runs against the implementation and against the plain-Python reference.

Most members are adopted on 2020-03-01, docs/metrics.md's example: *before* runs 2019-03-01..2020-02-29 with
outcomes by 2020-08-29 (six months after 2020-02-29), *after* 2020-03-01..2021-02-28 with outcomes by
2021-08-28, and eighteen months after adoption is 2021-09-01, the ``as_of`` of most tests.
"""

import datetime

import pytest

from outcomes.metrics.pre_post import ensure_adoption_windows
from outcomes.models import AdoptionWindow, CrimeUnitCost, OffenceCategory, OffenceOutcome
from tests.iom.factories import CohortFactory, MembershipFactory, PersonFactory
from tests.outcomes import reference_metrics as reference
from tests.outcomes.factories import OffenceRecordFactory

pytestmark = pytest.mark.django_db

date = datetime.date
ADOPTED = date(2020, 3, 1)
EARLY = date(2019, 1, 1)  # eligible from 2020-07-01
AS_OF = date(2021, 9, 1)
SUPPRESSED = {
    "members": None,
    "offences_before": None,
    "offences_after": None,
    "change_pct": None,
    "cost_before": None,
    "cost_after": None,
    "cost_change": None,
    "uncosted_offences": None,
    "by_category": None,
    "suppressed": True,
}


def member(cohort, adopted_on: datetime.date = ADOPTED, exited_on: datetime.date | None = None):
    person = PersonFactory()
    MembershipFactory(
        person=person,
        cohort=cohort,
        adopted_on=adopted_on,
        exited_on=exited_on,
        exit_reason="Exited at panel" if exited_on else "",
    )
    return person


def members(cohort, n: int = 5, adopted_on: datetime.date = ADOPTED) -> list:
    return [member(cohort, adopted_on) for _ in range(n)]


def offence(
    person,
    on: datetime.date,
    category: str = OffenceCategory.CRIMINAL_DAMAGE,
    proven_on: datetime.date | None = None,
    **fields,
):
    """A caution (unless ``fields`` say otherwise) for an offence on ``on``, given four weeks later."""
    if proven_on is not None:
        fields["outcome_date"] = proven_on
    return OffenceRecordFactory(person=person, offence_date=on, offence_category=category, **fields)


def report(engine, cohort, as_of: datetime.date = AS_OF):
    return engine.pre_post(cohort=cohort, as_of=as_of)


def before_after(result) -> tuple:
    return result["offences_before"], result["offences_after"]


def test_the_report_counts_and_costs_offences_before_and_after_adoption(engine, cohort):
    ann, bob, cy, di, ed = members(cohort)
    offence(ann, date(2019, 6, 1), OffenceCategory.DOMESTIC_BURGLARY)
    offence(ann, date(2019, 9, 1), OffenceCategory.DOMESTIC_BURGLARY)
    offence(bob, date(2019, 12, 1), OffenceCategory.SHOPLIFTING)
    offence(ann, date(2020, 6, 1), OffenceCategory.ROBBERY, outcome=OffenceOutcome.CONVICTION)
    offence(cy, date(2020, 9, 1), OffenceCategory.SHOPLIFTING)
    offence(di, date(2020, 7, 1), OffenceCategory.BREACH)
    offence(ed, date(2020, 8, 1), OffenceCategory.ROBBERY, outcome=OffenceOutcome.PENDING)

    result = report(engine, cohort)

    expected = {
        "members": 5,
        "offences_before": 3,
        "offences_after": 2,
        "change_pct": -33.3,
        "cost_before": 11860,  # 2 x 5,930
        "cost_after": 11320,
        "cost_change": -540,
        "uncosted_offences": 2,
        "by_category": [
            {"category": "robbery", "before": 0, "after": 1, "cost_before": 0, "cost_after": 11320},
            {"category": "domestic_burglary", "before": 2, "after": 0, "cost_before": 11860, "cost_after": 0},
            {"category": "shoplifting", "before": 1, "after": 1, "cost_before": None, "cost_after": None},
        ],
        "suppressed": False,
    }
    assert {key: result[key] for key in expected} == expected


def test_members_without_offences_count_and_give_zero_figures(engine, cohort):
    members(cohort)

    result = report(engine, cohort)

    assert result["members"] == 5
    assert before_after(result) == (0, 0)
    assert result["change_pct"] is None
    assert (result["cost_before"], result["cost_after"], result["cost_change"]) == (0, 0, 0)
    assert result["uncosted_offences"] == 0
    assert result["by_category"] == []
    assert result["suppressed"] is False


# --- Members ---------------------------------------------------------------------------------------------------


def test_only_a_persons_first_adoption_counts_and_only_once(engine, cohort):
    """Adopted 2019-01-01, exited, adopted again 2020-03-01: the windows are the first adoption's."""
    person = member(cohort, adopted_on=date(2019, 1, 1), exited_on=date(2019, 6, 30))
    MembershipFactory(person=person, cohort=cohort, adopted_on=ADOPTED)
    offence(person, date(2018, 6, 1))  # before the first adoption
    offence(person, date(2018, 7, 1))  # before the first adoption
    offence(person, date(2019, 9, 1))  # after the first, before the second
    offence(person, date(2020, 6, 1))  # after the second only
    members(cohort, 4, adopted_on=EARLY)

    result = report(engine, cohort)

    assert result["members"] == 5
    assert before_after(result) == (2, 1)  # by the second adoption it would be (1, 1)


def test_a_member_adopted_exactly_eighteen_months_before_as_of_is_counted(engine, cohort):
    member(cohort, adopted_on=ADOPTED)
    members(cohort, 5, adopted_on=EARLY)

    assert report(engine, cohort, as_of=date(2021, 9, 1))["members"] == 6


def test_a_member_adopted_a_day_less_than_eighteen_months_before_as_of_is_not_counted(engine, cohort):
    subject = member(cohort, adopted_on=ADOPTED)
    offence(subject, date(2020, 5, 1))
    members(cohort, 5, adopted_on=EARLY)

    result = report(engine, cohort, as_of=date(2021, 8, 31))

    assert result["members"] == 5
    assert before_after(result) == (0, 0)


def test_eighteen_months_after_31_august_is_the_end_of_february(engine, cohort):
    member(cohort, adopted_on=date(2019, 8, 31))  # eighteen months on: 2021-02-28
    members(cohort, 5, adopted_on=EARLY)

    assert report(engine, cohort, as_of=date(2021, 2, 28))["members"] == 6
    assert report(engine, cohort, as_of=date(2021, 2, 27))["members"] == 5


def test_members_of_another_cohort_are_not_counted(engine, cohort):
    outsider = member(CohortFactory(slug="flex", name="Flex"))
    offence(outsider, date(2019, 6, 1))
    offence(outsider, date(2020, 6, 1))
    members(cohort)

    result = report(engine, cohort)

    assert result["members"] == 5
    assert before_after(result) == (0, 0)


def test_an_exit_does_not_shorten_the_after_window(engine, cohort):
    """DESIGN: *after* = "from the adoption date up to the day before one year after it"."""
    person = member(cohort, exited_on=date(2020, 6, 30))
    offence(person, date(2020, 9, 1))
    members(cohort, 4)

    assert before_after(report(engine, cohort)) == (0, 1)


# --- Windows ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offence_on", "expected"),
    [
        (date(2019, 2, 28), (0, 0)),
        (date(2019, 3, 1), (1, 0)),
        (date(2020, 2, 29), (1, 0)),
        (date(2020, 3, 1), (0, 1)),
        (date(2021, 2, 28), (0, 1)),
        (date(2021, 3, 1), (0, 0)),
    ],
    ids=[
        "the-day-before-one-year-before-adoption-is-outside",
        "one-year-before-adoption-is-before",
        "the-day-before-adoption-is-before",
        "the-adoption-date-is-after",
        "the-day-before-one-year-after-adoption-is-after",
        "one-year-after-adoption-is-outside",
    ],
)
def test_an_offence_counts_in_the_window_its_offence_date_falls_in(engine, cohort, offence_on, expected):
    subject, *_ = members(cohort)
    offence(subject, offence_on)

    assert before_after(report(engine, cohort)) == expected


def test_a_before_offence_proven_six_months_after_the_day_before_adoption_counts(engine, cohort):
    subject, *_ = members(cohort)
    offence(subject, date(2019, 6, 1), proven_on=date(2020, 8, 29))

    assert before_after(report(engine, cohort)) == (1, 0)


def test_a_before_offence_proven_a_day_later_does_not_count(engine, cohort):
    subject, *_ = members(cohort)
    offence(subject, date(2019, 6, 1), proven_on=date(2020, 8, 30))

    assert before_after(report(engine, cohort)) == (0, 0)


def test_an_after_offence_proven_on_the_proof_cutoff_counts(engine, cohort):
    """DESIGN's example: adoption 2020-03-01 -> after-window end 2021-02-28 -> proof cutoff 2021-08-28."""
    subject, *_ = members(cohort)
    offence(subject, date(2021, 2, 28), proven_on=date(2021, 8, 28))
    offence(subject, date(2020, 6, 1), proven_on=date(2021, 8, 28))

    assert before_after(report(engine, cohort)) == (0, 2)


def test_an_after_offence_proven_the_day_after_the_proof_cutoff_does_not_count(engine, cohort):
    subject, *_ = members(cohort)
    offence(subject, date(2021, 2, 28), proven_on=date(2021, 8, 29))
    offence(subject, date(2020, 6, 1), proven_on=date(2021, 8, 29))

    assert before_after(report(engine, cohort)) == (0, 0)


def test_a_breach_does_not_count(engine, cohort):
    subject, *_ = members(cohort)
    offence(subject, date(2019, 6, 1), OffenceCategory.BREACH)
    offence(subject, date(2020, 6, 1), OffenceCategory.BREACH, outcome=OffenceOutcome.CONVICTION)

    result = report(engine, cohort)

    assert before_after(result) == (0, 0)
    assert result["by_category"] == []


def test_none_and_pending_outcomes_do_not_count(engine, cohort):
    subject, *_ = members(cohort)
    offence(subject, date(2019, 6, 1), outcome=OffenceOutcome.NONE)
    offence(subject, date(2020, 6, 1), outcome=OffenceOutcome.PENDING)

    result = report(engine, cohort)

    assert before_after(result) == (0, 0)
    assert result["by_category"] == []


def test_convictions_and_cautions_count(engine, cohort):
    subject, *_ = members(cohort)
    offence(subject, date(2019, 6, 1), outcome=OffenceOutcome.CONVICTION)
    offence(subject, date(2019, 7, 1), custody=True, release_date=date(2022, 1, 1))
    offence(subject, date(2020, 6, 1))

    assert before_after(report(engine, cohort)) == (2, 1)


def test_each_member_is_measured_from_their_own_adoption(engine, cohort):
    early, *_ = members(cohort, adopted_on=EARLY)
    late = member(cohort, adopted_on=ADOPTED)
    offence(early, date(2019, 6, 1))  # after for early
    offence(late, date(2019, 6, 1))  # before for late

    assert before_after(report(engine, cohort)) == (1, 1)


# --- Change and costs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "change_pct"),
    [(16, 17, 6.3), (8, 9, 12.5), (3, 5, 66.7), (3, 2, -33.3), (2, 0, -100.0), (0, 2, None), (4, 4, 0.0)],
    ids=["6.25-rounds-up", "12.5", "66.67", "minus-33.33", "minus-100", "null-when-before-is-0", "no-change"],
)
def test_change_pct_is_rounded_half_up_to_one_decimal_place(engine, cohort, before, after, change_pct):
    subject, *_ = members(cohort)
    for day in range(before):
        offence(subject, date(2019, 3, 1) + datetime.timedelta(days=day))
    for day in range(after):
        offence(subject, ADOPTED + datetime.timedelta(days=day))

    result = report(engine, cohort)

    assert before_after(result) == (before, after)
    assert result["change_pct"] == change_pct
    assert (result["cost_before"], result["cost_after"]) == (1350 * before, 1350 * after)
    assert result["cost_change"] == 1350 * (after - before)


def test_the_unit_costs_of_crime_are_seeded_with_designs_defaults(db):
    seeded = {cost.category: cost for cost in CrimeUnitCost.objects.all()}

    assert {category: cost.unit_cost for category, cost in seeded.items()} == reference.UNIT_COSTS
    assert {cost.price_year for cost in seeded.values()} == {"2015/16"}
    assert all("economic and social costs of crime" in cost.source for cost in seeded.values())


def test_costs_are_the_unit_cost_times_the_offences_of_each_category(engine, cohort):
    ann, bob, *_ = members(cohort)
    offence(ann, date(2020, 4, 1), OffenceCategory.HOMICIDE, outcome=OffenceOutcome.CONVICTION)
    offence(bob, date(2019, 4, 1), OffenceCategory.THEFT_FROM_VEHICLE)
    offence(bob, date(2019, 5, 1), OffenceCategory.THEFT_FROM_VEHICLE)
    offence(bob, date(2020, 5, 1), OffenceCategory.VIOLENCE_WITH_INJURY)

    result = report(engine, cohort)

    assert (result["cost_before"], result["cost_after"], result["cost_change"]) == (1740, 3231790, 3230050)
    assert result["by_category"] == [
        {"category": "homicide", "before": 0, "after": 1, "cost_before": 0, "cost_after": 3217740},
        {"category": "violence_with_injury", "before": 0, "after": 1, "cost_before": 0, "cost_after": 14050},
        {"category": "theft_from_vehicle", "before": 2, "after": 0, "cost_before": 1740, "cost_after": 0},
    ]
    assert result["uncosted_offences"] == 0


def test_costs_follow_an_edited_unit_cost(engine, cohort):
    CrimeUnitCost.objects.filter(category=OffenceCategory.ROBBERY).update(unit_cost=12000)
    subject, *_ = members(cohort)
    offence(subject, date(2019, 6, 1), OffenceCategory.ROBBERY)

    result = report(engine, cohort)

    assert result["cost_before"] == 12000
    assert result["by_category"][0]["cost_before"] == 12000


def test_a_category_without_a_unit_cost_is_uncosted(engine, cohort):
    """Uncosted offences are counted, not priced: null costs in by_category, left out of the totals, and
    counted before and after together in uncosted_offences."""
    CrimeUnitCost.objects.filter(category=OffenceCategory.DOMESTIC_BURGLARY).delete()
    subject, *_ = members(cohort)
    offence(subject, date(2019, 6, 1), OffenceCategory.DOMESTIC_BURGLARY)
    offence(subject, date(2019, 7, 1), OffenceCategory.DOMESTIC_BURGLARY)
    offence(subject, date(2020, 6, 1), OffenceCategory.DRUGS)
    offence(subject, date(2020, 7, 1), OffenceCategory.ARSON)

    result = report(engine, cohort)

    assert before_after(result) == (2, 2)
    assert (result["cost_before"], result["cost_after"], result["cost_change"]) == (0, 8420, 8420)
    assert result["uncosted_offences"] == 3
    assert result["by_category"] == [
        {"category": "domestic_burglary", "before": 2, "after": 0, "cost_before": None, "cost_after": None},
        {"category": "arson", "before": 0, "after": 1, "cost_before": 0, "cost_after": 8420},
        {"category": "drugs", "before": 0, "after": 1, "cost_before": None, "cost_after": None},
    ]


def test_by_category_lists_the_categories_that_occur_in_format_order(engine, cohort):
    subject, *_ = members(cohort)
    for category in ("other", "motoring", "fraud", "criminal_damage", "shoplifting", "rape", "homicide"):
        offence(subject, date(2019, 6, 1), category)

    categories = [row["category"] for row in report(engine, cohort)["by_category"]]

    assert categories == ["homicide", "rape", "shoplifting", "criminal_damage", "fraud", "motoring", "other"]


# --- Small numbers ---------------------------------------------------------------------------------------------


def test_fewer_than_five_members_suppress_every_figure(engine, cohort):
    """Four eligible members; three more adopted too recently to count towards five."""
    subject, *_ = members(cohort, 4)
    offence(subject, date(2019, 6, 1))
    offence(subject, date(2020, 6, 1))
    members(cohort, 3, adopted_on=date(2020, 6, 1))

    result = report(engine, cohort)

    assert {key: result[key] for key in SUPPRESSED} == SUPPRESSED


def test_five_members_show_the_figures(engine, cohort):
    subject, *_ = members(cohort, 5)
    offence(subject, date(2019, 6, 1))

    result = report(engine, cohort)

    assert (result["members"], result["suppressed"]) == (5, False)
    assert before_after(result) == (1, 0)
    assert result["change_pct"] == -100.0


def test_adoption_windows_are_stored_once_per_date_not_per_member(db):
    cohort = CohortFactory(slug="windows")
    for _ in range(6):
        MembershipFactory(cohort=cohort, adopted_on=datetime.date(2020, 3, 1))
    MembershipFactory(cohort=cohort, adopted_on=datetime.date(2020, 2, 29))
    ensure_adoption_windows(cohort=cohort)
    ensure_adoption_windows(cohort=cohort)
    windows = {window.adopted_on: window for window in AdoptionWindow.objects.all()}
    assert set(windows) == {datetime.date(2020, 3, 1), datetime.date(2020, 2, 29)}
    march = windows[datetime.date(2020, 3, 1)]
    # docs/metrics.md's example: adoption 2020-03-01, after-window end 2021-02-28, proof cutoff 2021-08-28.
    assert (march.after_until, march.after_cutoff) == (datetime.date(2021, 3, 1), datetime.date(2021, 8, 28))
    assert (march.before_from, march.before_cutoff) == (datetime.date(2019, 3, 1), datetime.date(2020, 8, 29))
    assert march.measurable_on == datetime.date(2021, 9, 1)
