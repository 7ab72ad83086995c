"""Writes to the Plan scorecard: managers keep each measure's baseline, target and periods, and enter actuals.

Who may write, and why:
- IOM managers run the cohort and answer for the Plan's results, so they edit measures and enter actuals.
- Administrators may also edit a measure's baseline, target and periods: docs/roles.md makes them the keepers of
  reference data, and the Plan's published baselines and targets are reference figures like the unit costs
  of crime. They do not enter actuals: those are the partnership's reported results, not reference data.
Every refusal is audited; every write is audited with old and new values in the same transaction.
"""

import decimal
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from iom import access
from iom.audit import snapshot
from iom.changes import create_audited, update_audited
from iom.errors import ConflictError
from iom.models import User
from iom.services._validation import today, values_after
from iom.unset import KEEP, Keep, given
from outcomes import financial_years
from outcomes.models import MeasureKind, MeasureSource, MeasureUnit, PlanActual, PlanMeasure
from outcomes.rules import EDIT_PLAN_MEASURES, ENTER_PLAN_ACTUALS

MEASURE_FIELDS = ("baseline", "baseline_period", "target", "period_from", "period_to")
ACTUAL_FIELDS = ("period", "value", "note")
NOTE_MAX_LENGTH = 1000
_LARGEST = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


def may_edit_measures(user: User | None) -> bool:
    return EDIT_PLAN_MEASURES.allows(user)


def may_enter_actuals(user: User | None) -> bool:
    return ENTER_PLAN_ACTUALS.allows(user)


def _number_error(value: Any, *, unit: str, label: str, percent_of: str = "") -> str | None:
    """Why ``value`` is not a figure of ``unit``, or ``None``: a count is whole, a per cent 0 to 100."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return f"Enter {label} as a number."
    number = Decimal(value)
    if not number.is_finite():
        return f"Enter {label} as a number."
    if number < 0:
        return f"{label[:1].upper()}{label[1:]} cannot be negative."
    if number > _LARGEST:
        return f"{label[:1].upper()}{label[1:]} is too large."
    if number != number.quantize(Decimal("0.01"), rounding=decimal.ROUND_DOWN):
        return f"Enter {label} with at most 2 decimal places."
    if unit == MeasureUnit.PERCENT and number > 100:
        return f"Enter {label} as a per cent{percent_of}, from 0 to 100."
    if unit == MeasureUnit.COUNT and number != number.to_integral_value():
        return f"Enter {label} as a whole number."
    return None


def _stored(value: Decimal | int) -> Decimal:
    """A validated figure as the database keeps it (2 decimal places), so audit rows read alike."""
    return Decimal(value).quantize(Decimal("0.01"))


def _period_error(value: Any, *, label: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"Choose {label}."
    if not financial_years.FIRST_YEAR <= value <= financial_years.LAST_YEAR:
        return f"Choose {label} between {financial_years.FIRST_YEAR} and {financial_years.LAST_YEAR}."
    return None


def _measure_errors(*, measure: PlanMeasure, values: dict[str, Any]) -> dict[str, str]:
    """Every rule a measure's figures and periods must meet, as field errors, so a form shows them all at once."""
    errors: dict[str, str] = {}
    kind, unit = measure.kind, measure.unit
    period_from, period_to = values["period_from"], values["period_to"]
    for field, label in (("period_from", "the first financial year"), ("period_to", "the last financial year")):
        if message := _period_error(values[field], label=label):
            errors[field] = message
    if not errors and period_to < period_from:
        errors["period_to"] = "The last financial year cannot be before the first."

    baseline, baseline_period = values["baseline"], values["baseline_period"]
    if baseline_period is not None and (message := _period_error(baseline_period, label="the baseline's year")):
        errors["baseline_period"] = message
    elif baseline_period is not None and "period_from" not in errors and baseline_period >= period_from:
        errors["baseline_period"] = (
            f"The baseline must come before the measure's first year, {financial_years.label(period_from)}."
        )
    if baseline is not None:
        if message := _number_error(baseline, unit=unit, label="the baseline"):
            errors["baseline"] = message
        elif kind == MeasureKind.REDUCE_BY_PCT and baseline == 0:
            errors["baseline"] = "A percentage reduction needs a baseline above 0."
        elif baseline_period is None and "baseline_period" not in errors:
            errors["baseline_period"] = "Choose the financial year the baseline is for."

    target = values["target"]
    if kind == MeasureKind.REDUCE:
        if target is not None:
            errors["target"] = (
                "This measure is judged only on being reduced below its baseline: leave the target empty."
            )
    elif target is None:
        errors["target"] = "Enter the target."
    elif kind == MeasureKind.REDUCE_BY_PCT:
        message = _number_error(target, unit=MeasureUnit.PERCENT, label="the target", percent_of=" reduction")
        if message is None and target == 0:
            message = "Enter the target as a per cent reduction above 0."
        if message:
            errors["target"] = message
    elif message := _number_error(target, unit=unit, label="the target"):
        errors["target"] = message

    if "period_from" not in errors and "period_to" not in errors:
        outside = sorted(
            measure.actuals.exclude(period__gte=period_from, period__lte=period_to).values_list("period", flat=True)
        )
        if outside:
            years = ", ".join(financial_years.label(year) for year in outside)
            errors["period_from" if outside[0] < period_from else "period_to"] = (
                f"Actuals are entered for {years}, outside these years: keep the years that have actuals."
            )
    return errors


def plan_measure_update(
    *,
    acting_user: User,
    measure: PlanMeasure,
    version: int,
    baseline: Decimal | int | Keep | None = KEEP,
    baseline_period: int | Keep | None = KEEP,
    target: Decimal | int | Keep | None = KEEP,
    period_from: int | Keep = KEEP,
    period_to: int | Keep = KEEP,
) -> PlanMeasure:
    """Change a measure's baseline, baseline period, target or periods; a stale ``version`` is a conflict.

    Only the given fields change; the rest keep their values and every rule is checked on the result.
    """
    if not may_edit_measures(acting_user):
        access.refuse(
            user=acting_user,
            obj=measure,
            person_id=None,
            details={"attempted": "change plan measure"},
            exc=PermissionDenied("Only IOM managers and administrators change the Plan's measures."),
        )
    values = given(
        baseline=baseline,
        baseline_period=baseline_period,
        target=target,
        period_from=period_from,
        period_to=period_to,
    )
    errors = _measure_errors(measure=measure, values=values_after(measure, MEASURE_FIELDS, values))
    if errors:
        raise ValidationError(errors)
    _update_with_author(
        acting_user=acting_user, instance=measure, version=version, values=values, author_field="updated_by"
    )
    return measure


def _update_with_author(
    *,
    acting_user: User,
    instance: PlanMeasure | PlanActual,
    version: int,
    values: dict[str, Any],
    author_field: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Write ``values`` at ``version`` (audited, iom/changes.py) and name ``acting_user`` in ``author_field``.

    Who made the change is kept out of the locked write, so a conflict shows figures, not people.
    """
    with transaction.atomic():
        update_audited(acting_user=acting_user, instance=instance, version=version, values=values, details=details)
        type(instance).objects.filter(pk=instance.pk).update(**{author_field: acting_user})
        setattr(instance, author_field, acting_user)


def _actual_errors(*, measure: PlanMeasure, period: Any, value: Any, note: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if measure.computed:
        source = MeasureSource(measure.computed).label
        errors["__all__"] = f"This measure is computed by the service ({source}): its actuals cannot be entered."
        return errors
    if message := _period_error(period, label="the financial year"):
        errors["period"] = message
    elif not measure.period_from <= period <= measure.period_to:
        errors["period"] = f"Choose a financial year the measure runs over: {measure.period_label}."
    elif financial_years.start(period) > today():
        errors["period"] = f"{financial_years.label(period)} has not started yet: enter its actual once it has."
    if value is None:
        errors["value"] = "Enter the actual."
    elif message := _number_error(value, unit=measure.unit, label="the actual"):
        errors["value"] = message
    if not isinstance(note, str):
        errors["note"] = "Enter the note as text."
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"The note must be {NOTE_MAX_LENGTH} characters or fewer."
    return errors


def _already_entered(actual: PlanActual) -> ConflictError:
    return ConflictError(
        f"An actual for {actual.period_label} has already been entered (version {actual.version}). "
        "Nothing was saved: change that actual instead.",
        current_version=actual.version,
        current=snapshot(actual, ACTUAL_FIELDS),
    )


def _ensure_enters_actuals(*, user: User, obj: models.Model, attempted: str) -> None:
    if not may_enter_actuals(user):
        access.refuse(
            user=user,
            obj=obj,
            person_id=None,
            details={"attempted": attempted},
            exc=PermissionDenied("Only IOM managers enter the Plan's actuals."),
        )


def plan_actual_record(
    *, acting_user: User, measure: PlanMeasure, period: int, value: Decimal, note: str = ""
) -> PlanActual:
    """Enter the actual of ``measure`` for the financial year ``period``.

    A period that already has an actual is a conflict (409), never an overwrite: someone else entered it,
    and changing it goes through :func:`plan_actual_change` with the version read.
    """
    _ensure_enters_actuals(user=acting_user, obj=measure, attempted="enter plan actual")
    errors = _actual_errors(measure=measure, period=period, value=value, note=note)
    if errors:
        raise ValidationError(errors)
    existing = PlanActual.objects.filter(measure=measure, period=period).first()
    if existing is not None:
        raise _already_entered(existing)
    actual = PlanActual(measure=measure, period=period, value=_stored(value), note=note, entered_by=acting_user)
    try:
        create_audited(
            acting_user=acting_user, instance=actual, fields=ACTUAL_FIELDS, details={"measure": measure.code}
        )
    except IntegrityError:
        # Someone entered the same period between our check and our insert.
        raise _already_entered(PlanActual.objects.get(measure=measure, period=period)) from None
    return actual


def plan_actual_change(
    *, acting_user: User, actual: PlanActual, version: int, value: Decimal, note: str = ""
) -> PlanActual:
    """Change an entered actual's value and note; a stale ``version`` is a conflict and nothing is written."""
    measure = actual.measure
    _ensure_enters_actuals(user=acting_user, obj=actual, attempted="change plan actual")
    errors = _actual_errors(measure=measure, period=actual.period, value=value, note=note)
    if errors:
        raise ValidationError(errors)
    _update_with_author(
        acting_user=acting_user,
        instance=actual,
        version=version,
        values={"value": _stored(value), "note": note},
        author_field="entered_by",
        details={"measure": measure.code, "period": actual.period_label},
    )
    return actual
