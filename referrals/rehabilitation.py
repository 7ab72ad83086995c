"""When a conviction or caution becomes spent under the Rehabilitation of Offenders Act 1974 (England and Wales).

Gateway to Employment shows an employer unspent convictions only (docs/product.md), so this module
decides what may be disclosed. It is plain Python with no models and no database, so services, imports and tests can
all call it. The full table, the sources and worked examples are in ``docs/rehabilitation-periods.md``.

Which table applies
-------------------
The rehabilitation periods were rewritten twice, and both times the new periods were applied to convictions and
cautions given *before* the change as well as after it. The catch was that nothing became spent before the day
the change came in, and nothing already spent became unspent. So the table that decides a question depends on
the date the question is asked about, not the date of conviction:

* on or after 28 October 2023: the table as amended by the Police, Crime, Sentencing and Courts Act 2022 s.193
  (``Regime.PCSC_2023``), for every conviction whatever its date;
* 10 March 2014 to 27 October 2023: the table as amended by the Legal Aid, Sentencing and Punishment of Offenders
  Act 2012 s.139 (``Regime.LASPO_2014``), again for every conviction whatever its date;
* before 10 March 2014: the original 1974 periods, which this module does not implement (``is_spent`` refuses).

``rehabilitation_end`` combines these: it gives the first day the conviction is spent under the 2023 table, but
never earlier than 28 October 2023 unless the 2014 table had already made it spent before then. For any date on or
after 28 October 2023 this means ``is_spent(s, on)`` is simply "the 2023 table's date is on or before ``on``".

Conventions
-----------
* Age is the age in completed years on the date of conviction (for a caution, the day it was given); under 18
  uses the youth column.
* ``ends_on`` is the last day on which the sentence or order has effect, inclusive. For custody that is the end of
  the whole term, licence included, not the release date. Where it is not known it is derived as the day before
  ``add_months(convicted_on, length_months)``: a 12-month sentence passed on 15 January 2024 ends on 14 January 2025.
* "N months after D" is ``add_months(D, N)``: the same day of the month N months later, clamped to the month's end
  (29 February 2024 + 12 months = 28 February 2025), as docs/metrics.md requires for all period arithmetic.
* A period that runs *until* a day (the last day of an order, the day compensation is paid in full) ends at the
  end of that day, so the conviction is spent from the next day. A period of N months *beginning with* a day D
  (custody, fines) ends the day before ``add_months(D, N)``, so the conviction is spent on ``add_months(D, N)``.
* ``None`` means no date can be given: the sentence is excluded from rehabilitation (never spent), or it waits on
  an event not yet recorded (an order "until further order" with no end date, compensation not yet paid). Either
  way the conviction must be treated as unspent.
* Where the sources left a point open, the longer period (disclosed for longer) is chosen; the doc lists each one.

Not handled here: a further conviction during a rehabilitation period can keep both convictions unspent until the
later period ends (ROA s.6(4), "drag-through"). That needs all of a person's convictions and belongs to the
service that assembles them; see the doc.
"""

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from iom.dates import add_months

LASPO_COMMENCEMENT = datetime.date(2014, 3, 10)
"""LASPO 2012 s.139-141 periods in force (applied to earlier convictions too)."""

PCSC_COMMENCEMENT = datetime.date(2023, 10, 28)
"""PCSC 2022 s.193 periods in force (applied to earlier convictions too)."""

ADULT_AGE = 18
YOUNGEST_CONVICTABLE_AGE = 10  # age of criminal responsibility in England and Wales
NO_END_DATE_MONTHS = 24  # an order that sets no last day: 24 months beginning with the date of conviction


class Regime(enum.StrEnum):
    """A version of the ROA 1974 s.5 table, named after the Act that brought it in."""

    LASPO_2014 = "laspo_2014"  # in force 10 March 2014 to 27 October 2023
    PCSC_2023 = "pcsc_2023"  # in force from 28 October 2023


def regime_on(day: datetime.date) -> Regime:
    """The table that decides whether something is spent on ``day``, whatever the date of conviction."""
    if day < LASPO_COMMENCEMENT:
        raise ValueError(f"{day.isoformat()} is before 10 March 2014: the original 1974 periods are not implemented")
    return Regime.PCSC_2023 if day >= PCSC_COMMENCEMENT else Regime.LASPO_2014


class SentenceType(enum.StrEnum):
    """The sentences and disposals of the gov.uk "Rehabilitation periods" table, as far as IOM records need them."""

    # Excluded from rehabilitation: never spent, at any age.
    LIFE = "life"  # imprisonment or custody for life, detention at His Majesty's pleasure or for life
    PUBLIC_PROTECTION = "public_protection"  # IPP, DPP, extended sentences including extended determinate sentences
    # Custodial: banded by the custodial term in ``length_months``.
    CUSTODY = "custody"  # imprisonment, detention in a YOI, detention (s.250 Sentencing Code, s.91 PCC(S)A), DTO
    SUSPENDED_SENTENCE = "suspended_sentence"  # banded by the custodial term, not the operational period
    SERVICE_DETENTION = "service_detention"
    # Orders: spent when the order ends.
    COMMUNITY_ORDER = "community_order"
    YOUTH_REHABILITATION_ORDER = "youth_rehabilitation_order"
    REFERRAL_ORDER = "referral_order"
    HOSPITAL_ORDER = "hospital_order"  # Mental Health Act 1983 Part 3, with or without a restriction order
    CONDITIONAL_DISCHARGE = "conditional_discharge"
    RELEVANT_ORDER = "relevant_order"  # restraining order, SHPO, criminal behaviour order, bind over, disqualification
    # Fixed periods and events.
    ABSOLUTE_DISCHARGE = "absolute_discharge"
    FINE = "fine"
    COMPENSATION_ORDER = "compensation_order"  # spent once paid in full: ``ends_on`` is the day it was paid
    MOTORING_ENDORSEMENT = "motoring_endorsement"
    REMOVAL_FROM_SERVICE = "removal_from_service"  # dismissal or removal from His Majesty's service
    # Cautions: ``convicted_on`` is the day the caution was given.
    SIMPLE_CAUTION = "simple_caution"
    YOUTH_CAUTION = "youth_caution"
    CONDITIONAL_CAUTION = "conditional_caution"  # ``ends_on``: last day the conditions have effect, if known
    YOUTH_CONDITIONAL_CAUTION = "youth_conditional_caution"


_CUSTODIAL_TYPES = frozenset({SentenceType.CUSTODY, SentenceType.SUSPENDED_SENTENCE})
_ORDER_TYPES = frozenset(
    {
        SentenceType.COMMUNITY_ORDER,
        SentenceType.YOUTH_REHABILITATION_ORDER,
        SentenceType.REFERRAL_ORDER,
        SentenceType.HOSPITAL_ORDER,
        SentenceType.CONDITIONAL_DISCHARGE,
        SentenceType.RELEVANT_ORDER,
    }
)
_CONDITIONAL_CAUTIONS = frozenset({SentenceType.CONDITIONAL_CAUTION, SentenceType.YOUTH_CONDITIONAL_CAUTION})


@dataclass(frozen=True)
class Sentence:
    """One sentence or disposal given on one occasion.

    ``length_months`` is the custodial term for custody and suspended sentences (required: it picks the band; for
    consecutive terms pass their total; round a term given in weeks or days *up* to whole months) or the length of
    an order. ``ends_on`` is the last day the sentence (licence included) or order has effect; it wins over a
    derived end. ``serious_offence`` means a single sentence of over four years was passed for an offence in
    Schedule 18 to the Sentencing Code (serious violent, sexual and terrorism offences); when unsure, say True.
    ``no_end_date`` marks an order that set no last day (spent 24 months after conviction);
    ``until_further_order`` one that runs until a court ends it (unspent until ``ends_on`` is recorded).
    """

    sentence_type: SentenceType
    convicted_on: datetime.date
    age_at_conviction: int
    length_months: int | None = None
    ends_on: datetime.date | None = None
    serious_offence: bool = False
    no_end_date: bool = False
    until_further_order: bool = False

    def __post_init__(self) -> None:
        kind = self.sentence_type
        if self.age_at_conviction < YOUNGEST_CONVICTABLE_AGE:
            raise ValueError(f"age_at_conviction must be at least {YOUNGEST_CONVICTABLE_AGE}")
        if self.length_months is not None and self.length_months < 1:
            raise ValueError("length_months must be at least 1 (round part-months up)")
        if self.ends_on is not None and self.ends_on < self.convicted_on:
            raise ValueError("ends_on cannot be before convicted_on")
        if (self.no_end_date or self.until_further_order) and kind not in _ORDER_TYPES:
            raise ValueError(f"no_end_date and until_further_order apply to orders, not to {kind}")
        if self.no_end_date and (self.until_further_order or self.ends_on or self.length_months):
            raise ValueError("no_end_date cannot be combined with an end date, a length or until_further_order")
        if self.until_further_order and self.length_months:
            raise ValueError("an order until further order has no length; record ends_on once a court ends it")
        if kind in _CUSTODIAL_TYPES and self.length_months is None:
            raise ValueError(f"{kind} needs length_months: the custodial term decides the rehabilitation period")
        if kind is SentenceType.SERVICE_DETENTION and self.ends_on is None and self.length_months is None:
            raise ValueError("service_detention needs ends_on or length_months")
        if (
            kind in _ORDER_TYPES
            and self.ends_on is None
            and self.length_months is None
            and not (self.no_end_date or self.until_further_order)
        ):
            raise ValueError(
                f"{kind} needs ends_on or length_months, or no_end_date / until_further_order when the order set none"
            )

    @property
    def is_youth(self) -> bool:
        """Under 18 on the date of conviction (or caution): the youth column applies."""
        return self.age_at_conviction < ADULT_AGE

    @property
    def last_day(self) -> datetime.date | None:
        """The last day the sentence or order has effect: ``ends_on``, else derived from the length, else None."""
        if self.ends_on is not None:
            return self.ends_on
        if self.length_months is not None:
            return add_months(self.convicted_on, self.length_months) - datetime.timedelta(days=1)
        return None


# --- The tables -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CustodyBand:
    up_to_months: int | None  # inclusive upper bound of the custodial term; None = no upper bound
    adult_months: int | None  # months after the last day of the sentence; None = excluded (never spent)
    youth_months: int | None


_CUSTODY_BANDS: dict[Regime, tuple[_CustodyBand, ...]] = {
    Regime.PCSC_2023: (
        _CustodyBand(up_to_months=12, adult_months=12, youth_months=6),
        _CustodyBand(up_to_months=48, adult_months=48, youth_months=24),
        # Over four years: 7 years (3.5 under 18), unless for a Schedule 18 offence (checked before banding).
        _CustodyBand(up_to_months=None, adult_months=84, youth_months=42),
    ),
    Regime.LASPO_2014: (
        _CustodyBand(up_to_months=6, adult_months=24, youth_months=18),
        _CustodyBand(up_to_months=30, adult_months=48, youth_months=24),
        _CustodyBand(up_to_months=48, adult_months=84, youth_months=42),
        _CustodyBand(up_to_months=None, adult_months=None, youth_months=None),  # over four years: never spent
    ),
}


class _Kind(enum.Enum):
    NEVER = "never"  # excluded from rehabilitation
    IMMEDIATE = "immediate"  # spent on the day given
    CUSTODIAL = "custodial"  # banded; months after the last day of the sentence
    AFTER_END = "after_end"  # months after the last day of the sentence or order
    END_OF_ORDER = "end_of_order"  # spent the day after the order's last day
    FROM_CONVICTION = "from_conviction"  # months beginning with the date of conviction
    ON_PAYMENT = "on_payment"  # spent the day after payment in full
    CONDITIONAL_CAUTION = "conditional_caution"  # 3 months after given, or when it stops having effect if earlier


@dataclass(frozen=True)
class _Rule:
    kind: _Kind
    adult_months: int = 0
    youth_months: int = 0


_PCSC_2023_RULES: dict[SentenceType, _Rule] = {
    SentenceType.LIFE: _Rule(_Kind.NEVER),
    SentenceType.PUBLIC_PROTECTION: _Rule(_Kind.NEVER),
    SentenceType.CUSTODY: _Rule(_Kind.CUSTODIAL),
    SentenceType.SUSPENDED_SENTENCE: _Rule(_Kind.CUSTODIAL),
    SentenceType.SERVICE_DETENTION: _Rule(_Kind.AFTER_END, adult_months=12, youth_months=6),
    SentenceType.COMMUNITY_ORDER: _Rule(_Kind.END_OF_ORDER),
    SentenceType.YOUTH_REHABILITATION_ORDER: _Rule(_Kind.END_OF_ORDER),
    SentenceType.REFERRAL_ORDER: _Rule(_Kind.END_OF_ORDER),
    SentenceType.HOSPITAL_ORDER: _Rule(_Kind.END_OF_ORDER),
    SentenceType.CONDITIONAL_DISCHARGE: _Rule(_Kind.END_OF_ORDER),
    SentenceType.RELEVANT_ORDER: _Rule(_Kind.END_OF_ORDER),
    SentenceType.ABSOLUTE_DISCHARGE: _Rule(_Kind.IMMEDIATE),
    SentenceType.FINE: _Rule(_Kind.FROM_CONVICTION, adult_months=12, youth_months=6),
    SentenceType.COMPENSATION_ORDER: _Rule(_Kind.ON_PAYMENT),
    SentenceType.MOTORING_ENDORSEMENT: _Rule(_Kind.FROM_CONVICTION, adult_months=60, youth_months=30),
    SentenceType.REMOVAL_FROM_SERVICE: _Rule(_Kind.FROM_CONVICTION, adult_months=12, youth_months=6),
    SentenceType.SIMPLE_CAUTION: _Rule(_Kind.IMMEDIATE),
    SentenceType.YOUTH_CAUTION: _Rule(_Kind.IMMEDIATE),
    SentenceType.CONDITIONAL_CAUTION: _Rule(_Kind.CONDITIONAL_CAUTION, adult_months=3, youth_months=3),
    SentenceType.YOUTH_CONDITIONAL_CAUTION: _Rule(_Kind.CONDITIONAL_CAUTION, adult_months=3, youth_months=3),
}

_RULES: dict[Regime, dict[SentenceType, _Rule]] = {
    Regime.PCSC_2023: _PCSC_2023_RULES,
    # 2014-2023 differed only in custody (the bands above) and in community orders and youth rehabilitation
    # orders, which ran on for 12 months (6 under 18) after the order's last day.
    Regime.LASPO_2014: _PCSC_2023_RULES
    | {
        SentenceType.COMMUNITY_ORDER: _Rule(_Kind.AFTER_END, adult_months=12, youth_months=6),
        SentenceType.YOUTH_REHABILITATION_ORDER: _Rule(_Kind.AFTER_END, adult_months=12, youth_months=6),
    },
}


def _custody_months(sentence: Sentence, regime: Regime) -> int | None:
    term = sentence.length_months
    if term is None:  # Sentence.__post_init__ prevents this; kept for type checkers
        raise ValueError(f"{sentence.sentence_type} needs length_months")
    if sentence.serious_offence and term > 48:
        return None  # ROA s.5(1)(b): over four years for a Schedule 18 offence, excluded at any age
    for band in _CUSTODY_BANDS[regime]:
        if band.up_to_months is None or term <= band.up_to_months:
            return band.youth_months if sentence.is_youth else band.adult_months
    raise AssertionError("the last band has no upper bound")  # pragma: no cover


def _order_end(sentence: Sentence) -> datetime.date | None:
    """First day spent for a rule that ends with the order (the day after its last day)."""
    if sentence.no_end_date:
        return add_months(sentence.convicted_on, NO_END_DATE_MONTHS)
    last_day = sentence.last_day
    if last_day is None:  # until further order, and no further order recorded yet
        return None
    return last_day + datetime.timedelta(days=1)


def regime_end(sentence: Sentence, regime: Regime) -> datetime.date | None:
    """The first day ``sentence`` is spent under one table alone, ignoring when that table came into force.

    Most callers want ``rehabilitation_end``; this is the building block, and shows what a table says.
    """
    rule = _RULES[regime][sentence.sentence_type]
    months = rule.youth_months if sentence.is_youth else rule.adult_months
    match rule.kind:
        case _Kind.NEVER:
            return None
        case _Kind.IMMEDIATE:
            return sentence.convicted_on
        case _Kind.FROM_CONVICTION:
            return add_months(sentence.convicted_on, months)
        case _Kind.CUSTODIAL:
            custody_months = _custody_months(sentence, regime)
            if custody_months is None:
                return None
            last_day = sentence.last_day
            return None if last_day is None else add_months(last_day, custody_months)
        case _Kind.AFTER_END:
            if sentence.no_end_date:
                return add_months(sentence.convicted_on, NO_END_DATE_MONTHS)
            last_day = sentence.last_day
            return None if last_day is None else add_months(last_day, months)
        case _Kind.END_OF_ORDER:
            return _order_end(sentence)
        case _Kind.ON_PAYMENT:
            return None if sentence.ends_on is None else sentence.ends_on + datetime.timedelta(days=1)
        case _Kind.CONDITIONAL_CAUTION:
            three_months = add_months(sentence.convicted_on, months)
            if sentence.ends_on is None:
                return three_months
            return min(three_months, sentence.ends_on + datetime.timedelta(days=1))
    raise AssertionError(f"unhandled rule {rule.kind}")  # pragma: no cover


def _latest(ends: Iterable[datetime.date | None]) -> datetime.date | None:
    """The longest of several periods; None (never / not yet) outranks any date."""
    dates = list(ends)
    if any(end is None for end in dates):
        return None
    return max(d for d in dates if d is not None)


def _transition(pcsc_end: datetime.date | None, laspo_end: datetime.date | None) -> datetime.date | None:
    """Apply both commencement dates: nothing spent early, nothing already spent made unspent."""
    if laspo_end is not None:
        # Anything the 2014 table made spent before 10 March 2014 was spent by that day at the latest; the exact
        # earlier day depends on the 1974 periods, which are not modelled. Reporting the later day is conservative.
        spent_under_laspo = max(laspo_end, LASPO_COMMENCEMENT)
        if spent_under_laspo < PCSC_COMMENCEMENT:
            return spent_under_laspo  # already spent before the 2023 table came in, and stays spent
    if pcsc_end is None:
        return None
    return max(pcsc_end, PCSC_COMMENCEMENT)


def rehabilitation_end(sentence: Sentence) -> datetime.date | None:
    """The first day on which ``sentence`` is spent; None while it cannot become spent (treat as unspent).

    Uses the 2023 table for every conviction date, but not earlier than 28 October 2023 unless the 2014 table had
    already made the conviction spent before that day (see the module docstring). Dates before 10 March 2014 are
    reported as 10 March 2014.
    """
    return _transition(regime_end(sentence, Regime.PCSC_2023), regime_end(sentence, Regime.LASPO_2014))


def conviction_rehabilitation_end(sentences: Iterable[Sentence]) -> datetime.date | None:
    """The first day a conviction given several sentences at once (a fine and an endorsement, say) is spent.

    The conviction is spent only when the longest of its sentences' periods has run; one sentence that can never
    be spent keeps the whole conviction unspent. All sentences must share ``convicted_on``.
    """
    group = list(sentences)
    if not group:
        raise ValueError("a conviction needs at least one sentence")
    if len({s.convicted_on for s in group}) > 1:
        raise ValueError("sentences of one conviction must share convicted_on")
    return _transition(
        _latest(regime_end(s, Regime.PCSC_2023) for s in group),
        _latest(regime_end(s, Regime.LASPO_2014) for s in group),
    )


def is_spent(sentence: Sentence, on: datetime.date) -> bool:
    """Whether ``sentence`` is spent on the date ``on`` (any date from 10 March 2014).

    Raises ValueError for a date before 10 March 2014 (the 1974 periods are not modelled) or before the
    conviction itself.
    """
    regime_on(on)  # validates the date
    if on < sentence.convicted_on:
        raise ValueError("cannot ask whether a conviction is spent before it was given")
    end = rehabilitation_end(sentence)
    return end is not None and end <= on
