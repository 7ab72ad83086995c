"""Reference data and stored results for the reoffending metrics: unit costs of crime, adoption windows, snapshots."""

from django.conf import settings
from django.db import models

from outcomes.models.offences import OffenceCategory


class CrimeUnitCost(models.Model):
    """The cost of one offence of a category (docs/metrics.md "Cost of crime"); administrators may edit it.

    Categories with no row are *uncosted*: counted, never priced.
    """

    category = models.CharField(max_length=30, choices=OffenceCategory.choices, unique=True)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2, help_text="Pounds per offence.")
    price_year = models.CharField(max_length=9, help_text="The prices' financial year, e.g. 2015/16.")
    source = models.CharField(max_length=300)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-unit_cost", "category"]
        constraints = [models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="unit_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: £{self.unit_cost:,.0f} ({self.price_year})"


class AdoptionWindow(models.Model):
    """The pre/post windows of one adoption date, computed in Python (iom.dates) and kept so that the
    pre/post query compares stored dates on SQLite and PostgreSQL alike. One row per distinct date, not per
    member; rows are added for new adoption dates when the metric runs."""

    adopted_on = models.DateField(unique=True)
    before_from = models.DateField(help_text="One year before the adoption date (first day of *before*).")
    before_cutoff = models.DateField(help_text="Six months after the last day of *before*: latest outcome date.")
    after_until = models.DateField(help_text="One year after the adoption date (the day after *after* ends).")
    after_cutoff = models.DateField(help_text="Six months after the last day of *after*: latest outcome date.")
    measurable_on = models.DateField(help_text="Eighteen months after the adoption date.")

    def __str__(self) -> str:
        return f"Adoption on {self.adopted_on}"


class MetricKind(models.TextChoices):
    REOFFENDING = "reoffending", "Proven reoffending"
    QUARTERLY = "quarterly", "Proven reoffending by quarter"
    PRE_POST = "pre_post", "Pre/post adoption"


class MetricSnapshot(models.Model):
    """A metric as it stood on ``taken_on``, so managers see how a figure moved as data matured.

    Taking the same snapshot again on the same date replaces it (unique key), never duplicates it.
    """

    metric = models.CharField(max_length=20, choices=MetricKind.choices)
    cohort_slug = models.CharField(max_length=50, blank=True, help_text="Empty for everyone.")
    parameters = models.JSONField(default=dict)
    taken_on = models.DateField()
    figures = models.JSONField()
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-taken_on", "metric", "cohort_slug"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "cohort_slug", "taken_on"], name="snapshot_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.cohort_slug or 'everyone'} on {self.taken_on}"
