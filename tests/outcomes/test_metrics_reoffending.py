"""Proven reoffending (docs/metrics.md "Proven reoffending", "Metric API", "Dates, rounding and small numbers"),
hand-computed: each test builds a few people and checks one rule at its boundary.

Every test runs twice, against the implementation (``outcomes.metrics.reoffending``) and against the
plain-Python reference (tests/outcomes/reference_metrics.py), so the expectations check the reference too.

Most tests measure index year 2018 on 2021-01-01, after every 2018 waiting end (the latest is 2020-06-30),
and add a *crowd* of measurable people who do not reoffend, so the person under test sits in an unsuppressed
figure (five or more measurable people).
"""

import datetime
import json

import pytest

from iom.models import Ethnicity, Gender
from outcomes.models import Disposal, OffenceCategory, OffenceOutcome
from tests.iom.factories import CohortFactory, MembershipFactory, PersonFactory
from tests.outcomes.factories import OffenceRecordFactory

pytestmark = pytest.mark.django_db

date = datetime.date
INDEX_FROM, INDEX_TO = date(2018, 1, 1), date(2018, 12, 31)
LATE = date(2021, 1, 1)
INDEXED_ON, CROWD_ON, MID_2018 = date(2018, 1, 15), date(2018, 1, 10), date(2018, 6, 1)
SUPPRESSED_FIGURES = dict.fromkeys(
    (
        "measurable",
        "reoffenders",
        "proven_reoffences",
        "binary_rate",
        "binary_rate_ci95",
        "frequency_per_offender",
        "frequency_per_reoffender",
    )
)


def caution(person, *, proven_on: datetime.date, offence_on: datetime.date | None = None, **fields):
    """A caution given on ``proven_on`` (so an index event that day) for an offence ten days earlier."""
    offence_on = offence_on or proven_on - datetime.timedelta(days=10)
    return OffenceRecordFactory(person=person, offence_date=offence_on, outcome_date=proven_on, **fields)


def reoffence(person, *, offence_on: datetime.date, proven_on: datetime.date | None = None, **fields):
    """A caution for an offence on ``offence_on``, given a week later unless ``proven_on`` says otherwise."""
    proven_on = proven_on or offence_on + datetime.timedelta(days=7)
    return OffenceRecordFactory(person=person, offence_date=offence_on, outcome_date=proven_on, **fields)


def indexed(on: datetime.date = INDEXED_ON, **person_fields):
    """A person whose index event (a caution) falls on ``on``."""
    person = PersonFactory(**person_fields)
    caution(person, proven_on=on)
    return person


def crowd(n: int = 4, on: datetime.date = CROWD_ON, **person_fields) -> list:
    """``n`` people indexed on ``on`` who never reoffend."""
    return [indexed(on, **person_fields) for _ in range(n)]


def measure(engine, **overrides):
    arguments = {"index_from": INDEX_FROM, "index_to": INDEX_TO, "as_of": LATE, **overrides}
    return engine.reoffending(**arguments)


def counts(result) -> tuple:
    return result["measurable"], result["reoffenders"], result["proven_reoffences"]


def values(result, dimension: str) -> list:
    return [cell["value"] for cell in result["breakdowns"][dimension]]


# --- The whole measure ---------------------------------------------------------------------------------------


def test_the_measure_counts_measurable_people_reoffenders_and_proven_reoffences(engine):
    ann = indexed(date(2018, 1, 15))
    reoffence(ann, offence_on=date(2018, 3, 1))
    reoffence(ann, offence_on=date(2018, 7, 1))
    bob = indexed(date(2018, 2, 1))
    reoffence(bob, offence_on=date(2018, 5, 5))
    crowd(3)

    result = measure(engine)

    expected = {
        "index_from": "2018-01-01",
        "index_to": "2018-12-31",
        "as_of": "2021-01-01",
        "cohort": None,
        "people_with_index_event": 5,
        "not_yet_measurable": 0,
        "measurable": 5,
        "reoffenders": 2,
        "proven_reoffences": 3,
        "binary_rate": 0.4,
        "binary_rate_ci95": [0.1176, 0.7693],  # Wilson, z = 1.959964: 0.117621 .. 0.769276
        "frequency_per_offender": 0.6,
        "frequency_per_reoffender": 1.5,
        "suppressed": False,
    }
    assert {key: result[key] for key in expected} == expected


def test_rates_are_json_numbers_counts_are_ints_and_dates_are_iso_strings(engine):
    person = indexed()
    reoffence(person, offence_on=date(2018, 3, 1))
    crowd()

    result = measure(engine)

    json.dumps(result)
    for key in ("people_with_index_event", "not_yet_measurable", "measurable", "reoffenders", "proven_reoffences"):
        assert type(result[key]) is int, key
    for key in ("binary_rate", "frequency_per_offender", "frequency_per_reoffender"):
        assert type(result[key]) is float, key
    assert all(type(bound) is float for bound in result["binary_rate_ci95"])
    assert result["suppressed"] is False
    assert (result["index_from"], result["index_to"], result["as_of"]) == ("2018-01-01", "2018-12-31", "2021-01-01")


def test_rates_are_rounded_half_up_from_exact_counts(engine):
    """1/32 = 0.03125 and 5/32 = 0.15625: half up gives 0.0313 and 0.1563, where round() on a float gives
    0.0312 and 0.1562."""
    person = indexed()
    for month in range(2, 7):
        reoffence(person, offence_on=date(2018, month, 1))
    crowd(31)

    result = measure(engine)

    assert counts(result) == (32, 1, 5)
    assert result["binary_rate"] == 0.0313
    assert result["frequency_per_offender"] == 0.1563
    assert result["frequency_per_reoffender"] == 5.0
    assert result["binary_rate_ci95"] == [0.0055, 0.1574]


def test_frequency_per_reoffender_is_null_when_nobody_reoffends(engine):
    crowd(5)

    result = measure(engine)

    assert counts(result) == (5, 0, 0)
    assert result["binary_rate"] == 0.0
    assert result["binary_rate_ci95"] == [0.0, 0.4345]
    assert result["frequency_per_offender"] == 0.0
    assert result["frequency_per_reoffender"] is None
    assert result["suppressed"] is False


def test_without_breakdowns_there_is_no_breakdowns_key(engine):
    crowd(5)

    assert "breakdowns" not in measure(engine, with_breakdowns=False)
    dimensions = {"gender", "ethnicity", "age_band", "district", "index_offence_category"}
    assert set(measure(engine)["breakdowns"]) == dimensions


# --- Index events ----------------------------------------------------------------------------------------------


def test_index_events_on_the_first_and_last_day_of_the_window_count(engine):
    indexed(date(2018, 1, 1))
    indexed(date(2018, 12, 31))
    indexed(date(2017, 12, 31))
    indexed(date(2019, 1, 1))

    assert measure(engine)["people_with_index_event"] == 2


def test_a_persons_first_index_event_inside_the_window_is_their_index_date(engine):
    """Index events 2017-12-31 (before the window), 2018-03-01 and 2018-06-01: the index date is 2018-03-01,
    so follow-up ends 2019-03-01 and waiting 2019-09-01 — measurable on 2019-09-01. The 2018-06-01 caution is
    for an offence after the index date: it is a proven reoffence; the 2017 one is not."""
    person = PersonFactory()
    caution(person, proven_on=date(2017, 12, 31), offence_on=date(2017, 12, 1))
    caution(person, proven_on=date(2018, 3, 1), offence_on=date(2018, 2, 1))
    caution(person, proven_on=date(2018, 6, 1), offence_on=date(2018, 5, 20))
    crowd(4, on=date(2018, 1, 15))

    result = measure(engine, as_of=date(2019, 9, 1))

    assert result["not_yet_measurable"] == 0
    assert counts(result) == (5, 1, 1)


def test_the_waiting_end_runs_from_the_persons_index_date_not_from_the_window(engine):
    """Indexed 2018-03-01, waiting ends 2019-09-01: not yet measurable on 2019-08-31 (from 2018-01-01 it would be)."""
    person = PersonFactory()
    caution(person, proven_on=date(2018, 3, 1), offence_on=date(2018, 2, 1))
    crowd(5, on=date(2018, 1, 15))

    result = measure(engine, as_of=date(2019, 8, 31))

    assert (result["people_with_index_event"], result["not_yet_measurable"], result["measurable"]) == (6, 1, 5)


def test_a_caution_gives_its_index_event_on_its_outcome_date(engine):
    person = PersonFactory()
    caution(person, offence_on=date(2017, 12, 1), proven_on=date(2018, 1, 2))
    other = PersonFactory()
    caution(other, offence_on=date(2018, 12, 1), proven_on=date(2019, 1, 2))

    assert measure(engine)["people_with_index_event"] == 1


def test_a_non_custodial_conviction_gives_its_index_event_on_its_outcome_date(engine):
    for disposal in (Disposal.COMMUNITY, Disposal.SUSPENDED, Disposal.FINE, Disposal.DISCHARGE, Disposal.OTHER):
        OffenceRecordFactory(
            conviction=True, disposal=disposal, offence_date=date(2018, 11, 1), outcome_date=date(2018, 12, 31)
        )
    OffenceRecordFactory(conviction=True, offence_date=date(2018, 12, 1), outcome_date=date(2019, 1, 1))

    result = measure(engine)

    assert result["people_with_index_event"] == 5
    assert result["measurable"] == 5


def test_a_custodial_sentence_gives_its_index_event_on_the_release_date(engine):
    """Sentenced 2017-10-01, released 2018-04-01: index 2018-04-01, follow-up to 2019-04-01. An offence in
    custody (2018-03-01, proven after release) is before the index date; 2019-04-01 is the last day of
    follow-up and 2019-04-02 is past it. Indexed on the sentence date instead, the person would be indexed
    on 2018-05-01 by the later caution and count two reoffences."""
    person = PersonFactory()
    OffenceRecordFactory(
        person=person,
        custody=True,
        offence_date=date(2017, 8, 1),
        outcome_date=date(2017, 10, 1),
        release_date=date(2018, 4, 1),
    )
    reoffence(person, offence_on=date(2018, 3, 1), proven_on=date(2018, 5, 1))
    reoffence(person, offence_on=date(2019, 4, 1))
    reoffence(person, offence_on=date(2019, 4, 2))
    crowd()

    result = measure(engine)

    assert result["people_with_index_event"] == 5
    assert counts(result) == (5, 1, 1)


def test_a_custodial_sentence_released_after_the_window_gives_no_index_event_in_it(engine):
    OffenceRecordFactory(
        custody=True, offence_date=date(2018, 5, 1), outcome_date=date(2018, 6, 1), release_date=date(2019, 2, 1)
    )

    assert measure(engine)["people_with_index_event"] == 0


def test_a_custodial_sentence_without_a_release_date_gives_no_index_event(engine):
    OffenceRecordFactory(custody=True, offence_date=date(2018, 5, 1), outcome_date=date(2018, 6, 1))

    assert measure(engine)["people_with_index_event"] == 0


def test_a_release_date_after_as_of_still_gives_an_index_event_but_the_person_is_not_yet_measurable(engine):
    OffenceRecordFactory(
        custody=True, offence_date=date(2018, 1, 5), outcome_date=date(2018, 3, 1), release_date=date(2018, 12, 15)
    )

    result = measure(engine, as_of=date(2018, 12, 1))

    assert (result["people_with_index_event"], result["not_yet_measurable"]) == (1, 1)
    assert result["measurable"] is None


def test_none_and_pending_records_are_never_index_events(engine):
    person = PersonFactory()
    OffenceRecordFactory(person=person, outcome=OffenceOutcome.NONE, offence_date=date(2018, 3, 1))
    OffenceRecordFactory(person=person, outcome=OffenceOutcome.PENDING, offence_date=date(2018, 4, 1))

    assert measure(engine)["people_with_index_event"] == 0


def test_a_breach_gives_an_index_event_like_any_other_record(engine):
    """DESIGN: "Each offence record can give one index event"; breach is excluded only from reoffences."""
    caution(PersonFactory(), proven_on=date(2018, 6, 1), offence_category=OffenceCategory.BREACH)

    assert measure(engine)["people_with_index_event"] == 1


# --- Index offence ties ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [("B-2", "a-1"), ("A10", "A9"), ("a-2", "a1")],
    ids=["uppercase-before-lowercase", "digits-not-numbers", "hyphen-before-digit"],
)
def test_on_a_tie_the_index_offence_is_the_smallest_record_id_in_code_point_order(engine, smaller, larger):
    person = PersonFactory()
    caution(person, proven_on=date(2018, 3, 1), record_id=larger, offence_category=OffenceCategory.FRAUD)
    caution(person, proven_on=date(2018, 3, 1), record_id=smaller, offence_category=OffenceCategory.ROBBERY)
    crowd()

    result = measure(engine)

    assert values(result, "index_offence_category") == ["robbery", "other_theft"]


# --- Proven reoffences -----------------------------------------------------------------------------------------


def test_an_offence_on_the_index_date_is_not_a_reoffence(engine):
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2018, 1, 15))
    crowd()

    assert counts(measure(engine)) == (5, 0, 0)


def test_an_offence_the_day_after_the_index_date_is_a_reoffence(engine):
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2018, 1, 16))
    crowd()

    assert counts(measure(engine)) == (5, 1, 1)


def test_an_offence_on_the_last_day_of_follow_up_is_a_reoffence(engine):
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2019, 1, 15))
    crowd()

    assert counts(measure(engine)) == (5, 1, 1)


def test_an_offence_the_day_after_follow_up_ends_is_not_a_reoffence(engine):
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2019, 1, 16))
    crowd()

    assert counts(measure(engine)) == (5, 0, 0)


def test_an_offence_proven_on_the_last_day_of_the_waiting_period_is_a_reoffence(engine):
    """Index 2018-01-15: follow-up ends 2019-01-15, waiting 2019-07-15."""
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2018, 6, 1), proven_on=date(2019, 7, 15))
    crowd()

    assert counts(measure(engine)) == (5, 1, 1)


def test_an_offence_proven_the_day_after_the_waiting_period_is_not_a_reoffence(engine):
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2018, 6, 1), proven_on=date(2019, 7, 16))
    crowd()

    assert counts(measure(engine)) == (5, 0, 0)


def test_a_conviction_is_a_reoffence_whatever_its_disposal(engine):
    """A custodial conviction without a release date gives no index event but is still a proven reoffence."""
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2018, 3, 1), outcome=OffenceOutcome.CONVICTION, disposal=Disposal.FINE)
    OffenceRecordFactory(person=person, custody=True, offence_date=date(2018, 5, 1), outcome_date=date(2018, 9, 1))
    OffenceRecordFactory(
        person=person,
        custody=True,
        offence_date=date(2018, 6, 1),
        outcome_date=date(2018, 9, 1),
        release_date=date(2021, 9, 1),
    )
    crowd()

    assert counts(measure(engine)) == (5, 1, 3)


def test_a_breach_is_not_a_reoffence(engine):
    person = indexed(date(2018, 1, 15))
    reoffence(person, offence_on=date(2018, 3, 1), offence_category=OffenceCategory.BREACH)
    reoffence(person, offence_on=date(2018, 3, 1), offence_category=OffenceCategory.BREACH, conviction=True)
    crowd()

    assert counts(measure(engine)) == (5, 0, 0)


def test_none_and_pending_records_are_never_reoffences(engine):
    person = indexed(date(2018, 1, 15))
    OffenceRecordFactory(person=person, outcome=OffenceOutcome.NONE, offence_date=date(2018, 3, 1))
    OffenceRecordFactory(person=person, outcome=OffenceOutcome.PENDING, offence_date=date(2018, 4, 1))
    crowd()

    assert counts(measure(engine)) == (5, 0, 0)


def test_an_offence_committed_before_the_index_date_but_proven_after_it_is_not_a_reoffence(engine):
    person = indexed(date(2018, 3, 1))
    reoffence(person, offence_on=date(2018, 2, 15), proven_on=date(2018, 4, 1))
    crowd()

    assert counts(measure(engine)) == (5, 0, 0)


# --- Leap days and month ends ---------------------------------------------------------------------------------

INDEX_2016 = {"index_from": date(2016, 1, 1), "index_to": date(2016, 12, 31)}


def leap_day_subject():
    """Index 2016-02-29 -> follow-up end 2017-02-28 -> waiting end 2017-08-28 (docs/metrics.md's example)."""
    return indexed(date(2016, 2, 29))


def test_after_a_leap_day_index_an_offence_on_28_february_is_inside_follow_up(engine):
    reoffence(leap_day_subject(), offence_on=date(2017, 2, 28))
    crowd(on=date(2016, 1, 10))

    assert counts(measure(engine, **INDEX_2016)) == (5, 1, 1)


def test_after_a_leap_day_index_an_offence_on_1_march_is_outside_follow_up(engine):
    reoffence(leap_day_subject(), offence_on=date(2017, 3, 1))
    crowd(on=date(2016, 1, 10))

    assert counts(measure(engine, **INDEX_2016)) == (5, 0, 0)


def test_after_a_leap_day_index_an_offence_proven_on_28_august_is_inside_the_waiting_period(engine):
    reoffence(leap_day_subject(), offence_on=date(2016, 6, 1), proven_on=date(2017, 8, 28))
    crowd(on=date(2016, 1, 10))

    assert counts(measure(engine, **INDEX_2016)) == (5, 1, 1)


def test_after_a_leap_day_index_an_offence_proven_on_29_august_is_outside_the_waiting_period(engine):
    reoffence(leap_day_subject(), offence_on=date(2016, 6, 1), proven_on=date(2017, 8, 29))
    crowd(on=date(2016, 1, 10))

    assert counts(measure(engine, **INDEX_2016)) == (5, 0, 0)


def test_after_a_leap_day_index_the_person_is_measurable_on_28_august(engine):
    leap_day_subject()
    crowd(5, on=date(2016, 1, 10))

    result = measure(engine, **INDEX_2016, as_of=date(2017, 8, 28))

    assert (result["not_yet_measurable"], result["measurable"]) == (0, 6)


def test_after_a_leap_day_index_the_person_is_not_yet_measurable_on_27_august(engine):
    leap_day_subject()
    crowd(5, on=date(2016, 1, 10))

    result = measure(engine, **INDEX_2016, as_of=date(2017, 8, 27))

    assert (result["not_yet_measurable"], result["measurable"]) == (1, 5)


def test_a_waiting_period_ending_in_february_is_clamped_to_its_last_day(engine):
    """Index 2018-08-31 -> follow-up end 2019-08-31 -> waiting end 2020-02-29 (SQLite would say 2020-03-02)."""
    person = indexed(date(2018, 8, 31))
    reoffence(person, offence_on=date(2019, 1, 1), proven_on=date(2020, 2, 29))
    reoffence(person, offence_on=date(2019, 2, 1), proven_on=date(2020, 3, 1))
    crowd()

    assert counts(measure(engine)) == (5, 1, 1)
    assert measure(engine, as_of=date(2020, 2, 29))["not_yet_measurable"] == 0
    assert measure(engine, as_of=date(2020, 2, 28))["not_yet_measurable"] == 1


# --- Measurable people ----------------------------------------------------------------------------------------


def test_a_person_whose_waiting_end_is_as_of_is_measurable(engine):
    indexed(date(2018, 1, 15))  # waiting end 2019-07-15
    crowd(5)

    result = measure(engine, as_of=date(2019, 7, 15))

    assert (result["not_yet_measurable"], result["measurable"]) == (0, 6)


def test_a_person_whose_waiting_end_is_the_day_after_as_of_is_not_yet_measurable(engine):
    indexed(date(2018, 1, 15))
    crowd(5)

    result = measure(engine, as_of=date(2019, 7, 14))

    assert (result["people_with_index_event"], result["not_yet_measurable"], result["measurable"]) == (6, 1, 5)


def test_a_person_not_yet_measurable_is_left_out_of_every_other_figure(engine):
    """Indexed 2018-11-01 (waiting end 2020-05-01), measured on 2019-12-01: their reoffence, gender,
    ethnicity, district, age band and index offence appear nowhere."""
    person = PersonFactory(
        date_of_birth=date(2002, 1, 1),
        gender=Gender.FEMALE,
        ethnicity=Ethnicity.ASIAN,
        district="breckland",
    )
    caution(person, proven_on=date(2018, 11, 1), offence_category=OffenceCategory.ARSON)
    reoffence(person, offence_on=date(2018, 12, 1))
    crowd(5, on=date(2018, 1, 15), date_of_birth=date(1980, 1, 1))

    result = measure(engine, as_of=date(2019, 12, 1))

    assert (result["people_with_index_event"], result["not_yet_measurable"]) == (6, 1)
    assert counts(result) == (5, 0, 0)
    assert values(result, "gender") == ["male"]
    assert values(result, "ethnicity") == ["white"]
    assert values(result, "district") == ["norwich"]
    assert values(result, "age_band") == ["35_49"]
    assert values(result, "index_offence_category") == ["other_theft"]
    assert result["breakdowns"]["gender"][0]["measurable"] == 5


# --- Age ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "index_on", "band"),
    [
        (date(2000, 2, 29), date(2018, 2, 28), "under_18"),
        (date(2000, 2, 29), date(2018, 3, 1), "18_24"),
        (date(2000, 6, 1), date(2018, 5, 31), "under_18"),
        (date(2000, 6, 1), date(2018, 6, 1), "18_24"),
        (date(1993, 6, 1), date(2018, 5, 31), "18_24"),
        (date(1993, 6, 1), date(2018, 6, 1), "25_34"),
        (date(1983, 6, 1), date(2018, 5, 31), "25_34"),
        (date(1983, 6, 1), date(2018, 6, 1), "35_49"),
        (date(1968, 6, 1), date(2018, 5, 31), "35_49"),
        (date(1968, 6, 1), date(2018, 6, 1), "50_plus"),
    ],
    ids=[
        "29feb-17-on-28feb",
        "29feb-18-on-1mar",
        "17",
        "18",
        "24",
        "25",
        "34",
        "35",
        "49",
        "50",
    ],
)
def test_age_is_completed_years_on_the_index_date_and_banded(engine, born, index_on, band):
    crowd(5, on=index_on, date_of_birth=born)

    cells = measure(engine)["breakdowns"]["age_band"]

    assert [cell["value"] for cell in cells] == [band]
    assert cells[0]["measurable"] == 5


# --- Cohort ---------------------------------------------------------------------------------------------------


def member_indexed_in_2018(cohort, *, adopted_on, exited_on=None, index_on=MID_2018):
    person = indexed(index_on)
    MembershipFactory(
        person=person,
        cohort=cohort,
        adopted_on=adopted_on,
        exited_on=exited_on,
        exit_reason="Exited at panel" if exited_on else "",
    )
    indexed(index_on)  # not a member: never in the cohort's measure
    return person


def test_a_cohort_measure_names_the_cohort_by_slug(engine, cohort):
    member_indexed_in_2018(cohort, adopted_on=date(2017, 1, 1))

    assert measure(engine, cohort=cohort)["cohort"] == "fixed"
    assert measure(engine)["cohort"] is None


def test_a_member_who_exited_the_day_before_index_from_is_not_in_the_cohort_measure(engine, cohort):
    member_indexed_in_2018(cohort, adopted_on=date(2017, 1, 1), exited_on=date(2017, 12, 31))

    assert measure(engine, cohort=cohort)["people_with_index_event"] == 0


def test_a_member_who_exited_on_index_from_is_in_the_cohort_measure(engine, cohort):
    member_indexed_in_2018(cohort, adopted_on=date(2017, 1, 1), exited_on=date(2018, 1, 1))

    assert measure(engine, cohort=cohort)["people_with_index_event"] == 1


def test_a_member_adopted_on_index_to_is_in_the_cohort_measure(engine, cohort):
    member_indexed_in_2018(cohort, adopted_on=date(2018, 12, 31))

    assert measure(engine, cohort=cohort)["people_with_index_event"] == 1


def test_a_member_adopted_the_day_after_index_to_is_not_in_the_cohort_measure(engine, cohort):
    member_indexed_in_2018(cohort, adopted_on=date(2019, 1, 1))

    assert measure(engine, cohort=cohort)["people_with_index_event"] == 0


def test_an_open_membership_runs_on(engine, cohort):
    member_indexed_in_2018(cohort, adopted_on=date(2015, 1, 1))

    assert measure(engine, cohort=cohort)["people_with_index_event"] == 1


def test_a_member_indexed_after_their_exit_is_still_in_the_cohort_measure(engine, cohort):
    """Membership only selects the people; the index date is still their first index event in the window."""
    member_indexed_in_2018(cohort, adopted_on=date(2017, 1, 1), exited_on=date(2018, 2, 1), index_on=date(2018, 9, 1))

    assert measure(engine, cohort=cohort)["people_with_index_event"] == 1


def test_a_member_of_another_cohort_is_not_in_the_cohort_measure(engine, cohort):
    member_indexed_in_2018(CohortFactory(slug="flex", name="Flex"), adopted_on=date(2017, 1, 1))

    assert measure(engine, cohort=cohort)["people_with_index_event"] == 0


def test_a_person_with_two_memberships_in_the_window_counts_once(engine, cohort):
    person = member_indexed_in_2018(cohort, adopted_on=date(2017, 1, 1), exited_on=date(2018, 3, 1))
    MembershipFactory(person=person, cohort=cohort, adopted_on=date(2018, 6, 1))
    reoffence(person, offence_on=date(2018, 8, 1))
    for member in crowd(4):
        MembershipFactory(person=member, cohort=cohort, adopted_on=date(2016, 1, 1))

    result = measure(engine, cohort=cohort)

    assert result["people_with_index_event"] == 5
    assert counts(result) == (5, 1, 1)


# --- Small numbers ---------------------------------------------------------------------------------------------


def test_fewer_than_five_measurable_people_suppress_every_top_level_figure(engine):
    """Four measurable (one reoffends) and two not yet measurable: only the two headcounts are shown."""
    people = crowd(4, on=date(2018, 1, 10))
    reoffence(people[0], offence_on=date(2018, 2, 1))
    crowd(2, on=date(2018, 12, 1))

    result = measure(engine, as_of=date(2019, 9, 1))

    assert result["people_with_index_event"] == 6
    assert result["not_yet_measurable"] == 2
    assert {key: result[key] for key in SUPPRESSED_FIGURES} == SUPPRESSED_FIGURES
    assert result["binary_rate_ci95"] is None  # a single null, not [null, null]
    assert result["suppressed"] is True


def test_five_measurable_people_are_enough_to_show_the_figures(engine):
    people = crowd(5, on=date(2018, 1, 10))
    reoffence(people[0], offence_on=date(2018, 2, 1))
    crowd(2, on=date(2018, 12, 1))

    result = measure(engine, as_of=date(2019, 9, 1))

    assert (result["people_with_index_event"], result["not_yet_measurable"]) == (7, 2)
    assert counts(result) == (5, 1, 1)
    assert result["binary_rate"] == 0.2
    assert result["binary_rate_ci95"] == [0.0362, 0.6245]
    assert (result["frequency_per_offender"], result["frequency_per_reoffender"]) == (0.2, 1.0)
    assert result["suppressed"] is False


def test_a_breakdown_cell_of_fewer_than_five_measurable_people_is_suppressed(engine):
    men = crowd(5, gender=Gender.MALE)
    reoffence(men[0], offence_on=date(2018, 3, 1))
    women = crowd(4, gender=Gender.FEMALE)
    reoffence(women[0], offence_on=date(2018, 3, 1))
    reoffence(women[1], offence_on=date(2018, 3, 1))

    result = measure(engine)

    assert counts(result) == (9, 3, 3)
    assert result["binary_rate"] == 0.3333
    assert result["binary_rate_ci95"] == [0.1206, 0.6458]
    assert result["breakdowns"]["gender"] == [
        {
            "value": "male",
            "measurable": 5,
            "reoffenders": 1,
            "proven_reoffences": 1,
            "binary_rate": 0.2,
            "binary_rate_ci95": [0.0362, 0.6245],
            "frequency_per_offender": 0.2,
            "frequency_per_reoffender": 1.0,
            "suppressed": False,
        },
        {"value": "female", **SUPPRESSED_FIGURES, "suppressed": True},
    ]


def test_a_cell_with_no_reoffenders_has_a_null_frequency_per_reoffender(engine):
    crowd(5, gender=Gender.MALE)
    women = crowd(5, gender=Gender.FEMALE)
    reoffence(women[0], offence_on=date(2018, 3, 1))

    male = measure(engine)["breakdowns"]["gender"][0]

    assert (male["value"], male["measurable"], male["reoffenders"]) == ("male", 5, 0)
    assert male["binary_rate"] == 0.0
    assert male["frequency_per_reoffender"] is None
    assert male["suppressed"] is False


# --- Breakdowns -----------------------------------------------------------------------------------------------


def test_gender_cells_come_in_format_order_with_blank_last_and_separate_from_unknown(engine):
    for gender in (None, Gender.UNKNOWN, Gender.OTHER, Gender.FEMALE, Gender.MALE):
        indexed(gender=gender)

    assert values(measure(engine), "gender") == ["male", "female", "other", "unknown", None]


def test_ethnicity_cells_come_in_format_order_with_blank_last(engine):
    for ethnicity in (None, "not_stated", "other", "white", "mixed", "black", "asian"):
        indexed(ethnicity=ethnicity)

    assert values(measure(engine), "ethnicity") == ["asian", "black", "mixed", "white", "other", "not_stated", None]


def test_district_cells_come_in_format_order_with_blank_last(engine):
    districts = [
        "breckland",
        "broadland",
        "great_yarmouth",
        "kings_lynn_west_norfolk",
        "north_norfolk",
        "norwich",
        "south_norfolk",
        "outside_norfolk",
    ]
    for district in [None, *reversed(districts)]:
        indexed(district=district)

    assert values(measure(engine), "district") == [*districts, None]


def test_age_band_cells_come_in_band_order(engine):
    for born in (date(1960, 1, 1), date(1975, 1, 1), date(1990, 1, 1), date(1996, 1, 1), date(2002, 1, 1)):
        indexed(date_of_birth=born)

    assert values(measure(engine), "age_band") == ["under_18", "18_24", "25_34", "35_49", "50_plus"]


def test_index_offence_category_cells_come_in_format_order(engine):
    for category in ("other", "motoring", "fraud", "shoplifting", "robbery", "homicide"):
        caution(PersonFactory(), proven_on=date(2018, 5, 1), offence_category=category)

    assert values(measure(engine), "index_offence_category") == [
        "homicide",
        "robbery",
        "shoplifting",
        "fraud",
        "motoring",
        "other",
    ]


def test_the_index_offence_category_breakdown_counts_people_by_their_index_offence(engine):
    """Five indexed for robbery (two reoffend, for drugs), one for fraud: reoffence categories make no cells."""
    robbers = [PersonFactory() for _ in range(5)]
    for person in robbers:
        caution(person, proven_on=date(2018, 2, 1), offence_category=OffenceCategory.ROBBERY)
    reoffence(robbers[0], offence_on=date(2018, 4, 1), offence_category=OffenceCategory.DRUGS)
    reoffence(robbers[1], offence_on=date(2018, 4, 1), offence_category=OffenceCategory.DRUGS)
    reoffence(robbers[1], offence_on=date(2018, 5, 1), offence_category=OffenceCategory.DRUGS)
    caution(PersonFactory(), proven_on=date(2018, 2, 1), offence_category=OffenceCategory.FRAUD)

    cells = measure(engine)["breakdowns"]["index_offence_category"]

    assert cells == [
        {
            "value": "robbery",
            "measurable": 5,
            "reoffenders": 2,
            "proven_reoffences": 3,
            "binary_rate": 0.4,
            "binary_rate_ci95": [0.1176, 0.7693],
            "frequency_per_offender": 0.6,
            "frequency_per_reoffender": 1.5,
            "suppressed": False,
        },
        {"value": "fraud", **SUPPRESSED_FIGURES, "suppressed": True},
    ]


# --- Quarterly ------------------------------------------------------------------------------------------------


def test_quarters_are_calendar_quarters_each_with_its_quarter_key(engine):
    for day in (date(2018, 1, 1), date(2018, 3, 31), date(2018, 4, 1), date(2018, 10, 1), date(2018, 12, 31)):
        indexed(day)
    indexed(date(2017, 12, 31))
    indexed(date(2019, 1, 1))

    quarters = engine.reoffending_quarterly(from_quarter="2018Q1", to_quarter="2018Q4", as_of=LATE)["quarters"]

    assert [(q["quarter"], q["index_from"], q["index_to"], q["people_with_index_event"]) for q in quarters] == [
        ("2018Q1", "2018-01-01", "2018-03-31", 2),
        ("2018Q2", "2018-04-01", "2018-06-30", 1),
        ("2018Q3", "2018-07-01", "2018-09-30", 0),
        ("2018Q4", "2018-10-01", "2018-12-31", 2),
    ]
    assert all("breakdowns" not in quarter for quarter in quarters)
    assert all(quarter["as_of"] == "2021-01-01" and quarter["cohort"] is None for quarter in quarters)


def test_quarters_run_across_years_from_the_first_to_the_last_inclusive(engine):
    quarters = engine.reoffending_quarterly(from_quarter="2018Q1", to_quarter="2019Q4", as_of=LATE)["quarters"]

    assert [quarter["quarter"] for quarter in quarters] == [
        "2018Q1",
        "2018Q2",
        "2018Q3",
        "2018Q4",
        "2019Q1",
        "2019Q2",
        "2019Q3",
        "2019Q4",
    ]
    assert (quarters[4]["index_from"], quarters[4]["index_to"]) == ("2019-01-01", "2019-03-31")
    assert (quarters[7]["index_from"], quarters[7]["index_to"]) == ("2019-10-01", "2019-12-31")


def test_a_person_indexed_in_two_quarters_is_in_each_quarters_measure(engine):
    """Each quarter is its own window: a Q2 caution is the index event of Q2 and a reoffence in Q1's measure."""
    person = PersonFactory()
    caution(person, proven_on=date(2018, 2, 1), offence_on=date(2018, 1, 20))
    caution(person, proven_on=date(2018, 5, 1), offence_on=date(2018, 4, 20))
    crowd(4, on=date(2018, 2, 1))
    crowd(4, on=date(2018, 5, 1))

    q1, q2 = engine.reoffending_quarterly(from_quarter="2018Q1", to_quarter="2018Q2", as_of=LATE)["quarters"]

    assert counts(q1) == (5, 1, 1)
    assert counts(q2) == (5, 0, 0)


def test_each_quarter_is_the_reoffending_object_of_its_window(engine, cohort):
    people = crowd(6, on=date(2018, 2, 1))
    reoffence(people[0], offence_on=date(2018, 6, 1))
    crowd(5, on=date(2018, 5, 1))
    for person in people:
        MembershipFactory(person=person, cohort=cohort, adopted_on=date(2017, 6, 1))

    quarters = engine.reoffending_quarterly(from_quarter="2018Q1", to_quarter="2018Q2", as_of=LATE, cohort=cohort)

    windows = [(date(2018, 1, 1), date(2018, 3, 31)), (date(2018, 4, 1), date(2018, 6, 30))]
    for quarter, (first, last) in zip(quarters["quarters"], windows, strict=True):
        whole = measure(engine, index_from=first, index_to=last, cohort=cohort, with_breakdowns=False)
        assert {key: quarter[key] for key in whole} == whole
    assert quarters["quarters"][0]["cohort"] == "fixed"
    assert counts(quarters["quarters"][0]) == (6, 1, 1)
    assert quarters["quarters"][1]["suppressed"] is True
