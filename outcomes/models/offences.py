"""Offence records: what a person did, how it was proved, and the dates the reoffending measure compares.

The codes are those of docs/data-formats.md; changing one breaks every file and client.
"""

import datetime

from django.db import models
from django.db.models import F, Q

from iom.dates import one_year_after, six_months_after
from iom.models import OffenceCategory, Person


class OffenceOutcome(models.TextChoices):
    CONVICTION = "conviction", "Conviction"
    CAUTION = "caution", "Caution"
    NONE = "none", "No further action"
    PENDING = "pending", "Pending"


class Disposal(models.TextChoices):
    CUSTODY = "custody", "Custody"
    COMMUNITY = "community", "Community order"
    SUSPENDED = "suspended", "Suspended sentence"
    FINE = "fine", "Fine"
    DISCHARGE = "discharge", "Discharge"
    OTHER = "other", "Other"


PROVEN_OUTCOMES = (OffenceOutcome.CONVICTION, OffenceOutcome.CAUTION)

DerivedDates = tuple[datetime.date | None, datetime.date | None, datetime.date | None]


def index_event_date(
    *, outcome: str, disposal: str | None, outcome_date: datetime.date | None, release_date: datetime.date | None
) -> datetime.date | None:
    """The index event a record gives (docs/metrics.md "Proven reoffending"): a caution or a non-custodial conviction
    on its outcome date, a custodial conviction on its release date and none while the person is in custody."""
    if outcome == OffenceOutcome.CAUTION:
        return outcome_date
    if outcome == OffenceOutcome.CONVICTION:
        return release_date if disposal == Disposal.CUSTODY else outcome_date
    return None


def derived_dates(
    *, outcome: str, disposal: str | None, outcome_date: datetime.date | None, release_date: datetime.date | None
) -> DerivedDates:
    """``(index_date, follow_up_end, waiting_end)``: follow-up ends a year after the index date, waiting six
    months after that (chained, so 2016-02-29 gives 2017-02-28 and then 2017-08-28)."""
    index = index_event_date(outcome=outcome, disposal=disposal, outcome_date=outcome_date, release_date=release_date)
    if index is None:
        return None, None, None
    follow_up_end = one_year_after(index)
    return index, follow_up_end, six_months_after(follow_up_end)


class OffenceRecord(models.Model):
    """One offence from a source system, keyed by its ``record_id``.

    ``index_date``, ``follow_up_end`` and ``waiting_end`` are derived when the
    record is written (outcomes.offences.derived_dates), so the metric queries
    compare stored dates and SQLite and PostgreSQL agree on leap days.
    """

    record_id = models.CharField(max_length=100, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="offence_records")
    offence_date = models.DateField()
    offence_category = models.CharField(max_length=30, choices=OffenceCategory.choices)
    outcome = models.CharField(max_length=20, choices=OffenceOutcome.choices)
    outcome_date = models.DateField(null=True, blank=True)
    disposal = models.CharField(max_length=20, choices=Disposal.choices, null=True, blank=True)  # noqa: DJ001
    release_date = models.DateField(null=True, blank=True)
    index_date = models.DateField(null=True, blank=True, editable=False, help_text="The index event this gives.")
    follow_up_end = models.DateField(null=True, blank=True, editable=False)
    waiting_end = models.DateField(null=True, blank=True, editable=False)
    index_age_band = models.CharField(
        max_length=10,
        blank=True,
        editable=False,
        help_text="Set when the person is erased: the age band on the index date, in place of the date of birth.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["offence_date", "record_id"]
        indexes = [
            models.Index(fields=["person", "offence_date"], name="offence_person_date"),
            models.Index(fields=["person", "index_date"], name="offence_person_index_date"),
            models.Index(fields=["index_date"], name="offence_index_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome_date__isnull=True) | Q(outcome_date__gte=F("offence_date")),
                name="offence_outcome_not_before_offence",
            ),
            models.CheckConstraint(
                condition=Q(release_date__isnull=True) | Q(release_date__gte=F("outcome_date")),
                name="offence_release_not_before_outcome",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=PROVEN_OUTCOMES, outcome_date__isnull=False)
                | (~Q(outcome__in=PROVEN_OUTCOMES) & Q(outcome_date__isnull=True)),
                name="offence_outcome_date_iff_proven",
            ),
            models.CheckConstraint(
                condition=Q(outcome=OffenceOutcome.CONVICTION, disposal__isnull=False)
                | (~Q(outcome=OffenceOutcome.CONVICTION) & Q(disposal__isnull=True)),
                name="offence_disposal_iff_conviction",
            ),
            models.CheckConstraint(
                condition=Q(release_date__isnull=True) | Q(disposal=Disposal.CUSTODY),
                name="offence_release_only_for_custody",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.get_offence_category_display()} on {self.offence_date}"

    def save(self, *args, **kwargs):
        # The derived dates can never disagree with the record, whichever path writes it (bulk imports
        # call derived_dates themselves, since bulk writes skip save()).
        self.index_date, self.follow_up_end, self.waiting_end = derived_dates(
            outcome=self.outcome, disposal=self.disposal, outcome_date=self.outcome_date, release_date=self.release_date
        )
        super().save(*args, **kwargs)
