"""Rates from exact counts: rounding half up and the Wilson score interval (docs/metrics.md).

Rounding is done on exact fractions, so 1/8 to two places is 0.13 and never 0.12 through a float's error.
"""

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Z_95 = 1.959964


def round_half_up(value: Fraction | int, places: int) -> float:
    """``value`` rounded half up (away from zero at .5) to ``places`` decimals, as a JSON-ready float."""
    fraction = Fraction(value)
    scale = 10**places
    scaled = abs(fraction) * scale
    rounded = math.floor(scaled + Fraction(1, 2))
    sign = -1 if fraction < 0 else 1
    return float(Decimal(sign * rounded) / Decimal(scale))


def _round_float_half_up(value: float, places: int) -> float:
    # The interval's bounds involve a square root, so they are not exact fractions: round their decimal form.
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def rate(numerator: int, denominator: int, places: int = 4) -> float | None:
    """``numerator / denominator`` rounded half up; ``None`` when the denominator is 0."""
    if denominator == 0:
        return None
    return round_half_up(Fraction(numerator, denominator), places)


def wilson_interval(successes: int, n: int, z: float = Z_95) -> list[float] | None:
    """The Wilson score interval without continuity correction, bounds rounded to 4 places and clamped to [0, 1]."""
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = min(1.0, max(0.0, centre - half_width))
    high = min(1.0, max(0.0, centre + half_width))
    return [_round_float_half_up(low, 4), _round_float_half_up(high, 4)]
