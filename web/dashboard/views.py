"""The managers' dashboard: the numbers the Plan is judged by, each as a chart with the same figures in a table.

For IOM managers, analysts and administrators (the rule ``outcomes.rules.READ_METRICS``); aggregates only,
never a name or PNC ID. The figures come unchanged from ``outcomes.metrics``, the Plan scorecard selector and
the Gateway selectors; this module parses the filters, turns figures into text and chart data, and renders.
Each section links to the API endpoint that gives the same figures as CSV.

Queries do not grow with the number of people: each metric is a fixed number of aggregate queries (one per
quarter for the trend), the scorecard one per computed year, the funnel a handful.
"""

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from iom.dates import one_year_after, six_months_after
from iom.models import Cohort, User
from iom.services._validation import today
from outcomes import financial_years, metrics
from outcomes.metrics.reoffending import parse_quarter, quarters_between
from outcomes.models import MetricKind, OffenceCategory
from outcomes.rules import READ_METRICS
from outcomes.selectors import plan_scorecard
from outcomes.selectors.metrics import (
    crime_unit_cost_sources,
    data_as_of,
    metric_cohort_list,
    metric_snapshot_list,
)
from referrals.rules import READ_GATEWAY_FIGURES
from web.access import AuthenticatedRequest, page
from web.forms import DATE_INPUT, model_choice_field
from web.gateway.figures import figures_shown, funnel_tables
from web.plan.views import STATUS_TAGS, figure_text, target_text

DEFAULT_QUARTERS = 8
MAX_QUARTERS = 40  # ten years of quarterly cohorts on one page (the API allows more)
NO_VALUE = "\u2013"
SUPPRESSED = "suppressed (fewer than 5)"
CATEGORY_LABELS = dict(OffenceCategory.choices)


# --- Quarters ----------------------------------------------------------------------------------------------------


def _quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def _earlier(year: int, quarter: int, by: int = 1) -> tuple[int, int]:
    index = year * 4 + (quarter - 1) - by
    return index // 4, index % 4 + 1


def measurable_on(quarter_end: datetime.date) -> datetime.date:
    """When everyone with an index date in a quarter is measurable: the waiting end of its last day
    (six months after the year's follow-up, docs/metrics.md)."""
    return six_months_after(one_year_after(quarter_end))


def default_quarters(on: datetime.date) -> tuple[str, str]:
    """The last :data:`DEFAULT_QUARTERS` calendar quarters whose people are all measurable on ``on``."""
    year, quarter = _earlier(*_quarter_of(on))
    while measurable_on(parse_quarter(_label(year, quarter))[1]) > on:
        year, quarter = _earlier(year, quarter)
    first = _earlier(year, quarter, DEFAULT_QUARTERS - 1)
    return _label(*first), _label(year, quarter)


# --- The filters -------------------------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """Cohort (optional), first and last quarter, and the ``as_of`` date; the view fills in the defaults."""

    cohort = forms.ModelChoiceField(
        label="Cohort",
        queryset=Cohort.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="Everyone",
        error_messages={"invalid_choice": "Choose a cohort from the list."},
    )
    from_quarter = forms.CharField(
        label="First quarter",
        help_text="For example 2018Q1",
        error_messages={"required": "Enter the first quarter, for example 2018Q1."},
    )
    to_quarter = forms.CharField(
        label="Last quarter",
        help_text="For example 2019Q4",
        error_messages={"required": "Enter the last quarter, for example 2019Q4."},
    )
    as_of = forms.DateField(
        label="Figures as of",
        widget=DATE_INPUT,
        error_messages={
            "required": "Enter the date the figures are as of.",
            "invalid": "Enter the figures' date as a real date, for example 2024-04-01.",
        },
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "cohort").queryset = metric_cohort_list(user=user).order_by("name", "slug")

    def _quarter(self, name: str, label: str) -> str:
        value = self.cleaned_data[name].strip().upper()
        try:
            parse_quarter(value)
        except ValueError as exc:
            raise forms.ValidationError(
                f"Enter the {label} as a year and quarter, for example 2018Q1 (not {value!r})."
            ) from exc
        return value

    def clean_from_quarter(self) -> str:
        return self._quarter("from_quarter", "first quarter")

    def clean_to_quarter(self) -> str:
        return self._quarter("to_quarter", "last quarter")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        first, last = data.get("from_quarter"), data.get("to_quarter")
        if first and last:
            if parse_quarter(first)[0] > parse_quarter(last)[0]:
                self.add_error("to_quarter", "The last quarter must be the same as or after the first quarter.")
            elif len(quarters_between(first, last)) > MAX_QUARTERS:
                self.add_error("to_quarter", f"Choose at most {MAX_QUARTERS} quarters (ten years) at once.")
        return data


def _filter_data(request: HttpRequest) -> dict[str, str]:
    """What was asked for, with the defaults for anything left out or empty."""
    on = today()
    first, last = default_quarters(on)
    defaults = {"cohort": "", "from_quarter": first, "to_quarter": last, "as_of": on.isoformat()}
    return {name: (request.GET.get(name) or "").strip() or default for name, default in defaults.items()}


# --- Figures as text ---------------------------------------------------------------------------------------------


def percent(rate: float | None) -> str:
    """A rate of 4 decimal places as the per cent it is exactly: 0.4623 → ``46.23%``."""
    if rate is None:
        return NO_VALUE
    return f"{(Decimal(str(rate)) * 100).normalize():f}%"


def interval(bounds: list[float] | None) -> str:
    if not bounds:
        return NO_VALUE
    return f"{percent(bounds[0])} to {percent(bounds[1])}"


def pounds(value: int | None) -> str:
    """Whole pounds: ``£1,234``, ``-£1,234``."""
    if value is None:
        return NO_VALUE
    return f"{'-' if value < 0 else ''}£{abs(value):,}"


def signed_percent(value: float | None) -> str:
    if value is None:
        return NO_VALUE
    return f"{value:+.1f}%"


def _chart_percent(rate: float | None) -> float | None:
    return None if rate is None else float(Decimal(str(rate)) * 100)


def _csv_link(name: str, **params: Any) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{reverse(name)}?{urlencode({**query, 'format': 'csv'})}"


# --- Sections ----------------------------------------------------------------------------------------------------


def _headline(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        **figures,
        "nobody_measurable": figures["people_with_index_event"] == figures["not_yet_measurable"],
        "rate_text": percent(figures["binary_rate"]),
        "interval_text": interval(figures["binary_rate_ci95"]),
        "frequency_text": NO_VALUE if figures["frequency_per_offender"] is None else figures["frequency_per_offender"],
    }


def _quarterly(result: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for quarter in result["quarters"]:
        rows.append(
            {
                "quarter": quarter["quarter"],
                "people": quarter["people_with_index_event"],
                "not_yet_measurable": quarter["not_yet_measurable"],
                "suppressed": quarter["suppressed"],
                "nobody_measurable": quarter["people_with_index_event"] == quarter["not_yet_measurable"],
                "measurable": quarter["measurable"],
                "reoffenders": quarter["reoffenders"],
                "rate_text": percent(quarter["binary_rate"]),
                "interval_text": interval(quarter["binary_rate_ci95"]),
            }
        )
    quarters = result["quarters"]
    chart = {
        "kind": "interval",
        "labels": [quarter["quarter"] for quarter in quarters],
        "rates": [_chart_percent(quarter["binary_rate"]) for quarter in quarters],
        "intervals": [
            [_chart_percent(bound) for bound in quarter["binary_rate_ci95"]] if quarter["binary_rate_ci95"] else None
            for quarter in quarters
        ],
    }
    return {
        "rows": rows,
        "chart": chart,
        "has_people": any(row["people"] for row in rows),
        "has_rates": any(rate is not None for rate in chart["rates"]),
    }


def _pre_post(result: dict[str, Any]) -> dict[str, Any]:
    categories = [
        {
            **row,
            "label": CATEGORY_LABELS.get(row["category"], row["category"]),
            "cost_before_text": pounds(row["cost_before"]),
            "cost_after_text": pounds(row["cost_after"]),
            "costed": row["cost_before"] is not None,
        }
        for row in result["by_category"] or ()
    ]
    costed = [row for row in categories if row["costed"]]
    return {
        **result,
        "categories": categories,
        "costed": costed,
        "change_text": signed_percent(result["change_pct"]),
        "cost_before_text": pounds(result["cost_before"]),
        "cost_after_text": pounds(result["cost_after"]),
        "cost_change_text": pounds(result["cost_change"]),
        # The tables' rows, (category, year before, year after), for dashboard/_before_after.html.
        "offences_rows": [(row["label"], row["before"], row["after"]) for row in categories],
        "cost_rows": [(row["label"], row["cost_before_text"], row["cost_after_text"]) for row in costed],
        "offences_chart": {
            "kind": "bars",
            "axis": "Offences",
            "labels": [row["label"] for row in categories],
            "datasets": [
                {"label": "Year before adoption", "data": [row["before"] for row in categories]},
                {"label": "Year after adoption", "data": [row["after"] for row in categories]},
            ],
        },
        "cost_chart": {
            "kind": "bars",
            "axis": "Cost of crime (£)",
            "money": True,
            "labels": [row["label"] for row in costed],
            "datasets": [
                {"label": "Year before adoption", "data": [row["cost_before"] for row in costed]},
                {"label": "Year after adoption", "data": [row["cost_after"] for row in costed]},
            ],
        },
    }


MATURING_QUARTERS = 4
MATURING_SNAPSHOTS = 8


def _maturing(cohort: Cohort | None) -> dict[str, Any] | None:
    """The newest quarters' rates as each nightly snapshot had them: how the figures moved as data matured."""
    snapshots = list(
        metric_snapshot_list(
            metric=MetricKind.QUARTERLY, cohort_slug=cohort.slug if cohort else "", limit=MATURING_SNAPSHOTS
        )
    )
    if not snapshots:
        return None
    labels = [quarter["quarter"] for quarter in snapshots[0].figures["quarters"][-MATURING_QUARTERS:]]
    rows = []
    for snapshot in snapshots:
        by_label = {quarter["quarter"]: quarter for quarter in snapshot.figures["quarters"]}
        cells = []
        for label in labels:
            quarter = by_label.get(label)
            if quarter is None:
                cells.append("not taken")
            elif quarter["suppressed"]:
                cells.append("suppressed")
            else:
                cells.append(f"{percent(quarter['binary_rate'])} of {quarter['measurable']}")
        rows.append({"taken_on": snapshot.taken_on, "cells": cells})
    return {"labels": labels, "rows": rows}


def _scorecard(user: User) -> list[dict[str, Any]]:
    """One row per measure of the Plan: latest value, target and status, as the scorecard page words them."""
    rows = []
    for objective in plan_scorecard(user=user)["objectives"]:
        for measure in objective["measures"]:
            label, colour = STATUS_TAGS[measure["status"]]
            latest = measure["latest"]
            rows.append(
                {
                    "code": measure["code"],
                    "title": measure["title"],
                    "latest_text": figure_text(latest["value"], measure["unit"]) if latest else NO_VALUE,
                    "latest_period_label": financial_years.label(latest["period"]) if latest else "",
                    "target_text": target_text(measure),
                    "status_label": label,
                    "status_colour": colour,
                }
            )
    return rows


@page(READ_METRICS, methods=("GET",))
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = DashboardFilterForm(_filter_data(request), user=user)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        cohort, as_of = form.cleaned_data["cohort"], form.cleaned_data["as_of"]
        first, last = form.cleaned_data["from_quarter"], form.cleaned_data["to_quarter"]
        index_from, index_to = parse_quarter(first)[0], parse_quarter(last)[1]
        slug = cohort.slug if cohort else None
        context.update(
            cohort=cohort,
            as_of=as_of,
            index_from=index_from,
            index_to=index_to,
            headline=_headline(
                metrics.reoffending(
                    index_from=index_from, index_to=index_to, as_of=as_of, cohort=cohort, with_breakdowns=False
                )
            ),
            headline_csv=_csv_link(
                "v1:metrics-reoffending", index_from=index_from, index_to=index_to, as_of=as_of, cohort=slug
            ),
            quarterly=_quarterly(
                metrics.reoffending_quarterly(from_quarter=first, to_quarter=last, as_of=as_of, cohort=cohort)
            ),
            quarterly_csv=_csv_link(
                "v1:metrics-reoffending-quarterly", from_quarter=first, to_quarter=last, as_of=as_of, cohort=slug
            ),
        )
        context["maturing"] = _maturing(cohort)
        if cohort is not None:
            context["pre_post"] = _pre_post(metrics.pre_post(cohort=cohort, as_of=as_of))
            context["pre_post_csv"] = _csv_link("v1:metrics-pre-post", cohort=slug, as_of=as_of)
            context["unit_cost_sources"] = crime_unit_cost_sources()
    # Newer quarters than this are not yet measurable (today's defaults), whatever was asked for.
    newest = parse_quarter(default_quarters(today())[1])[1]
    context.update(
        newest_measurable=newest,
        next_measurable_on=measurable_on(parse_quarter(_label(*_earlier(*_quarter_of(newest), -1)))[1]),
        data_as_of=data_as_of(),
        scorecard=_scorecard(user),
        figures=figures_shown(),
        tables=funnel_tables(),
        funnel_csv=reverse("gateway-csv") if READ_GATEWAY_FIGURES.allows(user) else None,
    )
    return render(request, "dashboard/dashboard.html", context)
