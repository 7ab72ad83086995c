"""Rates and intervals (docs/metrics.md "Dates, rounding and small numbers"): rounded half up from exact counts;
the binary rate's Wilson score 95% interval, z = 1.959964, no continuity correction, clamped to [0, 1].

Each test runs against ``outcomes.metrics.rates`` and against the reference's own functions.
"""

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from outcomes.metrics import rates as implementation
from tests.outcomes import reference_metrics as reference


@pytest.fixture(params=["reference", "implementation"])
def rates(request):
    return reference if request.param == "reference" else implementation


# Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
# methods", Statistics in Medicine 17:857-872, Table I, method 3 (score interval without continuity
# correction), z = 1.96. At 4 dp z = 1.959964 gives the same bounds for all four examples
# (e.g. 81/263: 0.255289 .. 0.366210 against 0.255288 .. 0.366211 with z = 1.96).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("successes", "n", "low", "high"), NEWCOMBE, ids=["81/263", "15/148", "0/20", "1/29"])
def test_wilson_interval_matches_newcombes_published_score_intervals(rates, successes, n, low, high):
    assert rates.wilson_interval(successes, n) == [low, high]


@pytest.mark.parametrize(("successes", "n", "low", "high"), NEWCOMBE, ids=["81/263", "15/148", "0/20", "1/29"])
def test_the_reference_wilson_interval_at_z_1_96_is_newcombes(successes, n, low, high):
    """The reference's formula checked at the published z, so agreement above is not a coincidence of z."""
    assert reference.wilson_interval(successes, n, z=Decimal("1.96")) == [low, high]


def test_wilson_interval_is_two_floats(rates):
    interval = rates.wilson_interval(2, 5)

    assert interval == [0.1176, 0.7693]
    assert [type(bound) for bound in interval] == [float, float]


def test_wilson_interval_is_clamped_to_zero_and_one(rates):
    assert rates.wilson_interval(0, 5) == [0.0, 0.4345]
    assert rates.wilson_interval(5, 5) == [0.5655, 1.0]
    assert rates.wilson_interval(20, 20) == [0.8389, 1.0]
    assert rates.wilson_interval(1000, 1000) == [0.9962, 1.0]


def test_a_lower_bound_of_zero_is_not_a_negative_zero(rates):
    """Floating-point centre minus half-width can come out a hair below zero; clamped, JSON shows 0.0."""
    for n in (1, 5, 7, 20, 29, 263, 1000):
        assert json.dumps(rates.wilson_interval(0, n)).startswith("[0.0,"), n


def test_round_half_up_rounds_an_exact_half_up(rates):
    assert rates.round_half_up(Fraction(12345, 100000), 4) == 0.1235
    assert rates.round_half_up(Fraction(1, 8), 2) == 0.13
    assert rates.round_half_up(Fraction(1, 32), 4) == 0.0313  # round(0.03125, 4) on a float gives 0.0312
    assert rates.round_half_up(Fraction(625, 100), 1) == 6.3
    assert rates.round_half_up(Fraction(5, 2), 0) == 3.0


def test_round_half_up_rounds_below_a_half_down(rates):
    assert rates.round_half_up(Fraction(12344999, 100000000), 4) == 0.1234
    assert rates.round_half_up(Fraction(1, 3), 4) == 0.3333
    assert rates.round_half_up(Fraction(2, 3), 4) == 0.6667
    assert rates.round_half_up(Fraction(-100, 3), 1) == -33.3


def test_round_half_up_returns_a_float_for_ints_and_fractions(rates):
    assert type(rates.round_half_up(1, 4)) is float
    assert rates.round_half_up(1, 4) == 1.0
    assert type(rates.round_half_up(Fraction(3, 7), 4)) is float
    assert rates.round_half_up(Fraction(3, 7), 4) == 0.4286
