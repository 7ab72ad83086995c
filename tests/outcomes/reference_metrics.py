"""A plain-Python reference for "The numbers the Plan is judged by" (docs/metrics.md), written from the text alone.

It knows nothing of Django, ``iom.dates`` or ``outcomes.metrics``: it takes plain rows (:class:`World`), walks
them person by person, does its calendar arithmetic with its own month-adding helper and its sums in exact
fractions, so the tests can compare the database implementation with an independent, obvious reading of the
rules figure by figure. It is slow on purpose; clarity is its only job.

Where docs/metrics.md leaves a choice open the reference picks the literal reading and says so in a comment:

- "one year before D" is the same day and month a year earlier (29 February -> 28 February), the mirror
  image of "one year after D";
- "eighteen months after the adoption date" is one step of eighteen months, clamped to the month's end;
- rounding "half up" of a negative number rounds the half away from zero (only ``change_pct`` is ever
  negative; the tests accept either reading of a negative half).
"""

import calendar
import datetime
import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

# The codes in the order "Data exchange formats" lists them (breakdown cells come in this order, null last).
GENDERS = ("male", "female", "other", "unknown")
ETHNICITIES = ("asian", "black", "mixed", "white", "other", "not_stated")
DISTRICTS = (
    "breckland",
    "broadland",
    "great_yarmouth",
    "kings_lynn_west_norfolk",
    "north_norfolk",
    "norwich",
    "south_norfolk",
    "outside_norfolk",
)
AGE_BANDS = ("under_18", "18_24", "25_34", "35_49", "50_plus")
CATEGORIES = (
    "homicide",
    "violence_with_injury",
    "violence_without_injury",
    "rape",
    "other_sexual",
    "robbery",
    "domestic_burglary",
    "non_domestic_burglary",
    "theft_of_vehicle",
    "theft_from_vehicle",
    "theft_from_person",
    "shoplifting",
    "other_theft",
    "arson",
    "criminal_damage",
    "drugs",
    "public_order",
    "fraud",
    "motoring",
    "breach",
    "other",
)
OUTCOMES = ("conviction", "caution", "none", "pending")
DISPOSALS = ("custody", "community", "suspended", "fine", "discharge", "other")
PROVEN = ("conviction", "caution")

# "Cost of crime defaults" (Home Office, The economic and social costs of crime, 2nd ed., 2018, 2015/16 prices).
UNIT_COSTS = {
    "homicide": Decimal(3_217_740),
    "rape": Decimal(39_360),
    "violence_with_injury": Decimal(14_050),
    "robbery": Decimal(11_320),
    "theft_of_vehicle": Decimal(10_290),
    "arson": Decimal(8_420),
    "other_sexual": Decimal(6_520),
    "violence_without_injury": Decimal(5_930),
    "domestic_burglary": Decimal(5_930),
    "theft_from_person": Decimal(1_380),
    "criminal_damage": Decimal(1_350),
    "theft_from_vehicle": Decimal(870),
}
PRICE_YEAR = "2015/16"

Z = Decimal("1.959964")
SMALL_NUMBER = 5  # fewer measurable people (or pre/post members) than this suppresses a figure
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Person:
    id: int
    date_of_birth: datetime.date
    gender: str | None = None
    ethnicity: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class Record:
    record_id: str
    person_id: int
    offence_date: datetime.date
    offence_category: str
    outcome: str
    outcome_date: datetime.date | None = None
    disposal: str | None = None
    release_date: datetime.date | None = None


@dataclass(frozen=True)
class Membership:
    person_id: int
    cohort: str  # the cohort's slug
    adopted_on: datetime.date
    exited_on: datetime.date | None = None


@dataclass
class World:
    people: dict[int, Person]
    records: list[Record]
    memberships: list[Membership] = field(default_factory=list)
    unit_costs: dict[str, Decimal] = field(default_factory=lambda: dict(UNIT_COSTS))

    def records_of(self, person_id: int) -> list[Record]:
        return [record for record in self.records if record.person_id == person_id]


# --- Calendar -----------------------------------------------------------------------------------------------


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later (earlier when negative), clamped to that month's last day."""
    month = day.month + months
    year = day.year
    while month > 12:
        month -= 12
        year += 1
    while month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def one_year_after(day: datetime.date) -> datetime.date:
    return months_after(day, 12)


def six_months_after(day: datetime.date) -> datetime.date:
    return months_after(day, 6)


def one_year_before(day: datetime.date) -> datetime.date:
    return months_after(day, -12)


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Completed years on ``day``; a 29 February birthday falls on 1 March in a year without one."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(day.year):
        birthday = datetime.date(day.year, 3, 1)
    else:
        birthday = born.replace(year=day.year)
    return day.year - born.year - (1 if day < birthday else 0)


def age_band(age: int) -> str:
    if age < 18:
        return "under_18"
    if age < 25:
        return "18_24"
    if age < 35:
        return "25_34"
    if age < 50:
        return "35_49"
    return "50_plus"


def quarter_window(quarter: str) -> tuple[datetime.date, datetime.date]:
    """``"2018Q1"`` -> (2018-01-01, 2018-03-31)."""
    year, number = int(quarter[:4]), int(quarter[5:])
    first = datetime.date(year, 3 * number - 2, 1)
    last_month = 3 * number
    return first, datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])


def quarters_between(first: str, last: str) -> list[str]:
    year, number = int(first[:4]), int(first[5:])
    quarters = []
    while f"{year}Q{number}" != last:
        quarters.append(f"{year}Q{number}")
        number += 1
        if number == 5:
            year, number = year + 1, 1
        assert year < 3000, "to_quarter before from_quarter"
    quarters.append(last)
    return quarters


# --- Numbers --------------------------------------------------------------------------------------------------


def round_half_up(value: Fraction | int, places: int) -> float:
    """Exact ``value`` to ``places`` decimals, a half rounded up (away from zero for a negative half)."""
    value = Fraction(value)
    scale = 10**places
    whole = math.floor(abs(value) * scale + Fraction(1, 2))
    return float(Fraction(whole if value >= 0 else -whole, scale))


def round_half_toward_plus_infinity(value: Fraction | int, places: int) -> float:
    """The other reading of "half up" for a negative half (-6.25 -> -6.2); the same as above otherwise."""
    scale = 10**places
    return float(Fraction(math.floor(Fraction(value) * scale + Fraction(1, 2)), scale))


def _decimal_to_places(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def wilson_interval(successes: int, n: int, z: Decimal = Z) -> list[float]:
    """Wilson score interval without continuity correction, in 60-digit decimals, clamped, then 4 dp."""
    with localcontext() as context:
        context.prec = 60
        n_ = Decimal(n)
        p = Decimal(successes) / n_
        z2 = z * z
        denominator = 1 + z2 / n_
        centre = (p + z2 / (2 * n_)) / denominator
        half_width = z / denominator * (p * (1 - p) / n_ + z2 / (4 * n_ * n_)).sqrt()
        low = min(max(centre - half_width, Decimal(0)), Decimal(1))
        high = min(max(centre + half_width, Decimal(0)), Decimal(1))
        return [_decimal_to_places(low, 4), _decimal_to_places(high, 4)]


def whole_pounds(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Proven reoffending ---------------------------------------------------------------------------------------


def index_event(record: Record) -> datetime.date | None:
    """A caution or a non-custodial conviction on its outcome date; a custodial one on its release date (none
    while the person is still in custody); nothing for ``none`` or ``pending``."""
    if record.outcome == "caution":
        return record.outcome_date
    if record.outcome == "conviction":
        return record.release_date if record.disposal == "custody" else record.outcome_date
    return None


@dataclass(frozen=True)
class Measured:
    """One person in the measure: their index offence, dates and proven reoffences."""

    person: Person
    index_record: Record
    index_date: datetime.date
    follow_up_end: datetime.date
    waiting_end: datetime.date
    measurable: bool
    proven_reoffences: int

    def value(self, dimension: str) -> str | None:
        if dimension == "age_band":
            return age_band(age_on(self.person.date_of_birth, self.index_date))
        if dimension == "index_offence_category":
            return self.index_record.offence_category
        return getattr(self.person, dimension)


BREAKDOWN_CODES = {
    "gender": GENDERS,
    "ethnicity": ETHNICITIES,
    "age_band": AGE_BANDS,
    "district": DISTRICTS,
    "index_offence_category": CATEGORIES,
}


def in_cohort(world: World, cohort: str, index_from: datetime.date, index_to: datetime.date) -> set[int]:
    """People with a membership of ``cohort`` overlapping the window by a day; ``exited_on`` is the last day."""
    return {
        membership.person_id
        for membership in world.memberships
        if membership.cohort == cohort
        and membership.adopted_on <= index_to
        and (membership.exited_on is None or membership.exited_on >= index_from)
    }


def measure_people(
    world: World, *, index_from: datetime.date, index_to: datetime.date, as_of: datetime.date, cohort: str | None
) -> list[Measured]:
    eligible = set(world.people) if cohort is None else in_cohort(world, cohort, index_from, index_to)
    measured = []
    for person_id in sorted(eligible):
        records = world.records_of(person_id)
        events = []
        for record in records:
            event = index_event(record)
            if event is not None and index_from <= event <= index_to:
                events.append((event, record.record_id, record))  # str comparison is code-point order
        if not events:
            continue
        index_date, _, index_record = min(events, key=lambda event: (event[0], event[1]))
        follow_up_end = one_year_after(index_date)
        waiting_end = six_months_after(follow_up_end)
        reoffences = sum(
            1
            for record in records
            if index_date < record.offence_date <= follow_up_end
            and record.outcome in PROVEN
            and record.outcome_date is not None
            and record.outcome_date <= waiting_end
            and record.offence_category != "breach"
        )
        measured.append(
            Measured(
                person=world.people[person_id],
                index_record=index_record,
                index_date=index_date,
                follow_up_end=follow_up_end,
                waiting_end=waiting_end,
                measurable=waiting_end <= as_of,
                proven_reoffences=reoffences,
            )
        )
    return measured


FIGURES = (
    "measurable",
    "reoffenders",
    "proven_reoffences",
    "binary_rate",
    "binary_rate_ci95",
    "frequency_per_offender",
    "frequency_per_reoffender",
)


def figures(group: list[Measured]) -> dict[str, Any]:
    """The figures of a group of measurable people, or every one ``None`` when there are fewer than five."""
    measurable = len(group)
    if measurable < SMALL_NUMBER:
        return {**dict.fromkeys(FIGURES), "suppressed": True}
    reoffenders = sum(1 for person in group if person.proven_reoffences > 0)
    reoffences = sum(person.proven_reoffences for person in group)
    return {
        "measurable": measurable,
        "reoffenders": reoffenders,
        "proven_reoffences": reoffences,
        "binary_rate": round_half_up(Fraction(reoffenders, measurable), 4),
        "binary_rate_ci95": wilson_interval(reoffenders, measurable),
        "frequency_per_offender": round_half_up(Fraction(reoffences, measurable), 4),
        "frequency_per_reoffender": round_half_up(Fraction(reoffences, reoffenders), 4) if reoffenders else None,
        "suppressed": False,
    }


def breakdown(group: list[Measured], dimension: str) -> list[dict[str, Any]]:
    codes = BREAKDOWN_CODES[dimension]
    values = {person.value(dimension) for person in group}
    unknown = values - set(codes) - {None}
    assert not unknown, f"codes outside the formats in {dimension}: {unknown}"
    ordered = [code for code in codes if code in values] + ([None] if None in values else [])
    return [
        {"value": value, **figures([person for person in group if person.value(dimension) == value])}
        for value in ordered
    ]


def reoffending(
    world: World,
    *,
    index_from: datetime.date,
    index_to: datetime.date,
    as_of: datetime.date,
    cohort: str | None = None,
    with_breakdowns: bool = True,
) -> dict[str, Any]:
    measured = measure_people(world, index_from=index_from, index_to=index_to, as_of=as_of, cohort=cohort)
    group = [person for person in measured if person.measurable]
    result = {
        "index_from": index_from.isoformat(),
        "index_to": index_to.isoformat(),
        "as_of": as_of.isoformat(),
        "cohort": cohort,
        "people_with_index_event": len(measured),
        "not_yet_measurable": len(measured) - len(group),
        **figures(group),
    }
    if with_breakdowns:
        result["breakdowns"] = {dimension: breakdown(group, dimension) for dimension in BREAKDOWN_CODES}
    return result


def reoffending_quarterly(
    world: World, *, from_quarter: str, to_quarter: str, as_of: datetime.date, cohort: str | None = None
) -> dict[str, Any]:
    quarters = []
    for quarter in quarters_between(from_quarter, to_quarter):
        first, last = quarter_window(quarter)
        window = {"index_from": first, "index_to": last, "as_of": as_of, "cohort": cohort}
        quarters.append({**reoffending(world, **window, with_breakdowns=False), "quarter": quarter})
    return {"quarters": quarters}


# --- Pre/post adoption ----------------------------------------------------------------------------------------

PRE_POST_FIGURES = (
    "members",
    "offences_before",
    "offences_after",
    "change_pct",
    "cost_before",
    "cost_after",
    "cost_change",
    "uncosted_offences",
    "by_category",
)


@dataclass(frozen=True)
class AdoptionWindows:
    adopted_on: datetime.date
    before_from: datetime.date
    before_to: datetime.date  # inclusive
    before_cutoff: datetime.date
    after_from: datetime.date
    after_to: datetime.date  # inclusive
    after_cutoff: datetime.date
    measurable_on: datetime.date

    @classmethod
    def of(cls, adopted_on: datetime.date) -> "AdoptionWindows":
        before_to = adopted_on - ONE_DAY
        after_to = one_year_after(adopted_on) - ONE_DAY
        return cls(
            adopted_on=adopted_on,
            before_from=one_year_before(adopted_on),
            before_to=before_to,
            before_cutoff=six_months_after(before_to),
            after_from=adopted_on,
            after_to=after_to,
            after_cutoff=six_months_after(after_to),
            measurable_on=months_after(adopted_on, 18),
        )

    def side(self, record: Record) -> str | None:
        """``"before"``, ``"after"`` or ``None``: where this record counts, if it counts at all."""
        if record.outcome not in PROVEN or record.outcome_date is None or record.offence_category == "breach":
            return None
        if self.before_from <= record.offence_date <= self.before_to and record.outcome_date <= self.before_cutoff:
            return "before"
        if self.after_from <= record.offence_date <= self.after_to and record.outcome_date <= self.after_cutoff:
            return "after"
        return None


def first_adoptions(world: World, cohort: str) -> dict[int, datetime.date]:
    first: dict[int, datetime.date] = {}
    for membership in world.memberships:
        if membership.cohort == cohort:
            known = first.get(membership.person_id)
            if known is None or membership.adopted_on < known:
                first[membership.person_id] = membership.adopted_on
    return first


def change_pct(before: int, after: int) -> float | None:
    return None if before == 0 else round_half_up(Fraction(after - before, before) * 100, 1)


def change_pct_readings(before: int, after: int) -> set[float | None]:
    """Every value a fair reading of "rounded half up" gives (they differ only on a negative half)."""
    if before == 0:
        return {None}
    exact = Fraction(after - before, before) * 100
    return {round_half_up(exact, 1), round_half_toward_plus_infinity(exact, 1)}


def pre_post(world: World, *, cohort: str, as_of: datetime.date) -> dict[str, Any]:
    members = {
        person_id: AdoptionWindows.of(adopted_on)
        for person_id, adopted_on in first_adoptions(world, cohort).items()
        if months_after(adopted_on, 18) <= as_of
    }
    if len(members) < SMALL_NUMBER:
        return {**dict.fromkeys(PRE_POST_FIGURES), "suppressed": True}
    counts: Counter[tuple[str, str]] = Counter()
    for person_id, windows in members.items():
        for record in world.records_of(person_id):
            side = windows.side(record)
            if side is not None:
                counts[record.offence_category, side] += 1

    def cost(category: str, side: str) -> Decimal | None:
        unit = world.unit_costs.get(category)
        return None if unit is None else unit * counts[category, side]

    by_category = []
    for category in CATEGORIES:
        before, after = counts[category, "before"], counts[category, "after"]
        if before or after:
            cost_before, cost_after = cost(category, "before"), cost(category, "after")
            by_category.append(
                {
                    "category": category,
                    "before": before,
                    "after": after,
                    "cost_before": None if cost_before is None else whole_pounds(cost_before),
                    "cost_after": None if cost_after is None else whole_pounds(cost_after),
                }
            )
    offences_before = sum(count for (_, side), count in counts.items() if side == "before")
    offences_after = sum(count for (_, side), count in counts.items() if side == "after")
    costed = [category for category in CATEGORIES if category in world.unit_costs]
    cost_before = whole_pounds(sum((cost(category, "before") for category in costed), Decimal(0)))
    cost_after = whole_pounds(sum((cost(category, "after") for category in costed), Decimal(0)))
    uncosted = sum(count for (category, _), count in counts.items() if category not in world.unit_costs)
    return {
        "members": len(members),
        "offences_before": offences_before,
        "offences_after": offences_after,
        "change_pct": change_pct(offences_before, offences_after),
        "cost_before": cost_before,
        "cost_after": cost_after,
        "cost_change": cost_after - cost_before,
        "uncosted_offences": uncosted,
        "by_category": by_category,
        "suppressed": False,
    }
