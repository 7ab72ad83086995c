"""outcomes.services.plan: managers keep measures and enter actuals; every write locked, validated and audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from iom.errors import ConflictError
from iom.models import AuditAction, AuditEvent, AuditOutcome
from outcomes import financial_years
from outcomes.models import MeasureKind, MeasureSource, MeasureUnit, PlanActual, PlanMeasure
from outcomes.services import plan_actual_change, plan_actual_record, plan_measure_update
from tests.outcomes.plan_support import enter, make_measure, seeded

pytestmark = pytest.mark.django_db


def errors_of(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


# --- Measures ----------------------------------------------------------------------------------------------------


def test_a_manager_sets_a_baseline_and_the_change_is_versioned_and_audited(manager):
    asb = seeded("asb-incidents")
    updated = plan_measure_update(
        acting_user=manager,
        measure=asb,
        version=1,
        baseline=Decimal(31250),
        baseline_period=2012,
        target=Decimal(35),
    )
    assert (updated.baseline, updated.target, updated.version, updated.updated_by) == (
        Decimal(31250),
        Decimal(35),
        2,
        manager,
    )
    event = AuditEvent.objects.get(object_type="planmeasure", action=AuditAction.CHANGE)
    assert event.user == manager
    assert event.changes == {"baseline": [None, "31250.00"], "target": ["40.00", "35.00"]}
    assert event.person_id is None


def test_an_administrator_may_change_a_measure_as_reference_data(admin_user):
    ksi = seeded("ksi-road-collisions")
    plan_measure_update(acting_user=admin_user, measure=ksi, version=1, target=Decimal(300))
    assert PlanMeasure.objects.get(pk=ksi.pk).target == Decimal(300)


@pytest.mark.parametrize("role", ["officer", "probation", "partner", "coordinator", "employer", "analyst"])
def test_other_roles_may_not_change_a_measure_and_the_refusal_is_audited(all_roles, role):
    ksi = seeded("ksi-road-collisions")
    with pytest.raises(PermissionDenied):
        plan_measure_update(acting_user=all_roles[role], measure=ksi, version=1, target=Decimal(1))
    assert PlanMeasure.objects.get(pk=ksi.pk).target == Decimal(320)
    refusal = AuditEvent.objects.get(outcome=AuditOutcome.REFUSED)
    assert (refusal.user, refusal.object_type, refusal.details) == (
        all_roles[role],
        "planmeasure",
        {"attempted": "change plan measure"},
    )


def test_a_stale_version_is_a_conflict_and_nothing_is_written(manager, admin_user):
    ksi = seeded("ksi-road-collisions")
    plan_measure_update(acting_user=admin_user, measure=ksi, version=1, target=Decimal(310))
    stale = PlanMeasure.objects.get(pk=ksi.pk)
    with pytest.raises(ConflictError) as conflict:
        plan_measure_update(acting_user=manager, measure=stale, version=1, target=Decimal(330))
    assert conflict.value.current_version == 2
    assert conflict.value.current == {"target": Decimal("310.00")}
    assert PlanMeasure.objects.get(pk=ksi.pk).target == Decimal(310)
    assert AuditEvent.objects.filter(object_type="planmeasure", action=AuditAction.CHANGE).count() == 1


@pytest.mark.parametrize(
    ("code", "data", "field", "message"),
    [
        (
            "prolific-offender-reoffending",
            {"target": Decimal(10)},
            "target",
            "This measure is judged only on being reduced below its baseline: leave the target empty.",
        ),
        ("ksi-road-collisions", {"target": None}, "target", "Enter the target."),
        (
            "asb-incidents",
            {"target": Decimal(101)},
            "target",
            "Enter the target as a per cent reduction, from 0 to 100.",
        ),
        ("asb-incidents", {"target": Decimal(0)}, "target", "Enter the target as a per cent reduction above 0."),
        (
            "public-satisfaction",
            {"target": Decimal("100.5")},
            "target",
            "Enter the target as a per cent, from 0 to 100.",
        ),
        ("ksi-road-collisions", {"target": Decimal("320.5")}, "target", "Enter the target as a whole number."),
        ("ksi-road-collisions", {"target": Decimal(-1)}, "target", "The target cannot be negative."),
        (
            "public-satisfaction",
            {"target": Decimal("80.125")},
            "target",
            "Enter the target with at most 2 decimal places.",
        ),
        (
            "asb-incidents",
            {"baseline": Decimal(0), "baseline_period": 2012},
            "baseline",
            "A percentage reduction needs a baseline above 0.",
        ),
        (
            "public-satisfaction",
            {"baseline": Decimal(120), "baseline_period": 2012},
            "baseline",
            "Enter the baseline as a per cent, from 0 to 100.",
        ),
        (
            "ksi-road-collisions",
            {"baseline": Decimal(400)},
            "baseline_period",
            "Choose the financial year the baseline is for.",
        ),
        (
            "asb-incidents",
            {"baseline_period": 2013},
            "baseline_period",
            "The baseline must come before the measure's first year, 2013/14.",
        ),
        ("asb-incidents", {"period_to": 2012}, "period_to", "The last financial year cannot be before the first."),
        (
            "asb-incidents",
            {"period_from": 1999},
            "period_from",
            "Choose the first financial year between 2000 and 2099.",
        ),
    ],
    ids=[
        "reduce-has-no-target",
        "numeric-kind-needs-target",
        "reduction-over-100",
        "reduction-of-0",
        "rate-over-100",
        "count-target-not-whole",
        "negative-target",
        "three-decimal-places",
        "zero-baseline-for-reduction",
        "percent-baseline-over-100",
        "baseline-without-year",
        "baseline-not-before-periods",
        "periods-backwards",
        "year-out-of-range",
    ],
)
def test_invalid_measure_changes_are_specific_field_errors_and_change_nothing(manager, code, data, field, message):
    measure = seeded(code)
    with pytest.raises(ValidationError) as exc:
        plan_measure_update(acting_user=manager, measure=measure, version=1, **data)
    assert errors_of(exc)[field] == [message]
    assert PlanMeasure.objects.get(pk=measure.pk).version == 1
    assert not AuditEvent.objects.exists()


def test_fields_other_than_figures_and_periods_cannot_be_changed_here(manager):
    with pytest.raises(TypeError, match="title"):
        plan_measure_update(acting_user=manager, measure=seeded("ksi-road-collisions"), version=1, title="x")
    assert PlanMeasure.objects.get(code="ksi-road-collisions").version == 1


def test_periods_cannot_shrink_past_the_years_that_have_actuals(manager):
    ksi = seeded("ksi-road-collisions")
    enter(ksi, manager, y2013=330)
    with pytest.raises(ValidationError) as exc:
        plan_measure_update(acting_user=manager, measure=ksi, version=1, period_from=2014)
    assert errors_of(exc) == {
        "period_from": ["Actuals are entered for 2013/14, outside these years: keep the years that have actuals."]
    }
    widened = plan_measure_update(acting_user=manager, measure=ksi, version=1, period_to=2016)
    assert (widened.period_from, widened.period_to) == (2013, 2016)


# --- Actuals -----------------------------------------------------------------------------------------------------


def test_a_manager_enters_an_actual_and_it_is_audited(manager):
    ksi = seeded("ksi-road-collisions")
    actual = plan_actual_record(
        acting_user=manager, measure=ksi, period=2014, value=Decimal(328), note="Road casualty returns"
    )
    assert (actual.period, actual.value, actual.entered_by, actual.version) == (2014, Decimal(328), manager, 1)
    event = AuditEvent.objects.get(object_type="planactual", action=AuditAction.CREATE)
    assert event.changes == {
        "period": [None, 2014],
        "value": [None, "328.00"],
        "note": [None, "Road casualty returns"],
    }
    assert event.details == {"measure": "ksi-road-collisions"}


def test_a_year_already_entered_is_a_conflict_not_an_overwrite(manager):
    ksi = seeded("ksi-road-collisions")
    plan_actual_record(acting_user=manager, measure=ksi, period=2014, value=Decimal(328))
    with pytest.raises(ConflictError) as conflict:
        plan_actual_record(acting_user=manager, measure=ksi, period=2014, value=Decimal(300))
    assert conflict.value.current_version == 1
    assert conflict.value.current["value"] == Decimal(328)
    assert "change that actual instead" in conflict.value.message
    assert PlanActual.objects.get(measure=ksi, period=2014).value == Decimal(328)


def test_a_computed_measure_takes_no_entered_actuals(manager):
    with pytest.raises(ValidationError) as exc:
        plan_actual_record(acting_user=manager, measure=seeded("gateway-employers"), period=2014, value=Decimal(5))
    assert errors_of(exc) == {
        "__all__": [
            "This measure is computed by the service (Employers who have taken on an ex-offender (computed)): "
            "its actuals cannot be entered."
        ]
    }
    assert not PlanActual.objects.exists()


@pytest.mark.parametrize(
    ("code", "period", "value", "field", "message"),
    [
        (
            "ksi-road-collisions",
            2016,
            Decimal(300),
            "period",
            "Choose a financial year the measure runs over: 2013/14 to 2015/16.",
        ),
        (
            "ksi-road-collisions",
            2012,
            Decimal(300),
            "period",
            "Choose a financial year the measure runs over: 2013/14 to 2015/16.",
        ),
        ("ksi-road-collisions", 2014, Decimal(-3), "value", "The actual cannot be negative."),
        ("ksi-road-collisions", 2014, Decimal("300.5"), "value", "Enter the actual as a whole number."),
        ("ksi-road-collisions", 2014, None, "value", "Enter the actual."),
        ("public-satisfaction", 2014, Decimal("100.01"), "value", "Enter the actual as a per cent, from 0 to 100."),
        ("public-satisfaction", 2014, Decimal("79.555"), "value", "Enter the actual with at most 2 decimal places."),
        ("public-satisfaction", 2014, "79", "value", "Enter the actual as a number."),
    ],
    ids=[
        "after-the-last-year",
        "before-the-first-year",
        "negative",
        "count-not-whole",
        "missing",
        "over-100-per-cent",
        "three-decimal-places",
        "not-a-number",
    ],
)
def test_invalid_actuals_are_specific_field_errors_and_write_nothing(manager, code, period, value, field, message):
    with pytest.raises(ValidationError) as exc:
        plan_actual_record(acting_user=manager, measure=seeded(code), period=period, value=value)
    assert errors_of(exc)[field] == [message]
    assert not PlanActual.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_actual_for_a_year_not_yet_started_is_refused(manager):
    this_year = financial_years.of(timezone.localdate())
    measure = make_measure(period_from=this_year, period_to=this_year + 1)
    with pytest.raises(ValidationError) as exc:
        plan_actual_record(acting_user=manager, measure=measure, period=this_year + 1, value=Decimal(3))
    label = financial_years.label(this_year + 1)
    assert errors_of(exc) == {"period": [f"{label} has not started yet: enter its actual once it has."]}
    # the year under way can be entered: figures to date
    assert plan_actual_record(acting_user=manager, measure=measure, period=this_year, value=Decimal(3)).pk


def test_a_note_is_limited_in_length(manager):
    with pytest.raises(ValidationError) as exc:
        plan_actual_record(
            acting_user=manager, measure=seeded("ksi-road-collisions"), period=2014, value=Decimal(1), note="x" * 1001
        )
    assert errors_of(exc) == {"note": ["The note must be 1000 characters or fewer."]}


@pytest.mark.parametrize("role", ["admin", "analyst", "officer", "coordinator", "employer", "partner"])
def test_only_iom_managers_enter_actuals_and_refusals_are_audited(all_roles, role):
    ksi = seeded("ksi-road-collisions")
    with pytest.raises(PermissionDenied):
        plan_actual_record(acting_user=all_roles[role], measure=ksi, period=2014, value=Decimal(1))
    assert not PlanActual.objects.exists()
    refusal = AuditEvent.objects.get(outcome=AuditOutcome.REFUSED)
    assert (refusal.action, refusal.object_type, refusal.details) == (
        AuditAction.CREATE,
        "planmeasure",
        {"attempted": "enter plan actual"},
    )


def test_a_manager_changes_an_actual_with_its_version(manager, outsider_manager):
    ksi = seeded("ksi-road-collisions")
    actual = plan_actual_record(acting_user=manager, measure=ksi, period=2014, value=Decimal(328))
    changed = plan_actual_change(
        acting_user=outsider_manager, actual=actual, version=1, value=Decimal(326), note="Revised"
    )
    assert (changed.value, changed.note, changed.version, changed.entered_by) == (
        Decimal(326),
        "Revised",
        2,
        outsider_manager,
    )
    event = AuditEvent.objects.get(object_type="planactual", action=AuditAction.CHANGE)
    assert event.changes == {"value": ["328.00", "326.00"], "note": ["", "Revised"]}
    assert event.details == {"measure": "ksi-road-collisions", "period": "2014/15"}


def test_a_stale_actual_is_a_conflict_and_keeps_the_other_change(manager):
    ksi = seeded("ksi-road-collisions")
    actual = plan_actual_record(acting_user=manager, measure=ksi, period=2014, value=Decimal(328))
    plan_actual_change(acting_user=manager, actual=actual, version=1, value=Decimal(326))
    stale = PlanActual.objects.get(pk=actual.pk)
    with pytest.raises(ConflictError) as conflict:
        plan_actual_change(acting_user=manager, actual=stale, version=1, value=Decimal(999))
    assert conflict.value.current_version == 2
    assert PlanActual.objects.get(pk=actual.pk).value == Decimal(326)


def test_changing_an_actual_is_validated_like_entering_one(manager):
    actual = plan_actual_record(
        acting_user=manager, measure=seeded("public-satisfaction"), period=2014, value=Decimal(78)
    )
    with pytest.raises(ValidationError) as exc:
        plan_actual_change(acting_user=manager, actual=actual, version=1, value=Decimal(101))
    assert errors_of(exc) == {"value": ["Enter the actual as a per cent, from 0 to 100."]}


def test_an_administrator_may_not_change_an_actual(manager, admin_user):
    actual = plan_actual_record(acting_user=manager, measure=seeded("ksi-road-collisions"), period=2014, value=1)
    with pytest.raises(PermissionDenied):
        plan_actual_change(acting_user=admin_user, actual=actual, version=1, value=Decimal(2))
    assert PlanActual.objects.get(pk=actual.pk).value == Decimal(1)


def test_measures_keep_their_integrity_in_the_database_too(manager):
    """The model's constraints hold even for writes that bypass the service (the admin, a shell)."""
    for values in (
        {"kind": MeasureKind.REDUCE, "target": Decimal(1)},
        {"kind": MeasureKind.REACH_RATE, "unit": MeasureUnit.COUNT, "target": Decimal(5)},
        {"computed": MeasureSource.GATEWAY_EMPLOYERS, "unit": MeasureUnit.PERCENT},
        {"period_from": 2015, "period_to": 2014},
        {"baseline_period": 2013},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_measure(**values)
