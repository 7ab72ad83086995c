"""Plan scorecard pages: the scorecard and the framework view for IOM managers, analysts and administrators;
the forms where managers (and administrators, for measures) keep baselines, targets, periods and actuals.

Reads go through ``outcomes.selectors.plan`` and writes through ``outcomes.services.plan``; this module only
parses forms and turns the figures into text.
"""

from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from iom import selectors as iom_selectors
from iom.models import User
from iom.services._validation import today
from outcomes import financial_years, selectors, services
from outcomes.models import MeasureKind, MeasureSource, MeasureUnit, PlanMeasure
from outcomes.rules import EDIT_PLAN_MEASURES, ENTER_PLAN_ACTUALS, READ_PLAN
from outcomes.services.plan import MEASURE_FIELDS
from web.access import AuthenticatedRequest, page
from web.common import service_errors_onto
from web.forms import SpecificErrors, VersionedForm, choice_field

STATUS_TAGS = {
    "met": ("Met", "green"),
    "on_track": ("On track", "blue"),
    "off_track": ("Off track", "red"),
    "no_data": ("No data", "grey"),
}
NO_VALUE = "\u2013"


# --- Text for figures --------------------------------------------------------------------------------------------


def figure_text(value: Decimal | None, unit: str) -> str:
    """``42.35%`` or ``21,430``; a dash for no value."""
    if value is None:
        return NO_VALUE
    number = f"{value:,.0f}" if value == value.to_integral_value() else f"{value.normalize():,f}"
    return f"{number}%" if unit == MeasureUnit.PERCENT else number


def target_text(measure: dict[str, Any]) -> str:
    kind, target, unit = measure["kind"], measure["target"], measure["unit"]
    by = f" in {financial_years.label(measure['period_to'])}"
    on = f" on {financial_years.label(measure['baseline_period'])}" if measure["baseline_period"] else ""
    if kind == MeasureKind.REDUCE_BY_PCT:
        return f"Down {figure_text(target, MeasureUnit.PERCENT)}{on}{by}"
    if kind == MeasureKind.REACH_RATE:
        return f"Reach {figure_text(target, unit)}{by}"
    if kind == MeasureKind.AT_MOST:
        return f"At most {figure_text(target, unit)}{by}"
    if kind == MeasureKind.AT_LEAST:
        return f"At least {figure_text(target, unit)}{by}"
    return f"Reduced{on}{by}"


def _source_text(measure: dict[str, Any]) -> str:
    if measure["computed"] == MeasureSource.IOM_REOFFENDING:
        who = f"the {measure['cohort']} cohort" if measure["cohort"] else "everyone with offence records"
        return f"Computed: proven reoffending rate of {who} with an index event in each year."
    if measure["computed"] == MeasureSource.GATEWAY_EMPLOYERS:
        return "Computed: employers with a job, apprenticeship, work trial or placement started, to each year's end."
    return ""


def _cells(points: list[dict[str, Any]], periods: list[int], unit: str) -> list[dict[str, Any]]:
    by_period = {point["period"]: point for point in points}
    cells = []
    for year in periods:
        point = by_period.get(year)
        cells.append({"period": year, "text": figure_text(point["value"], unit) if point else NO_VALUE, "point": point})
    return cells


def _page_periods(periods: list[int]) -> list[dict[str, Any]]:
    return [
        {"year": year, "label": financial_years.label(year), "code": financial_years.code(year)} for year in periods
    ]


# --- Read pages --------------------------------------------------------------------------------------------------


@page(READ_PLAN, methods=("GET",))
def scorecard(request: AuthenticatedRequest) -> HttpResponse:
    data = selectors.plan_scorecard(user=request.user)
    for objective in data["objectives"]:
        for measure in objective["measures"]:
            label, colour = STATUS_TAGS[measure["status"]]
            measure.update(
                status_label=label,
                status_colour=colour,
                target_text=target_text(measure),
                source_text=_source_text(measure),
                baseline_text=figure_text(measure["baseline"], measure["unit"]),
                baseline_period_label=(
                    financial_years.label(measure["baseline_period"]) if measure["baseline_period"] else ""
                ),
                cells=_cells(measure["actuals"], data["periods"], measure["unit"]),
                change_text=(
                    "" if measure["change_from_baseline_pct"] is None else f"{measure['change_from_baseline_pct']:+}%"
                ),
            )
    context = {
        "scorecard": data,
        "periods": _page_periods(data["periods"]),
    }
    return render(request, "plan/scorecard.html", context)


def _direction_text(point: dict[str, Any], unit: str) -> str:
    if point["direction"] is None:
        return ""
    if point["direction"] == "level":
        return "no change"
    size = (
        f"{abs(point['change_pct'])}%" if point["change_pct"] is not None else figure_text(abs(point["change"]), unit)
    )
    return f"{point['direction']} {size}"


@page(READ_PLAN, methods=("GET",))
def framework(request: AuthenticatedRequest) -> HttpResponse:
    data = selectors.plan_framework(user=request.user)
    for objective in data["objectives"]:
        for measure in objective["measures"]:
            for point in measure["trend"]:
                point["direction_text"] = _direction_text(point, measure["unit"])
            measure["source_text"] = _source_text(measure)
            measure["cells"] = _cells(measure["trend"], data["periods"], measure["unit"])
    return render(request, "plan/framework.html", {"framework": data, "periods": _page_periods(data["periods"])})


# --- Forms -------------------------------------------------------------------------------------------------------


def _year_choices(*years: int | None, optional: bool = False) -> list[tuple[Any, str]]:
    """Financial years from 2005 to five years ahead, widened to include ``years``."""
    known = [year for year in years if year is not None]
    first = min([2005, *known])
    last = max([financial_years.of(today()) + 5, *known])
    choices: list[tuple[Any, str]] = [(year, financial_years.label(year)) for year in range(first, last + 1)]
    return [("", "Not recorded"), *choices] if optional else choices


def _number_field(label: str, help_text: str = "", *, required: bool = False) -> forms.DecimalField:
    # A text box with a decimal keypad, as GOV.UK advises, rather than type="number".
    widget = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})
    return forms.DecimalField(label=label, required=required, help_text=help_text, widget=widget)


def _plain(value: Decimal | None) -> str:
    """A stored figure as a person would type it: 30000, not 30000.00."""
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


class MeasureForm(VersionedForm):
    baseline = _number_field("Baseline")
    baseline_period = forms.TypedChoiceField(
        label="Baseline year", coerce=int, empty_value=None, required=False, choices=()
    )
    target = _number_field("Target")
    period_from = forms.TypedChoiceField(label="First financial year", coerce=int, choices=())
    period_to = forms.TypedChoiceField(label="Last financial year", coerce=int, choices=())

    def __init__(self, *args, measure: PlanMeasure, **kwargs):
        super().__init__(*args, **kwargs)
        years = (measure.baseline_period, measure.period_from, measure.period_to)
        choice_field(self, "baseline_period").choices = _year_choices(*years, optional=True)
        choice_field(self, "period_from").choices = _year_choices(*years)
        choice_field(self, "period_to").choices = _year_choices(*years)
        self.fields["period_to"].help_text = "The target applies to this year."
        unit = "a per cent" if measure.unit == MeasureUnit.PERCENT else "a whole number"
        self.fields["baseline"].help_text = f"As {unit}. Leave empty if not known" + (
            "; the service then computes it for the baseline year." if measure.computed else "."
        )
        if measure.kind == MeasureKind.REDUCE:
            del self.fields["target"]  # judged only on being below the baseline
        elif measure.kind == MeasureKind.REDUCE_BY_PCT:
            self.fields["target"].label = "Target reduction (per cent)"
            self.fields["target"].help_text = "For example 18 for down 18% on the baseline."
        else:
            self.fields["target"].help_text = f"As {unit}."
        for name in ("baseline", "target"):
            if name in self.fields:
                self.fields[name].error_messages["invalid"] = f"Enter the {name} as a number, for example 18."

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in MEASURE_FIELDS if name in self.fields}


class ActualForm(SpecificErrors, forms.Form):
    period = forms.TypedChoiceField(label="Financial year", coerce=int, choices=())
    value = _number_field("Actual", required=True)
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where the figure comes from.",
    )

    def __init__(self, *args, measure: PlanMeasure, **kwargs):
        super().__init__(*args, **kwargs)
        entered = set(measure.actuals.values_list("period", flat=True))
        started = [year for year in measure.periods if financial_years.start(year) <= today()]
        # Entered years stay choosable, so entering one again says "change it instead", not "invalid choice".
        choice_field(self, "period").choices = [
            ("", "Choose"),
            *[(year, financial_years.label(year) + (" (entered)" if year in entered else "")) for year in started],
        ]
        self.fields["value"].help_text = "As a per cent." if measure.unit == MeasureUnit.PERCENT else "As a number."
        self.fields["value"].error_messages["invalid"] = "Enter the actual as a number, for example 21430."


class ActualEditForm(VersionedForm):
    value = _number_field("Actual", required=True)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, measure: PlanMeasure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = "As a per cent." if measure.unit == MeasureUnit.PERCENT else "As a number."
        self.fields["value"].error_messages["invalid"] = "Enter the actual as a number, for example 21430."


# --- Write pages -------------------------------------------------------------------------------------------------


def _measure_for_editing(user: User, code: str) -> PlanMeasure:
    """The page's rule refused other roles first (403), so nobody learns which codes exist from a refusal."""
    return selectors.plan_measure_get(user=user, code=code)


def _measure_for_actuals(user: User, code: str) -> PlanMeasure:
    measure = selectors.plan_measure_get(user=user, code=code)
    if measure.computed:
        raise Http404("This measure is computed: it has no actuals to enter.")
    return measure


def _scorecard_url(measure: PlanMeasure) -> str:
    return reverse("plan") + f"#measure-{measure.code}"


@page(EDIT_PLAN_MEASURES, methods=("GET", "POST"))
def measure_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    measure = _measure_for_editing(request.user, code)
    initial = {name: getattr(measure, name) for name in MEASURE_FIELDS}
    initial.update(baseline=_plain(measure.baseline), target=_plain(measure.target))
    form = MeasureForm(
        request.POST if request.method == "POST" else None,
        measure=measure,
        initial={**initial, "version": measure.version},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form, reload=partial(iom_selectors.record_reload, instance=measure)) as attempt:
            services.plan_measure_update(
                acting_user=request.user,
                measure=measure,
                version=form.cleaned_data["version"],
                **form.service_data(),
            )
            messages.success(request, f"{measure.title}: the measure was saved.")
            return redirect(_scorecard_url(measure))
        conflict = attempt.conflict
    actuals = list(measure.actuals.all()) if ENTER_PLAN_ACTUALS.allows(request.user) and not measure.computed else []
    context = {
        "form": form,
        "measure": measure,
        "conflict": conflict,
        "conflict_text": _measure_text(conflict) if conflict else "",
        "actuals": [
            {
                "actual": actual,
                "label": actual.period_label,
                "code": financial_years.code(actual.period),
                "value_text": figure_text(actual.value, measure.unit),
            }
            for actual in actuals
        ],
        "may_enter_actuals": ENTER_PLAN_ACTUALS.allows(request.user) and not measure.computed,
    }
    return render(request, "plan/measure_form.html", context)


def _measure_text(measure: PlanMeasure) -> str:
    baseline = figure_text(measure.baseline, measure.unit)
    if measure.baseline_period is not None:
        baseline += f" ({financial_years.label(measure.baseline_period)})"
    target = "" if measure.kind == MeasureKind.REDUCE else f"target {figure_text(measure.target, measure.unit)}, "
    return f"baseline {baseline}, {target}{measure.period_label}"


@page(ENTER_PLAN_ACTUALS, methods=("GET", "POST"))
def actual_new(request: AuthenticatedRequest, code: str) -> HttpResponse:
    measure = _measure_for_actuals(request.user, code)
    form = ActualForm(request.POST if request.method == "POST" else None, measure=measure)
    existing = None
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        reload = partial(selectors.plan_actual_get, user=request.user, measure=measure, period=period)
        with service_errors_onto(form, reload=reload, conflict_field="period") as attempt:
            actual = services.plan_actual_record(acting_user=request.user, measure=measure, **form.cleaned_data)
            messages.success(request, f"{measure.title}: the actual for {actual.period_label} was saved.")
            return redirect(_scorecard_url(measure))
        existing = attempt.conflict
    context = {
        "form": form,
        "measure": measure,
        "heading": "Enter an actual",
        "existing": existing,
        "existing_code": financial_years.code(existing.period) if existing else "",
    }
    return render(request, "plan/actual_form.html", context)


@page(ENTER_PLAN_ACTUALS, methods=("GET", "POST"))
def actual_edit(request: AuthenticatedRequest, code: str, period: str) -> HttpResponse:
    measure = _measure_for_actuals(request.user, code)
    actual = selectors.plan_actual_get(user=request.user, measure=measure, period=financial_years.parse(period))
    form = ActualEditForm(
        request.POST if request.method == "POST" else None,
        measure=measure,
        initial={"version": actual.version, "value": _plain(actual.value), "note": actual.note},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form, reload=partial(iom_selectors.record_reload, instance=actual)) as attempt:
            services.plan_actual_change(
                acting_user=request.user,
                actual=actual,
                version=form.cleaned_data["version"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"{measure.title}: the actual for {actual.period_label} was saved.")
            return redirect(_scorecard_url(measure))
        conflict = attempt.conflict
    context = {
        "form": form,
        "measure": measure,
        "actual": actual,
        "heading": f"Change the actual for {actual.period_label}",
        "conflict_text": (
            f"{figure_text(conflict.value, measure.unit)}{', note: ' + conflict.note if conflict.note else ''}"
            if conflict
            else ""
        ),
    }
    return render(request, "plan/actual_form.html", context)
