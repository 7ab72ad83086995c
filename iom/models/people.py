"""People managed, or considered for management, under IOM."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from iom.models.abstract import VersionedRecord
from iom.models.choices import District, Ethnicity, Gender, RiskOfSeriousHarm
from iom.pnc import validate_pnc_id

crn_validator = RegexValidator(
    r"^[A-Z][0-9]{6}$", "Enter a probation CRN as one capital letter and six digits, for example X123456."
)


class Flag(models.Model):
    """A marker on a person (e.g. domestic abuse perpetrator); administrators may add more."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)
    built_in = models.BooleanField(default=False, help_text="Seeded flags named in the design guide.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(VersionedRecord):
    """A nominal. Optional codes are NULL when unknown, not "": the metrics report a missing gender as a
    ``null`` cell distinct from ``unknown`` (docs/metrics.md), and a NULL CRN stays out of its unique index."""

    pnc_id = models.CharField("PNC ID", max_length=13, unique=True, validators=[validate_pnc_id])
    crn = models.CharField("CRN", max_length=7, unique=True, null=True, blank=True, validators=[crn_validator])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    aliases = models.TextField(blank=True, help_text="Other names, one per line.")
    date_of_birth = models.DateField(null=True, help_text="Required; removed only when the person is erased.")
    gender = models.CharField(max_length=10, choices=Gender.choices, null=True, blank=True)  # noqa: DJ001
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, null=True, blank=True)  # noqa: DJ001
    district = models.CharField(max_length=30, choices=District.choices, null=True, blank=True)  # noqa: DJ001
    risk_of_serious_harm = models.CharField(max_length=10, choices=RiskOfSeriousHarm.choices, null=True, blank=True)  # noqa: DJ001
    flags = models.ManyToManyField(Flag, related_name="people", blank=True)
    # Set by disposal after a retention review: the personal data are gone, the anonymised facts stay.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_age_band = models.CharField(
        max_length=10,
        blank=True,
        editable=False,
        help_text="The age band on the day of erasure, in place of the date of birth.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["last_name", "first_name"])]
        constraints = [models.CheckConstraint(condition=~models.Q(crn=""), name="person_crn_null_not_blank")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.pnc_id})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self) -> int | None:
        """Completed years today (London); someone born on 29 February ages on 1 March in other years.
        None once the person is erased."""
        today = timezone.localdate()
        born = self.date_of_birth
        if born is None:
            return None
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]
