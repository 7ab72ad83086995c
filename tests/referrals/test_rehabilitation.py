"""The ROA 1974 calculator against the table in docs/rehabilitation-periods.md. Plain functions: no database.

Expected dates are worked by hand. Convictions dated 2024 are decided by the 2023 table alone; the transition
cases use older convictions. Custody and orders without ``ends_on`` end the day before
``add_months(convicted_on, length_months)``, e.g. 12 months from 2024-01-15 ends 2025-01-14.
"""

from datetime import date, timedelta

import pytest

from referrals.rehabilitation import (
    LASPO_COMMENCEMENT,
    PCSC_COMMENCEMENT,
    Regime,
    Sentence,
    SentenceType,
    add_months,
    conviction_rehabilitation_end,
    is_spent,
    regime_end,
    regime_on,
    rehabilitation_end,
)

T = SentenceType
CONVICTED = date(2024, 1, 15)
ADULT = 30
YOUTH = 16


def adult(kind: SentenceType, **kwargs) -> Sentence:
    return Sentence(kind, kwargs.pop("convicted_on", CONVICTED), ADULT, **kwargs)


def youth(kind: SentenceType, **kwargs) -> Sentence:
    return Sentence(kind, kwargs.pop("convicted_on", CONVICTED), YOUTH, **kwargs)


# (description, sentence, first day spent or None for never / not yet)
CURRENT_TABLE = [
    # --- custody, adults: 1 year / 4 years / 7 years after the sentence (licence included) ends
    ("adult custody exactly 12 months: +1 year", adult(T.CUSTODY, length_months=12), date(2026, 1, 14)),
    ("adult custody 13 months: +4 years", adult(T.CUSTODY, length_months=13), date(2029, 2, 14)),
    ("adult custody exactly 48 months: +4 years", adult(T.CUSTODY, length_months=48), date(2032, 1, 14)),
    ("adult custody 49 months: +7 years", adult(T.CUSTODY, length_months=49), date(2035, 2, 14)),
    ("adult custody 1 month: +1 year", adult(T.CUSTODY, length_months=1), date(2025, 2, 14)),
    (
        "adult custody 49 months, Schedule 18 offence: never spent",
        adult(T.CUSTODY, length_months=49, serious_offence=True),
        None,
    ),
    (
        "adult custody exactly 48 months, Schedule 18 offence: not over 4 years, so +4 years",
        adult(T.CUSTODY, length_months=48, serious_offence=True),
        date(2032, 1, 14),
    ),
    (
        "adult custody with recorded licence end: runs from ends_on",
        adult(T.CUSTODY, length_months=10, ends_on=date(2025, 6, 30)),
        date(2026, 6, 30),
    ),
    # --- custody, under 18: half (6 months / 2 years / 3.5 years)
    ("youth custody exactly 12 months: +6 months", youth(T.CUSTODY, length_months=12), date(2025, 7, 14)),
    ("youth custody 13 months: +2 years", youth(T.CUSTODY, length_months=13), date(2027, 2, 14)),
    ("youth custody exactly 48 months: +2 years", youth(T.CUSTODY, length_months=48), date(2030, 1, 14)),
    ("youth custody 49 months: +42 months", youth(T.CUSTODY, length_months=49), date(2031, 8, 14)),
    (
        "youth custody 49 months, Schedule 18 offence: never spent",
        youth(T.CUSTODY, length_months=49, serious_offence=True),
        None,
    ),
    # --- suspended sentences: banded by the custodial term
    ("adult suspended 6 months: +1 year", adult(T.SUSPENDED_SENTENCE, length_months=6), date(2025, 7, 14)),
    ("adult suspended 18 months: +4 years", adult(T.SUSPENDED_SENTENCE, length_months=18), date(2029, 7, 14)),
    ("youth suspended 6 months: +6 months", youth(T.SUSPENDED_SENTENCE, length_months=6), date(2025, 1, 14)),
    # --- excluded from rehabilitation
    ("adult life sentence: never spent", adult(T.LIFE), None),
    ("youth detention for life: never spent", youth(T.LIFE), None),
    ("adult IPP / extended sentence: never spent", adult(T.PUBLIC_PROTECTION), None),
    ("youth DPP / extended sentence: never spent", youth(T.PUBLIC_PROTECTION), None),
    # --- community orders and youth rehabilitation orders: spent the day after the last day
    ("adult community order 12 months", adult(T.COMMUNITY_ORDER, length_months=12), date(2025, 1, 15)),
    (
        "adult community order with recorded last day",
        adult(T.COMMUNITY_ORDER, ends_on=date(2024, 11, 30)),
        date(2024, 12, 1),
    ),
    ("youth community-type order 12 months", youth(T.COMMUNITY_ORDER, length_months=12), date(2025, 1, 15)),
    ("youth rehabilitation order 6 months", youth(T.YOUTH_REHABILITATION_ORDER, length_months=6), date(2024, 7, 15)),
    (
        "youth rehabilitation order running past 18th birthday",
        youth(T.YOUTH_REHABILITATION_ORDER, ends_on=date(2026, 12, 31)),
        date(2027, 1, 1),
    ),
    # --- other orders: spent when the order ends
    ("youth referral order 9 months", youth(T.REFERRAL_ORDER, length_months=9), date(2024, 10, 15)),
    ("adult conditional discharge 24 months", adult(T.CONDITIONAL_DISCHARGE, length_months=24), date(2026, 1, 15)),
    ("youth conditional discharge 12 months", youth(T.CONDITIONAL_DISCHARGE, length_months=12), date(2025, 1, 15)),
    (
        "adult restraining order to a fixed day",
        adult(T.RELEVANT_ORDER, ends_on=date(2026, 3, 31)),
        date(2026, 4, 1),
    ),
    (
        "adult restraining order with no end date: 24 months from conviction",
        adult(T.RELEVANT_ORDER, no_end_date=True),
        date(2026, 1, 15),
    ),
    (
        "youth order with no end date: 24 months from conviction",
        youth(T.RELEVANT_ORDER, no_end_date=True),
        date(2026, 1, 15),
    ),
    ("adult restraining order until further order: not yet", adult(T.RELEVANT_ORDER, until_further_order=True), None),
    (
        "order until further order, later ended by the court",
        adult(T.RELEVANT_ORDER, until_further_order=True, ends_on=date(2025, 5, 5)),
        date(2025, 5, 6),
    ),
    ("adult hospital order ended", adult(T.HOSPITAL_ORDER, ends_on=date(2024, 9, 9)), date(2024, 9, 10)),
    ("youth hospital order until further order", youth(T.HOSPITAL_ORDER, until_further_order=True), None),
    # --- fixed periods
    ("adult fine: 1 year from conviction", adult(T.FINE), date(2025, 1, 15)),
    ("youth fine: 6 months from conviction", youth(T.FINE), date(2024, 7, 15)),
    ("adult motoring endorsement: 5 years", adult(T.MOTORING_ENDORSEMENT), date(2029, 1, 15)),
    ("youth motoring endorsement: 2.5 years", youth(T.MOTORING_ENDORSEMENT), date(2026, 7, 15)),
    ("adult removal from service: 1 year", adult(T.REMOVAL_FROM_SERVICE), date(2025, 1, 15)),
    ("youth removal from service: 6 months", youth(T.REMOVAL_FROM_SERVICE), date(2024, 7, 15)),
    ("adult service detention 3 months: +1 year", adult(T.SERVICE_DETENTION, length_months=3), date(2025, 4, 14)),
    ("youth service detention 3 months: +6 months", youth(T.SERVICE_DETENTION, length_months=3), date(2024, 10, 14)),
    ("compensation paid in full", adult(T.COMPENSATION_ORDER, ends_on=date(2024, 5, 1)), date(2024, 5, 2)),
    ("compensation not yet paid", adult(T.COMPENSATION_ORDER), None),
    # --- spent at once
    ("adult absolute discharge: immediately", adult(T.ABSOLUTE_DISCHARGE), CONVICTED),
    ("youth absolute discharge: immediately", youth(T.ABSOLUTE_DISCHARGE), CONVICTED),
    ("simple caution: immediately", adult(T.SIMPLE_CAUTION), CONVICTED),
    ("youth caution: immediately", youth(T.YOUTH_CAUTION), CONVICTED),
    # --- conditional cautions: 3 months, or when the conditions stop if earlier
    ("conditional caution, conditions end unknown: 3 months", adult(T.CONDITIONAL_CAUTION), date(2024, 4, 15)),
    (
        "conditional caution, conditions end earlier: day after",
        adult(T.CONDITIONAL_CAUTION, ends_on=date(2024, 2, 10)),
        date(2024, 2, 11),
    ),
    (
        "conditional caution, conditions end later: 3 months",
        adult(T.CONDITIONAL_CAUTION, ends_on=date(2024, 6, 1)),
        date(2024, 4, 15),
    ),
    (
        "conditional caution, conditions end on the 3-month day",
        adult(T.CONDITIONAL_CAUTION, ends_on=date(2024, 4, 15)),
        date(2024, 4, 15),
    ),
    (
        "youth conditional caution on 30 November: clamped to 28 February",
        youth(T.YOUTH_CONDITIONAL_CAUTION, convicted_on=date(2024, 11, 30)),
        date(2025, 2, 28),
    ),
    # --- calendar arithmetic and the age boundary
    (
        "custody ending 29 February 2024 + 1 year is 28 February 2025",
        adult(T.CUSTODY, convicted_on=date(2023, 11, 1), length_months=3, ends_on=date(2024, 2, 29)),
        date(2025, 2, 28),
    ),
    (
        "fine on 29 February 2024: spent 28 February 2025",
        adult(T.FINE, convicted_on=date(2024, 2, 29)),
        date(2025, 2, 28),
    ),
    (
        "order of 1 month from 31 January 2024: last day 28 February, spent 29 February",
        adult(T.COMMUNITY_ORDER, convicted_on=date(2024, 1, 31), length_months=1),
        date(2024, 2, 29),
    ),
    ("fine at 17: youth period", Sentence(T.FINE, CONVICTED, 17), date(2024, 7, 15)),
    ("fine at 18: adult period", Sentence(T.FINE, CONVICTED, 18), date(2025, 1, 15)),
]


# Older convictions: the 2023 table applies to them too, but nothing became spent before 28 October 2023 unless
# the 2014 table had already made it spent, and nothing spent under the 2014 table became unspent.
TRANSITION = [
    (
        "8 months' custody ended 2021: 2023 table says 2022, 2014 table 2025: spent on commencement",
        adult(T.CUSTODY, convicted_on=date(2021, 1, 1), length_months=8),
        PCSC_COMMENCEMENT,
    ),
    (
        "5 years' custody (not Schedule 18) ended 2015: never spent until 28 October 2023",
        adult(T.CUSTODY, convicted_on=date(2010, 6, 1), length_months=60),
        PCSC_COMMENCEMENT,
    ),
    (
        "5 years' custody (not Schedule 18) ended 2022: 7 years after",
        adult(T.CUSTODY, convicted_on=date(2018, 1, 1), length_months=60),
        date(2029, 12, 31),
    ),
    (
        "5 years' custody for a Schedule 18 offence from 2010: still never spent",
        adult(T.CUSTODY, convicted_on=date(2010, 6, 1), length_months=60, serious_offence=True),
        None,
    ),
    (
        "2 years' custody ended 2020: same 4 years under both tables",
        adult(T.CUSTODY, convicted_on=date(2019, 1, 1), length_months=24),
        date(2024, 12, 31),
    ),
    (
        "fine in 2019: spent in 2020 under the 2014 table and stays spent",
        adult(T.FINE, convicted_on=date(2019, 3, 1)),
        date(2020, 3, 1),
    ),
    (
        "fine in 2012: spent by 10 March 2014 at the latest (1974 periods not modelled)",
        adult(T.FINE, convicted_on=date(2012, 6, 1)),
        LASPO_COMMENCEMENT,
    ),
    (
        "community order ended March 2023: 2014 table ran to 2024, so spent on commencement",
        adult(T.COMMUNITY_ORDER, convicted_on=date(2022, 4, 1), ends_on=date(2023, 3, 31)),
        PCSC_COMMENCEMENT,
    ),
    (
        "community order ended January 2022: spent January 2023 under the 2014 table",
        adult(T.COMMUNITY_ORDER, convicted_on=date(2021, 2, 1), ends_on=date(2022, 1, 31)),
        date(2023, 1, 31),
    ),
    (
        "youth rehabilitation order ended August 2023: 2014 table's 6 months ran past commencement",
        youth(T.YOUTH_REHABILITATION_ORDER, convicted_on=date(2022, 8, 1), ends_on=date(2023, 7, 31)),
        PCSC_COMMENCEMENT,
    ),
    (
        "youth custody 4 months ended September 2022: 18 months under 2014 table, 6 under 2023",
        youth(T.CUSTODY, convicted_on=date(2022, 6, 1), length_months=4),
        PCSC_COMMENCEMENT,
    ),
    (
        "youth custody 4 months ended May 2023: 2023 table's 6 months runs past commencement",
        youth(T.CUSTODY, convicted_on=date(2023, 1, 10), length_months=4),
        date(2023, 11, 9),
    ),
    (
        "simple caution in 2016: spent the day it was given",
        adult(T.SIMPLE_CAUTION, convicted_on=date(2016, 5, 5)),
        date(2016, 5, 5),
    ),
]


@pytest.mark.parametrize(
    ("description", "sentence", "expected"),
    CURRENT_TABLE + TRANSITION,
    ids=[row[0] for row in CURRENT_TABLE + TRANSITION],
)
def test_rehabilitation_end_follows_the_table(description, sentence, expected):
    assert rehabilitation_end(sentence) == expected, description


@pytest.mark.parametrize(
    ("description", "sentence", "expected"),
    CURRENT_TABLE,
    ids=[row[0] for row in CURRENT_TABLE],
)
def test_is_spent_turns_on_the_end_date(description, sentence, expected):
    if expected is None:
        assert not is_spent(sentence, date(2099, 12, 31)), description
        return
    if expected > sentence.convicted_on:
        assert not is_spent(sentence, expected - timedelta(days=1)), description
    assert is_spent(sentence, expected), description


# The 2014-2023 table on its own, ignoring commencement dates (custody and community orders; the rest match 2023).
LASPO_TABLE = [
    ("adult custody 6 months: +2 years", adult(T.CUSTODY, length_months=6), date(2026, 7, 14)),
    ("adult custody 7 months: +4 years", adult(T.CUSTODY, length_months=7), date(2028, 8, 14)),
    ("adult custody 30 months: +4 years", adult(T.CUSTODY, length_months=30), date(2030, 7, 14)),
    ("adult custody 31 months: +7 years", adult(T.CUSTODY, length_months=31), date(2033, 8, 14)),
    ("adult custody 48 months: +7 years", adult(T.CUSTODY, length_months=48), date(2035, 1, 14)),
    ("adult custody 49 months: never", adult(T.CUSTODY, length_months=49), None),
    ("youth custody 6 months: +18 months", youth(T.CUSTODY, length_months=6), date(2026, 1, 14)),
    ("youth custody 30 months: +2 years", youth(T.CUSTODY, length_months=30), date(2028, 7, 14)),
    ("youth custody 48 months: +42 months", youth(T.CUSTODY, length_months=48), date(2031, 7, 14)),
    ("adult community order: +12 months after end", adult(T.COMMUNITY_ORDER, length_months=12), date(2026, 1, 14)),
    ("youth YRO: +6 months after end", youth(T.YOUTH_REHABILITATION_ORDER, length_months=12), date(2025, 7, 14)),
    ("adult fine: 1 year", adult(T.FINE), date(2025, 1, 15)),
]


@pytest.mark.parametrize(("description", "sentence", "expected"), LASPO_TABLE, ids=[row[0] for row in LASPO_TABLE])
def test_laspo_table_alone(description, sentence, expected):
    assert regime_end(sentence, Regime.LASPO_2014) == expected, description


def test_is_spent_on_the_day_before_and_on_the_end_date():
    sentence = adult(T.CUSTODY, length_months=12)  # spent from 2026-01-14
    assert not is_spent(sentence, date(2026, 1, 13))
    assert is_spent(sentence, date(2026, 1, 14))


def test_is_spent_under_the_2014_table_before_the_2023_reform():
    sentence = adult(T.CUSTODY, convicted_on=date(2021, 1, 1), length_months=8)
    assert not is_spent(sentence, date(2023, 10, 27))
    assert is_spent(sentence, date(2023, 10, 28))


def test_immediately_spent_disposals_are_spent_on_the_day_given():
    assert is_spent(adult(T.SIMPLE_CAUTION), CONVICTED)
    assert is_spent(adult(T.ABSOLUTE_DISCHARGE), CONVICTED)


def test_it_refuses_dates_before_march_2014():
    with pytest.raises(ValueError, match="10 March 2014"):
        is_spent(adult(T.FINE, convicted_on=date(2012, 1, 1)), date(2013, 1, 1))


def test_it_refuses_a_date_before_the_conviction():
    with pytest.raises(ValueError, match="before it was given"):
        is_spent(adult(T.FINE), date(2024, 1, 14))


def test_regime_follows_the_date_asked_about():
    assert regime_on(date(2014, 3, 10)) is Regime.LASPO_2014
    assert regime_on(date(2023, 10, 27)) is Regime.LASPO_2014
    assert regime_on(date(2023, 10, 28)) is Regime.PCSC_2023


# --- one conviction, several sentences ---------------------------------------------------------------------------


def test_a_conviction_is_spent_when_its_longest_sentence_is():
    fine = adult(T.FINE)
    endorsement = adult(T.MOTORING_ENDORSEMENT)
    assert conviction_rehabilitation_end([fine, endorsement]) == date(2029, 1, 15)


def test_one_never_spent_sentence_keeps_the_conviction_unspent():
    assert conviction_rehabilitation_end([adult(T.FINE), adult(T.LIFE)]) is None


def test_a_conviction_applies_the_transition_once():
    # 2021: 8 months' custody and a 2-year restraining order. 2023 table: custody 2022-08-31, order 2023-01-01;
    # 2014 table: custody 2025-08-31. Unspent until 28 October 2023.
    convicted_on = date(2021, 1, 1)
    custody = adult(T.CUSTODY, convicted_on=convicted_on, length_months=8)
    order = adult(T.RELEVANT_ORDER, convicted_on=convicted_on, length_months=24)
    assert conviction_rehabilitation_end([custody, order]) == PCSC_COMMENCEMENT


def test_sentences_of_one_conviction_share_a_date():
    with pytest.raises(ValueError, match="share convicted_on"):
        conviction_rehabilitation_end([adult(T.FINE), adult(T.FINE, convicted_on=date(2024, 2, 1))])


def test_a_conviction_needs_a_sentence():
    with pytest.raises(ValueError, match="at least one"):
        conviction_rehabilitation_end([])


# --- bad input ---------------------------------------------------------------------------------------------------

BAD_INPUT = [
    ("custody without a term", {"sentence_type": T.CUSTODY}, "needs length_months"),
    ("suspended without a term", {"sentence_type": T.SUSPENDED_SENTENCE}, "needs length_months"),
    ("order without any end", {"sentence_type": T.COMMUNITY_ORDER}, "needs ends_on or length_months"),
    ("service detention without any end", {"sentence_type": T.SERVICE_DETENTION}, "needs ends_on or length_months"),
    ("zero length", {"sentence_type": T.CUSTODY, "length_months": 0}, "at least 1"),
    ("ends before conviction", {"sentence_type": T.FINE, "ends_on": date(2023, 1, 1)}, "before convicted_on"),
    ("too young", {"sentence_type": T.FINE, "age_at_conviction": 9}, "at least 10"),
    ("no end date on a fine", {"sentence_type": T.FINE, "no_end_date": True}, "apply to orders"),
    (
        "no end date with an end date",
        {"sentence_type": T.RELEVANT_ORDER, "no_end_date": True, "ends_on": date(2025, 1, 1)},
        "cannot be combined",
    ),
    (
        "until further order with a length",
        {"sentence_type": T.RELEVANT_ORDER, "until_further_order": True, "length_months": 12},
        "has no length",
    ),
]


@pytest.mark.parametrize(("description", "fields", "message"), BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_it_rejects_a_sentence_it_cannot_decide(description, fields, message):
    fields = {"convicted_on": CONVICTED, "age_at_conviction": ADULT, **fields}
    with pytest.raises(ValueError, match=message):
        Sentence(**fields)


# --- calendar arithmetic -----------------------------------------------------------------------------------------

ADD_MONTHS = [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2016, 2, 29), 12, date(2017, 2, 28)),
    (date(2019, 8, 31), 6, date(2020, 2, 29)),
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
    (date(2024, 12, 15), 1, date(2025, 1, 15)),
    (date(2024, 1, 15), 0, date(2024, 1, 15)),
    (date(2024, 1, 15), 84, date(2031, 1, 15)),
]


@pytest.mark.parametrize(("start", "months", "expected"), ADD_MONTHS)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected
