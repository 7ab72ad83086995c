"""The metrics on seeded random data, figure by figure against the plain-Python reference
(tests/outcomes/reference_metrics.py, itself checked by the hand-computed tests), and their query counts.

The data (``random.Random(2026)``) is built to hit the rules' edges: every outcome and disposal, custody
with and without release dates (some after ``as_of``), breaches, index events and outcomes on leap days,
index-date ties between record ids that sort differently in code-point and "natural" order, memberships
that start and end on window boundaries, exits and re-adoptions, and people with blank codes; then
``World.edges`` adds people placed exactly on the rules' boundaries (month-end follow-up and waiting ends,
cohort overlap by one day, birthdays moving someone into the next age band, pre/post window edges and proof
cutoffs, a cohort of exactly four eligible members).
Adoption dates avoid 29 February, the one day where "one year before" and "eighteen months after" could be
read two ways (see reference_metrics).
"""

import datetime
import itertools
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iom.models import Cohort
from outcomes.metrics import pre_post, reoffending, reoffending_quarterly
from tests.iom.factories import CohortFactory, MembershipFactory, PersonFactory
from tests.outcomes import reference_metrics as reference
from tests.outcomes.factories import OffenceRecordFactory
from tests.outcomes.metric_engines import world_from_database

pytestmark = pytest.mark.django_db

date = datetime.date
DAY = datetime.timedelta(days=1)
SEED = 2026
PEOPLE = 150

FIRST_OFFENCE, LAST_OFFENCE = date(2014, 6, 1), date(2021, 6, 30)
LEAP_DAYS = (date(2016, 2, 29), date(2020, 2, 29))
# Window edges the comparisons use, so memberships start and end on them (and the day either side).
EDGES = (
    date(2015, 7, 1),
    date(2016, 1, 1),
    date(2016, 12, 31),
    date(2017, 1, 1),
    date(2017, 12, 31),
    date(2018, 4, 1),
    date(2018, 6, 30),
    date(2019, 1, 1),
    date(2019, 8, 31),
    date(2018, 8, 31),
    date(2017, 3, 1),
)
MEMBERSHIP_SPECIALS = tuple(sorted({edge + DAY * shift for edge in EDGES for shift in (-1, 0, 1)}))

WINDOWS = [
    # (index_from, index_to, as_of)
    (date(2016, 1, 1), date(2016, 12, 31), date(2018, 3, 15)),  # a leap year, partly measurable
    (date(2016, 1, 1), date(2016, 12, 31), date(2017, 8, 28)),  # the waiting end of a 2016-02-29 index
    (date(2017, 1, 1), date(2017, 12, 31), date(2019, 3, 1)),
    (date(2018, 4, 1), date(2018, 6, 30), date(2021, 1, 1)),  # one quarter, all measurable
    (date(2018, 7, 1), date(2018, 9, 30), date(2020, 2, 29)),  # the waiting end of a 2018-08-31 index
    (date(2019, 1, 1), date(2019, 12, 31), date(2020, 9, 15)),  # mostly not yet measurable
    (date(2015, 7, 1), date(2018, 6, 30), date(2021, 6, 30)),  # three years, the big cells
]
PRE_POST_AS_OF = (date(2019, 6, 30), date(2021, 1, 1), date(2021, 2, 27), date(2021, 2, 28), date(2023, 1, 1))
COHORTS = ("fixed", "flex", "free", "tiny")

GENDER_WEIGHTS = {"male": 50, "female": 25, "other": 5, "unknown": 8, None: 12}
ETHNICITY_WEIGHTS = {"white": 50, "black": 10, "asian": 10, "mixed": 8, "other": 5, "not_stated": 7, None: 10}
OUTCOME_WEIGHTS = {"conviction": 45, "caution": 25, "none": 15, "pending": 15}
DISPOSAL_WEIGHTS = {"custody": 25, "community": 25, "suspended": 15, "fine": 15, "discharge": 10, "other": 10}
# Record ids that sort one way by code point and another way "naturally" or case-insensitively.
TIE_PAIRS = (("B-{n}", "a-{n}"), ("A{n}10", "A{n}9"), ("a-{n}", "a{n}"), ("Z{n}", "z{n}"), ("{n}0", "{n}_"))
ID_STYLES = ("A{n}", "a{n}", "B-{n}", "b_{n}", "Z{n}", "{n}", "rec {n}")


def seeded() -> random.Random:
    return random.Random(SEED)  # noqa: S311 - reproducible test data, not secrets


def choose(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + DAY * rng.randint(0, (last - first).days)


def not_a_leap_day(day: datetime.date) -> datetime.date:
    return day - DAY if (day.month, day.day) == (2, 29) else day


class World:
    """Seeded random people, memberships and offence records, written through the factories."""

    def __init__(self, rng: random.Random, cohorts: dict[str, Cohort]):
        self.rng = rng
        self.cohorts = cohorts
        self.numbers = itertools.count(1)
        self.ids: set[str] = set()

    def record_id(self, style: str | None = None) -> str:
        while True:
            candidate = (style or self.rng.choice(ID_STYLES)).format(n=next(self.numbers))
            if candidate not in self.ids:
                self.ids.add(candidate)
                return candidate

    def populate(self, people: int, *, everyone_in: str | None = None, also_cautioned_on=None) -> None:
        """``people`` random people. ``everyone_in``: a cohort all of them join (one open membership adopted
        2015..2017Q1); ``also_cautioned_on``: a day each of them is also cautioned on, so that even a single
        quarter has five or more measurable people."""
        rng = self.rng
        for _ in range(people):
            if rng.random() < 0.1:
                born = rng.choice((date(1988, 2, 29), date(1996, 2, 29), date(2000, 2, 29), date(2004, 2, 29)))
            else:
                born = day_between(rng, date(1955, 1, 1), date(2004, 12, 31))
            person = PersonFactory(
                date_of_birth=born,
                gender=choose(rng, GENDER_WEIGHTS),
                ethnicity=choose(rng, ETHNICITY_WEIGHTS),
                district=rng.choice([*reference.DISTRICTS, None, None]),
            )
            for slug, chance in (("fixed", 0.6), ("flex", 0.35), ("free", 0.2)):
                if slug == everyone_in:
                    adopted = not_a_leap_day(day_between(rng, date(2015, 1, 1), date(2017, 4, 1)))
                    MembershipFactory(person=person, cohort=self.cohorts[slug], adopted_on=adopted)
                elif rng.random() < chance:
                    self.memberships(person, self.cohorts[slug])
            for _ in range(rng.randint(0, 8)):
                self.record(person)
            if rng.random() < 0.15:
                self.tie(person)
            if also_cautioned_on:
                OffenceRecordFactory(
                    record_id=self.record_id(),
                    person=person,
                    offence_date=also_cautioned_on - DAY * 30,
                    outcome_date=also_cautioned_on,
                )

    def memberships(self, person, cohort) -> None:
        rng = self.rng
        adopted = (
            rng.choice(MEMBERSHIP_SPECIALS)
            if rng.random() < 0.3
            else day_between(rng, date(2015, 1, 1), date(2020, 12, 31))
        )
        for _ in range(3):
            adopted = not_a_leap_day(adopted)
            exited = None
            if rng.random() < 0.45:
                later = [day for day in MEMBERSHIP_SPECIALS if day >= adopted]
                exited = rng.choice(later) if later and rng.random() < 0.3 else adopted + DAY * rng.randint(0, 700)
            MembershipFactory(
                person=person,
                cohort=cohort,
                adopted_on=adopted,
                exited_on=exited,
                exit_reason="Panel" if exited else "",
            )
            if exited is None or rng.random() < 0.65:
                return
            adopted = exited + DAY * rng.randint(1, 500)

    def record(self, person) -> None:
        rng = self.rng
        offence_on = day_between(rng, FIRST_OFFENCE, LAST_OFFENCE)
        outcome = choose(rng, OUTCOME_WEIGHTS)
        outcome_on = disposal = release_on = None
        if outcome in reference.PROVEN:
            outcome_on = offence_on + DAY * rng.choice((0, rng.randint(1, 60), rng.randint(60, 550)))
            if rng.random() < 0.05:
                leap_day = rng.choice(LEAP_DAYS)
                outcome_on = leap_day if leap_day >= offence_on else outcome_on
        if outcome == "conviction":
            disposal = choose(rng, DISPOSAL_WEIGHTS)
        if disposal == "custody" and rng.random() < 0.75:
            release_on = outcome_on + DAY * rng.randint(0, 900)
            if rng.random() < 0.08:
                leap_day = rng.choice(LEAP_DAYS)
                release_on = leap_day if leap_day >= outcome_on else release_on
        OffenceRecordFactory(
            record_id=self.record_id(),
            person=person,
            offence_date=offence_on,
            offence_category=rng.choice(reference.CATEGORIES),
            outcome=outcome,
            outcome_date=outcome_on,
            disposal=disposal,
            release_date=release_on,
        )

    def tie(self, person) -> None:
        """Two (sometimes three) index events on one day, under ids that sort differently by locale."""
        rng = self.rng
        day = rng.choice(LEAP_DAYS[:1]) if rng.random() < 0.2 else day_between(rng, date(2015, 6, 1), date(2020, 6, 30))
        n = next(self.numbers)
        pair = [style.format(n=n) for style in rng.choice(TIE_PAIRS)]
        rng.shuffle(pair)
        for record_id in pair:
            self.ids.add(record_id)
            OffenceRecordFactory(
                record_id=record_id,
                person=person,
                offence_date=day - DAY * rng.randint(0, 90),
                offence_category=rng.choice(reference.CATEGORIES),
                outcome=rng.choice(reference.PROVEN),
                outcome_date=day,
            )
        if rng.random() < 0.3:
            OffenceRecordFactory(
                record_id=self.record_id(),
                person=person,
                custody=True,
                offence_date=day - DAY * 300,
                outcome_date=day - DAY * 200,
                release_date=day,
                offence_category=rng.choice(reference.CATEGORIES),
            )

    def caution(self, person, *, offence_on: datetime.date, proven_on: datetime.date) -> None:
        OffenceRecordFactory(
            record_id=self.record_id(),
            person=person,
            offence_date=offence_on,
            outcome_date=proven_on,
            offence_category=self.rng.choice(reference.CATEGORIES),
        )

    def edges(self) -> None:
        """People built on the rules' edges, on top of the random ones."""
        self.month_end_stories()
        self.cohort_boundaries()
        self.birthdays()
        self.pre_post_boundaries()
        self.tiny_cohort()

    def month_end_stories(self) -> None:
        """Indexed 2016-02-29 (follow-up end 2017-02-28, waiting end 2017-08-28) and 2018-08-31 (2019-08-31,
        2020-02-29), with offences and outcomes on and either side of those days; nothing else on record."""
        stories = {
            date(2016, 2, 29): [
                (date(2016, 2, 29), date(2016, 3, 15)),
                (date(2017, 2, 28), date(2017, 3, 15)),
                (date(2017, 3, 1), date(2017, 3, 15)),
                (date(2016, 6, 1), date(2017, 8, 28)),
                (date(2016, 6, 1), date(2017, 8, 29)),
            ],
            date(2018, 8, 31): [
                (date(2019, 8, 31), date(2019, 9, 15)),
                (date(2019, 9, 1), date(2019, 9, 15)),
                (date(2019, 1, 1), date(2020, 2, 29)),
                (date(2019, 1, 1), date(2020, 3, 1)),
                (date(2019, 1, 1), date(2020, 3, 2)),
            ],
        }
        for index_on, offences in stories.items():
            for _ in range(6):
                person = PersonFactory(date_of_birth=date(1985, 5, 5))
                self.caution(person, offence_on=index_on - DAY * 20, proven_on=index_on)
                for offence_on, proven_on in self.rng.sample(offences, self.rng.randint(1, 4)):
                    self.caution(person, offence_on=offence_on, proven_on=proven_on)

    def cohort_boundaries(self) -> None:
        """For each window, members who exit the day before it / on its first day, and who are adopted on
        its last day / the day after, each indexed inside it."""
        for index_from, index_to, _ in WINDOWS:
            middle = index_from + (index_to - index_from) / 2
            for adopted, exited in (
                (index_from - DAY * 400, index_from - DAY),
                (index_from - DAY * 400, index_from),
                (index_to, None),
                (index_to + DAY, None),
            ):
                person = PersonFactory()
                self.caution(person, offence_on=middle - DAY * 10, proven_on=middle)
                MembershipFactory(
                    person=person,
                    cohort=self.cohorts[self.rng.choice(("fixed", "flex", "free"))],
                    adopted_on=not_a_leap_day(adopted),
                    exited_on=exited,
                    exit_reason="Panel" if exited else "",
                )

    def birthdays(self) -> None:
        """Indexed on or the day before the birthday that moves them into the next age band, including a
        29 February birthday (index 2018-02-28 or 2018-03-01)."""
        for age in (18, 25, 35, 50):
            for born_days_later in (0, 1):
                index_on = day_between(self.rng, date(2015, 8, 1), date(2018, 5, 31))
                born = not_a_leap_day(index_on).replace(year=index_on.year - age) + DAY * born_days_later
                person = PersonFactory(date_of_birth=born)
                self.caution(person, offence_on=index_on - DAY * 10, proven_on=index_on)
        for index_on in (date(2018, 2, 28), date(2018, 3, 1)):
            person = PersonFactory(date_of_birth=date(2000, 2, 29))
            self.caution(person, offence_on=index_on - DAY * 10, proven_on=index_on)

    def pre_post_boundaries(self) -> None:
        """Members whose offences fall on and either side of their windows' edges and proof cutoffs."""
        for adopted_on in (
            date(2018, 3, 1),
            date(2019, 8, 31),
            date(2017, 2, 28),
            date(2018, 12, 31),
            date(2019, 3, 1),
        ):
            windows = reference.AdoptionWindows.of(adopted_on)
            for slug in ("fixed", "flex"):
                person = PersonFactory()
                MembershipFactory(person=person, cohort=self.cohorts[slug], adopted_on=adopted_on)
                for offence_on in (
                    windows.before_from - DAY,
                    windows.before_from,
                    windows.before_to,
                    windows.after_from,
                    windows.after_to,
                    windows.after_to + DAY,
                ):
                    self.caution(person, offence_on=offence_on, proven_on=offence_on + DAY * 20)
                for offence_on, cutoff in (
                    (windows.before_from + DAY * 100, windows.before_cutoff),
                    (windows.after_from + DAY * 100, windows.after_cutoff),
                ):
                    for late in range(-1, 4):
                        self.caution(person, offence_on=offence_on, proven_on=cutoff + DAY * late)

    def tiny_cohort(self) -> None:
        """Four members eligible from 2018-07-01 and a fifth from 2020-12-01: suppressed, then shown."""
        for adopted_on in (date(2017, 1, 1),) * 4 + (date(2019, 6, 1),):
            person = PersonFactory()
            MembershipFactory(person=person, cohort=self.cohorts["tiny"], adopted_on=adopted_on)
            for _ in range(3):
                self.record(person)


def cohorts() -> dict[str, Cohort]:
    return {slug: CohortFactory(slug=slug, name=slug.title(), scheme=None) for slug in COHORTS}


@pytest.fixture
def world(db) -> dict[str, Cohort]:
    made = cohorts()
    world = World(seeded(), made)
    world.populate(PEOPLE)
    world.edges()
    return made


def differences(actual, expected, path: str = "") -> list[str]:
    """Where ``actual`` departs from ``expected``: every key of ``expected`` (extra keys of ``actual`` are
    allowed), lists element by element, numbers by value."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: {actual!r}, expected {expected!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found += differences(actual[key], value, f"{path}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            shown = [cell.get("value") for cell in expected] if expected and isinstance(expected[0], dict) else expected
            return [f"{path}: {actual!r}, expected {len(expected)} items {shown!r}"]
        return [
            line
            for index, pair in enumerate(zip(actual, expected, strict=True))
            for line in differences(*pair, f"{path}[{index}]")
        ]
    if actual != expected:
        return [f"{path}: {actual!r}, expected {expected!r}"]
    return []


def assert_no_differences(found: list[str]) -> None:
    assert not found, f"{len(found)} differences from the reference:\n" + "\n".join(found[:40])


# --- Figure by figure --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cohort_slug", [None, *COHORTS])
def test_reoffending_matches_the_reference(world, cohort_slug):
    cohort = world[cohort_slug] if cohort_slug else None
    data = world_from_database()
    found = []
    for index_from, index_to, as_of in WINDOWS:
        window = {"index_from": index_from, "index_to": index_to, "as_of": as_of}
        label = f"{index_from}..{index_to} on {as_of}"
        expected = reference.reoffending(data, **window, cohort=cohort_slug)
        found += differences(reoffending(**window, cohort=cohort), expected, label)
        expected.pop("breakdowns")
        plain = reoffending(**window, cohort=cohort, with_breakdowns=False)
        found += differences(plain, expected, f"{label} without breakdowns")
        if "breakdowns" in plain:
            found.append(f"{label} without breakdowns: has a breakdowns key")
    assert_no_differences(found)


@pytest.mark.parametrize("cohort_slug", [None, "fixed"])
def test_reoffending_quarterly_matches_the_reference(world, cohort_slug):
    cohort = world[cohort_slug] if cohort_slug else None
    data = world_from_database()
    found = []
    for first, last, as_of in (("2016Q1", "2019Q4", date(2020, 6, 30)), ("2017Q3", "2018Q2", date(2019, 1, 15))):
        expected = reference.reoffending_quarterly(
            data, from_quarter=first, to_quarter=last, as_of=as_of, cohort=cohort_slug
        )
        actual = reoffending_quarterly(from_quarter=first, to_quarter=last, as_of=as_of, cohort=cohort)
        found += differences(actual, expected, f"{first}..{last} on {as_of}")
        found += [
            f"{first}..{last}: breakdowns in a quarter" for quarter in actual["quarters"] if "breakdowns" in quarter
        ]
    assert_no_differences(found)


@pytest.mark.parametrize("cohort_slug", COHORTS)
def test_pre_post_matches_the_reference(world, cohort_slug):
    data = world_from_database()
    found = []
    for as_of in PRE_POST_AS_OF:
        expected = reference.pre_post(data, cohort=cohort_slug, as_of=as_of)
        actual = pre_post(cohort=world[cohort_slug], as_of=as_of)
        if not expected["suppressed"] and actual.get("change_pct") in reference.change_pct_readings(
            expected["offences_before"], expected["offences_after"]
        ):
            expected["change_pct"] = actual["change_pct"]  # a negative half may round either way
        found += differences(actual, expected, f"{cohort_slug} on {as_of}")
    assert_no_differences(found)


def test_the_random_data_reaches_the_edges_the_comparisons_rely_on(world):
    """If the generator drifts, the comparisons above would pass without testing much: check they can't."""
    data = world_from_database()
    records = data.records
    assert 600 <= len(records) <= 1200
    assert {record.outcome for record in records} == set(reference.OUTCOMES)
    assert {record.disposal for record in records} == {*reference.DISPOSALS, None}
    assert any(r.disposal == "custody" and r.release_date is None for r in records)
    assert any(r.release_date in LEAP_DAYS for r in records)
    assert sum(1 for r in records if r.offence_category == "breach" and r.outcome in reference.PROVEN) >= 10
    assert any(m.exited_on is not None for m in data.memberships)
    assert sum(1 for m in data.memberships if m.adopted_on in MEMBERSHIP_SPECIALS) >= 20
    assert sum(1 for m in data.memberships if m.exited_on in MEMBERSHIP_SPECIALS) >= 5
    assert {p.gender for p in data.people.values()} == {*reference.GENDERS, None}
    assert any((p.date_of_birth.month, p.date_of_birth.day) == (2, 29) for p in data.people.values())

    measured = reference.measure_people(
        data, index_from=date(2015, 7, 1), index_to=date(2018, 6, 30), as_of=date(2021, 6, 30), cohort=None
    )
    assert sum(1 for m in measured if m.index_date in LEAP_DAYS) >= 5
    ties = [
        m
        for m in measured
        if sum(1 for r in data.records_of(m.person.id) if reference.index_event(r) == m.index_date) > 1
    ]
    assert len(ties) >= 5
    assert sum(1 for m in measured if m.proven_reoffences) >= 30

    whole = reference.reoffending(
        data, index_from=date(2015, 7, 1), index_to=date(2018, 6, 30), as_of=date(2021, 6, 30)
    )
    cells = [cell for dimension in whole["breakdowns"].values() for cell in dimension]
    assert any(cell["suppressed"] for cell in cells)
    assert sum(1 for cell in cells if not cell["suppressed"]) >= 15
    assert any(cell["value"] is None and not cell["suppressed"] for cell in whole["breakdowns"]["gender"])
    partly = reference.reoffending(
        data, index_from=date(2017, 1, 1), index_to=date(2017, 12, 31), as_of=date(2019, 3, 1)
    )
    assert partly["not_yet_measurable"] > 0
    assert partly["measurable"]

    tiny = {as_of: reference.pre_post(data, cohort="tiny", as_of=as_of) for as_of in PRE_POST_AS_OF}
    assert tiny[date(2019, 6, 30)]["suppressed"]
    assert tiny[date(2021, 1, 1)]["members"] == 5

    fixed = [reference.pre_post(data, cohort="fixed", as_of=as_of) for as_of in PRE_POST_AS_OF]
    assert not fixed[-1]["suppressed"]
    assert fixed[-1]["uncosted_offences"] > 0
    assert fixed[-1]["offences_before"] > 0
    assert fixed[-1]["offences_after"] > 0


# --- Query counts --------------------------------------------------------------------------------------------------


def count_queries(function, **arguments) -> int:
    with CaptureQueriesContext(connection) as queries:
        function(**arguments)
    return len(queries)


MEASURES = {
    "reoffending-everyone": (
        reoffending,
        {"index_from": date(2015, 7, 1), "index_to": date(2018, 6, 30), "as_of": date(2021, 6, 30)},
    ),
    "reoffending-cohort": (
        reoffending,
        {"index_from": date(2015, 7, 1), "index_to": date(2018, 6, 30), "as_of": date(2021, 6, 30), "cohort": "fixed"},
    ),
    "quarterly": (
        reoffending_quarterly,
        {"from_quarter": "2016Q1", "to_quarter": "2018Q4", "as_of": date(2021, 6, 30), "cohort": "fixed"},
    ),
    "pre-post": (pre_post, {"as_of": date(2023, 1, 1), "cohort": "fixed"}),
}


# Ceilings: the counts measured on SQLite and PostgreSQL alike, with no slack, so any new query is a decision
# (tests/web/test_pages_query_counts.py does the same). Quarterly is one query for all its 12 quarters;
# pre/post reads the adoption dates without stored windows, adds them, counts members, counts offences and
# reads the unit costs.
CEILINGS = {"reoffending-everyone": 1, "reoffending-cohort": 1, "quarterly": 1, "pre-post": 5}


@pytest.mark.parametrize("measure", list(MEASURES))
def test_the_metric_reads_in_the_same_number_of_queries_for_20_and_60_people(db, measure):
    """DESIGN: "a constant number of queries per page" — a count that grows with the people is an N+1."""
    function, arguments = MEASURES[measure]
    made = cohorts()
    if "cohort" in arguments:
        arguments = {**arguments, "cohort": made[arguments["cohort"]]}
    world = World(seeded(), made)
    reference_function = {
        reoffending: reference.reoffending,
        reoffending_quarterly: reference.reoffending_quarterly,
        pre_post: reference.pre_post,
    }[function]

    measured = []
    for people in (20, 40):  # 20, then 60 in all
        world.populate(people, everyone_in="fixed", also_cautioned_on=date(2017, 5, 2))
        cohort = arguments.get("cohort")
        expected = reference_function(world_from_database(), **{**arguments, "cohort": cohort.slug if cohort else None})
        figures = expected.get("quarters", [expected])
        assert any(not figure["suppressed"] for figure in figures), "the data should give unsuppressed figures"
        measured.append(count_queries(function, **arguments))

    assert measured[0] == measured[1], f"{measured[0]} queries for 20 people, {measured[1]} for 60"
    assert measured[1] <= CEILINGS[measure]
