"""The Police and Crime Plan as data (docs/metrics.md "Plan scorecard"): objectives, measures and actuals per period.

Periods are financial years stored as the year they start in (``2015`` = 2015/16; outcomes.financial_years).
Each measure's targets apply to its last period, ``period_to``. Some measures are computed by the service
(``computed``), the others are entered by IOM managers as one actual per period.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from iom.models import Cohort
from iom.models.abstract import VersionedRecord
from outcomes import financial_years


class MeasureKind(models.TextChoices):
    REDUCE_BY_PCT = "reduce_by_pct", "Reduce by a percentage"
    REACH_RATE = "reach_rate", "Reach a rate"
    AT_MOST = "at_most", "At most"
    AT_LEAST = "at_least", "At least"
    REDUCE = "reduce", "Reduce (no numeric target)"


class MeasureUnit(models.TextChoices):
    """The unit of a measure's baseline and actuals (for ``reduce_by_pct`` the target is always a per cent)."""

    PERCENT = "percent", "Per cent"
    COUNT = "count", "Count"


class MeasureSource(models.TextChoices):
    ENTERED = "", "Entered by IOM managers"
    IOM_REOFFENDING = "iom_reoffending", "Proven reoffending rate (computed)"
    GATEWAY_EMPLOYERS = "gateway_employers", "Employers who have taken on an ex-offender (computed)"


class PlanObjective(models.Model):
    """One of the Plan's objectives; its measures say how it is judged."""

    code = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(help_text="The objective's number in the Plan.")
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class PlanMeasure(models.Model):
    """How the Plan judges an objective: a kind of target, a baseline, a target and the periods it runs over.

    ``version`` is the optimistic lock for managers' edits (iom.locking); reference fields such as the
    title are kept by administrators in the Django admin.
    """

    objective = models.ForeignKey(PlanObjective, on_delete=models.PROTECT, related_name="measures")
    code = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(help_text="Order on the scorecard.")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=MeasureKind.choices)
    unit = models.CharField(max_length=10, choices=MeasureUnit.choices)
    baseline = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Empty when not known; a computed measure then computes it for the baseline period.",
    )
    baseline_period = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Financial year of the baseline, as the year it starts (2012 = 2012/13)."
    )
    target = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Per cent reduction for reduce_by_pct, the rate or number otherwise; empty for 'reduce'.",
    )
    period_from = models.PositiveSmallIntegerField(help_text="First financial year, as the year it starts.")
    period_to = models.PositiveSmallIntegerField(help_text="Last financial year; the target applies to it.")
    computed = models.CharField(max_length=30, choices=MeasureSource.choices, blank=True, default="")
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For the reoffending source only: the cohort measured; empty for everyone.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["objective__position", "position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")),
                name="plan_measure_periods_in_order",
                violation_error_message="The last financial year cannot be before the first.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_period__isnull=True) | Q(baseline_period__lt=F("period_from")),
                name="plan_measure_baseline_before_periods",
                violation_error_message="The baseline year must come before the measure's first year.",
            ),
            models.CheckConstraint(
                condition=Q(kind=MeasureKind.REDUCE, target__isnull=True)
                | (~Q(kind=MeasureKind.REDUCE) & Q(target__isnull=False)),
                name="plan_measure_target_iff_numeric_kind",
                violation_error_message="A 'reduce' measure has no target; every other kind needs one.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MeasureKind.REACH_RATE) | Q(unit=MeasureUnit.PERCENT),
                name="plan_measure_rate_in_percent",
                violation_error_message="A rate to reach is a per cent: choose the per cent unit.",
            ),
            models.CheckConstraint(
                condition=Q(computed=MeasureSource.ENTERED)
                | Q(computed=MeasureSource.IOM_REOFFENDING, unit=MeasureUnit.PERCENT)
                | Q(computed=MeasureSource.GATEWAY_EMPLOYERS, unit=MeasureUnit.COUNT),
                name="plan_measure_computed_unit",
                violation_error_message="The reoffending source gives a per cent, the Gateway source a count.",
            ),
            models.CheckConstraint(
                condition=Q(cohort__isnull=True) | Q(computed=MeasureSource.IOM_REOFFENDING),
                name="plan_measure_cohort_only_for_reoffending",
                violation_error_message="Only the reoffending source is measured for a cohort: leave the cohort empty.",
            ),
            models.CheckConstraint(
                condition=(Q(baseline__isnull=True) | Q(baseline__gte=0)) & (Q(target__isnull=True) | Q(target__gte=0)),
                name="plan_measure_figures_not_negative",
                violation_error_message="The baseline and target cannot be negative.",
            ),
            models.CheckConstraint(
                condition=(~Q(kind__in=[MeasureKind.REDUCE_BY_PCT, MeasureKind.REACH_RATE]) | Q(target__lte=100))
                & (~Q(unit=MeasureUnit.PERCENT) | Q(baseline__isnull=True) | Q(baseline__lte=100)),
                name="plan_measure_percentages_at_most_100",
                violation_error_message="A per cent (a rate, a reduction or a baseline in per cent) is at most 100.",
            ),
            models.CheckConstraint(
                condition=Q(period_from__gte=financial_years.FIRST_YEAR, period_to__lte=financial_years.LAST_YEAR)
                & (Q(baseline_period__isnull=True) | Q(baseline_period__gte=financial_years.FIRST_YEAR)),
                name="plan_measure_periods_in_range",
                violation_error_message="Financial years run from 2000 to 2099.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def periods(self) -> range:
        """Every financial year the measure runs over, first to last."""
        return range(self.period_from, self.period_to + 1)

    @property
    def period_label(self) -> str:
        if self.period_from == self.period_to:
            return financial_years.label(self.period_from)
        return f"{financial_years.label(self.period_from)} to {financial_years.label(self.period_to)}"


class PlanActual(VersionedRecord):
    """The value an IOM manager entered for one measure in one financial year (computed measures have none)."""

    measure = models.ForeignKey(PlanMeasure, on_delete=models.PROTECT, related_name="actuals")
    period = models.PositiveSmallIntegerField(help_text="Financial year, as the year it starts (2015 = 2015/16).")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.TextField(blank=True, help_text="Where the figure comes from, or what changed.")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="plan_actual_one_per_period"),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="plan_actual_not_negative",
                violation_error_message="An actual cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {financial_years.label(self.period)}: {self.value}"

    @property
    def period_label(self) -> str:
        return financial_years.label(self.period)
