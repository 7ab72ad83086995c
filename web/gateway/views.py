"""Coordinator pages: the Gateway dashboard, employers and pledges, opportunities, and matching.

- The dashboard and its CSV are for scheme coordinators, IOM managers and analysts: aggregates only, from
  ``selectors.gateway_figures`` and ``selectors.gateway_funnel``.
- Employers, pledges, opportunities and matching are for scheme coordinators; writes go through
  ``partners.services`` and ``services.placement_match`` only.
"""

import csv
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from iom.audit import audit_record
from iom.models import AuditAction, District, Organisation, OrganisationType, Role, User
from iom.selectors import in_order
from iom.services._validation import today
from partners import selectors as partner_selectors
from partners import services as partner_services
from partners.models import (
    Commitment,
    Employer,
    EmployerSize,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Pledge,
    PledgeStatus,
    Sector,
    ServiceType,
)
from referrals import selectors, services
from referrals.models import Referral
from referrals.selectors import FUNNEL_STAGES
from referrals.services.gateway import MATCHABLE_STATES
from web.common import add_service_errors, paginate, querystring_without_page
from web.forms import DATE_INPUT, SpecificErrors

FIGURE_READERS = frozenset({Role.SCHEME_COORDINATOR, Role.IOM_MANAGER, Role.ANALYST})
STAGE_LABELS = {
    "referred": "Referred",
    "matched": "Matched",
    "interviewed": "Interviewed",
    "started": "Started",
    "sustained_13_weeks": "13 weeks in work",
    "sustained_26_weeks": "26 weeks in work",
}
# Sector rows have no "referred": a referral has a sector only once it is matched to an employer.
SECTOR_STAGES = tuple(stage for stage in FUNNEL_STAGES if stage != "referred")
CSV_COLUMNS = ("dimension", "group", *FUNNEL_STAGES)
TO_MATCH_LIMIT = 20
OPEN_FIRST = in_order("status", [OpportunityStatus.OPEN, OpportunityStatus.FILLED, OpportunityStatus.CLOSED])


def _ensure_reads_figures(user: User) -> None:
    if user.role not in FIGURE_READERS:
        raise PermissionDenied("Only scheme coordinators, IOM managers and analysts use the Gateway figures.")


def _ensure_coordinator(user: User) -> None:
    if user.role != Role.SCHEME_COORDINATOR:
        raise PermissionDenied("Only scheme coordinators manage Gateway to Employment.")


def _posted(request: HttpRequest):
    """The submitted data on a POST (even an empty one, so the form reports what is missing), else unbound."""
    return request.POST if request.method == "POST" else None


# --- Forms -------------------------------------------------------------------------------------------------------


class FiguresFilterForm(forms.Form):
    """``from`` and ``to`` (event dates), both optional; blank means all time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                widget=DATE_INPUT,
                error_messages={"invalid": f"Enter the {label.lower()} date as a real date, for example 2024-04-01."},
            )

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            self.add_error("to", "The to date must be the same as or after the from date.")
        return data


class EmployerForm(SpecificErrors, forms.Form):
    organisation = forms.ModelChoiceField(
        label="Employer organisation",
        queryset=Organisation.objects.none(),
        help_text="Employer organisations not yet registered. An administrator adds new organisations.",
    )
    sector = forms.ChoiceField(choices=[("", ""), *Sector.choices])
    size = forms.ChoiceField(choices=EmployerSize.choices, widget=forms.RadioSelect)
    districts = forms.MultipleChoiceField(
        label="Districts where they offer work",
        choices=District.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    contact_name = forms.CharField(label="Contact name", max_length=200, required=False)
    contact_email = forms.EmailField(label="Contact email address", required=False)
    contact_phone = forms.CharField(label="Contact phone number", max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            type=OrganisationType.EMPLOYER, employer__isnull=True
        ).order_by("name")
        self.fields["organisation"].error_messages["required"] = "Choose the employer organisation."
        self.fields["organisation"].error_messages["invalid_choice"] = "Choose an employer organisation from the list."
        self.fields["sector"].error_messages["required"] = "Choose the employer's sector."
        self.fields["size"].error_messages["required"] = "Choose the employer's size."
        self.fields["contact_email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.com."
        )


class PledgeForm(SpecificErrors, forms.Form):
    signed_on = forms.DateField(label="Date signed", widget=DATE_INPUT)
    signed_by = forms.CharField(
        label="Who signed it", max_length=200, help_text="Their name and position, for example Jo Bloggs, Director"
    )
    opportunities_pledged = forms.IntegerField(
        label="Number of opportunities pledged", min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    commitments = forms.MultipleChoiceField(
        label="Commitments made", choices=Commitment.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].error_messages["required"] = "Enter the date the pledge was signed."
        self.fields["signed_by"].error_messages["required"] = "Enter who signed the pledge."
        number = self.fields["opportunities_pledged"]
        number.error_messages["required"] = "Enter how many opportunities were pledged."
        number.error_messages["invalid"] = "Enter the number of opportunities pledged as a whole number, like 3."
        number.error_messages["min_value"] = "Enter how many opportunities were pledged (at least 1)."


class OpportunityForm(SpecificErrors, forms.Form):
    employer = forms.ModelChoiceField(queryset=Employer.objects.none())
    opportunity_type = forms.ChoiceField(
        label="Type of opportunity", choices=OpportunityType.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label="Title", max_length=200, help_text="For example, Care assistant (nights)")
    district = forms.ChoiceField(label="District", choices=[("", ""), *District.choices])
    hours_per_week = forms.IntegerField(label="Hours a week (optional)", min_value=1, max_value=100, required=False)
    closing_on = forms.DateField(label="Closing date (optional)", widget=DATE_INPUT, required=False)
    positions = forms.IntegerField(label="Number of positions", min_value=1, max_value=1000, initial=1)

    def __init__(self, *args, employers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        self.fields["employer"].error_messages["required"] = "Choose the employer."
        self.fields["employer"].error_messages["invalid_choice"] = "Choose an employer from the list."
        self.fields["opportunity_type"].error_messages["required"] = "Choose the type of opportunity."
        self.fields["title"].error_messages["required"] = "Enter the title of the opportunity."
        self.fields["district"].error_messages["required"] = "Choose the district where the work is."
        self.fields["positions"].error_messages["required"] = "Enter the number of positions."
        for name, what in (("hours_per_week", "hours a week"), ("positions", "number of positions")):
            self.fields[name].error_messages["invalid"] = f"Enter the {what} as a whole number, like 16."
        self.fields["closing_on"].error_messages["invalid"] = (
            "Enter the closing date as a real date, for example 2024-03-27."
        )


class MatchForm(SpecificErrors, forms.Form):
    opportunity = forms.ModelChoiceField(label="Opportunity", queryset=Opportunity.objects.none())

    def __init__(self, *args, opportunities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = opportunities
        self.fields["opportunity"].error_messages["required"] = "Choose the opportunity to match the person to."
        self.fields["opportunity"].error_messages["invalid_choice"] = "Choose an open opportunity from the list."
        self.fields["opportunity"].label_from_instance = lambda opportunity: (
            f"{opportunity.title} at {opportunity.employer} "
            f"({opportunity.get_opportunity_type_display().lower()}, {opportunity.get_district_display()})"
        )


# --- Dashboard ---------------------------------------------------------------------------------------------------


def _group_label(dimension: str, code) -> str:
    if code is None:
        return "Not recorded" if dimension == "district" else "Not yet matched"
    choices = District if dimension == "district" else Sector
    return dict(choices.choices).get(code, code)


def _funnel() -> dict[str, list[dict]]:
    tables = {"all": selectors.gateway_funnel()}
    for dimension in ("district", "sector"):
        tables[dimension] = [
            {**row, "label": _group_label(dimension, row["group"])} for row in selectors.gateway_funnel(by=dimension)
        ]
    return tables


FUNNEL_TABLES = (
    # (dimension, heading, the group column's header, stages shown, what to say when there are no rows)
    ("all", "All referrals", "Group", FUNNEL_STAGES, ""),
    (
        "district",
        "By the person's home district",
        "District",
        FUNNEL_STAGES,
        "No employment referrals have been sent yet.",
    ),
    ("sector", "By the employer's sector", "Sector", SECTOR_STAGES, "No one has been matched to an employer yet."),
)


def _funnel_tables(funnel: dict[str, list[dict]]) -> list[dict]:
    """Each breakdown as a table (rows of cells in stage order) and as Chart.js data drawn from the same cells."""
    tables = []
    for dimension, heading, group_header, stages, empty in FUNNEL_TABLES:
        rows = [
            {"label": row.get("label", "All referrals"), "cells": [row[stage] for stage in stages]}
            for row in funnel[dimension]
        ]
        if dimension == "all":
            # One group: one bar per stage.
            chart = {
                "labels": [STAGE_LABELS[s] for s in stages],
                "datasets": [{"label": "People", "data": rows[0]["cells"]}],
            }
        else:
            chart = {
                "labels": [row["label"] for row in rows],
                "datasets": [
                    {"label": STAGE_LABELS[stage], "data": [row["cells"][index] for row in rows]}
                    for index, stage in enumerate(stages)
                ],
            }
        tables.append(
            {
                "id": dimension,
                "chart_id": f"chart-{dimension}",
                "heading": heading,
                "group_header": group_header,
                "stages": [STAGE_LABELS[stage] for stage in stages],
                "rows": rows,
                "chart": chart,
                "empty": empty,
            }
        )
    return tables


def figures_shown(*, date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> dict:
    """The Gateway figures with the per cent of the Plan's target reached, as ``gateway/_figures.html`` shows them
    (this dashboard and the managers' dashboard)."""
    figures = selectors.gateway_figures(date_from=date_from, date_to=date_to)
    figures["progress"] = min(100, round(100 * figures["employers_with_placement_started"] / figures["target"]))
    return figures


def funnel_tables() -> list[dict]:
    """The funnel's tables and chart data, as ``gateway/_funnel.html`` shows them (both dashboards)."""
    return _funnel_tables(_funnel())


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    _ensure_reads_figures(user)
    form = FiguresFilterForm(request.GET)
    figures = None
    if form.is_valid():
        figures = figures_shown(date_from=form.cleaned_data["from"], date_to=form.cleaned_data["to"])
    to_match = None
    if user.role == Role.SCHEME_COORDINATOR:
        to_match = list(
            selectors.referral_list_visible_to(user=user)
            .filter(service__service_type=ServiceType.EMPLOYMENT, state__in=MATCHABLE_STATES)
            .annotate(matches=Count("placements"))
            .order_by("matches", "responded_at", "pk")[:TO_MATCH_LIMIT]
        )
    context = {
        "form": form,
        "figures": figures,
        "tables": funnel_tables(),
        "to_match": to_match,
        "is_coordinator": user.role == Role.SCHEME_COORDINATOR,
    }
    return render(request, "gateway/dashboard.html", context)


@login_required
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    user = request.user
    _ensure_reads_figures(user)
    funnel = _funnel()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gateway-funnel-{today().isoformat()}.csv"'
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for dimension in ("all", "district", "sector"):
        for row in funnel[dimension]:
            values = {**row, "dimension": dimension, "group": "" if dimension == "all" else (row["group"] or "")}
            if dimension == "sector":
                values["referred"] = ""  # no value: a referral has a sector only once matched
            writer.writerow([values[column] for column in CSV_COLUMNS])
    audit_record(user=user, action=AuditAction.EXPORT, details={"export": "gateway_funnel"})
    return response


# --- Employers and pledges ---------------------------------------------------------------------------------------


def _employer(user: User, pk: int) -> Employer:
    employer = partner_selectors.employer_list_visible_to(user=user).filter(pk=pk).first()
    if employer is None:
        raise Http404("No such employer.")
    return employer


@login_required
@require_GET
def employers(request: HttpRequest) -> HttpResponse:
    _ensure_coordinator(request.user)
    active_pledge = Pledge.objects.filter(employer_id=OuterRef("pk"), status=PledgeStatus.ACTIVE)
    listed = (
        partner_selectors.employer_list_visible_to(user=request.user)
        .annotate(
            has_active_pledge=Exists(active_pledge),
            open_opportunities=Count(
                "opportunities", filter=Q(opportunities__status=OpportunityStatus.OPEN), distinct=True
            ),
            placements_started=Count(
                "opportunities__placements",
                filter=Q(opportunities__placements__started_on__isnull=False),
                distinct=True,
            ),
        )
        .order_by("organisation__name", "pk")
    )
    page_obj = paginate(request, listed)
    context = {"page_obj": page_obj, "querystring": querystring_without_page(request)}
    return render(request, "gateway/employers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employer_new(request: HttpRequest) -> HttpResponse:
    _ensure_coordinator(request.user)
    form = EmployerForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            employer = partner_services.employer_register(
                acting_user=request.user, organisation=organisation, data=data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{employer} is registered with Gateway to Employment.")
            return redirect("gateway-employer", pk=employer.pk)
    return render(request, "gateway/employer_new.html", {"form": form})


@login_required
@require_GET
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_coordinator(request.user)
    employer = _employer(request.user, pk)
    pledges = partner_selectors.pledge_list_visible_to(user=request.user).filter(employer=employer)
    offered = (
        partner_selectors.opportunity_list_visible_to(user=request.user)
        .filter(employer=employer)
        .annotate(matches=Count("placements"))
        .order_by(OPEN_FIRST, "-created_at", "-pk")
    )
    context = {
        "employer": employer,
        "pledges": list(pledges.order_by("-signed_on", "-pk")),
        "opportunities": list(offered),
        "districts": [dict(District.choices).get(code, code) for code in employer.districts],
    }
    return render(request, "gateway/employer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_new(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_coordinator(request.user)
    employer = _employer(request.user, pk)
    form = PledgeForm(_posted(request), initial={"signed_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            partner_services.pledge_record(acting_user=request.user, employer=employer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{employer}'s pledge was recorded.")
            return redirect("gateway-employer", pk=employer.pk)
    has_active = partner_selectors.pledge_list_visible_to(user=request.user).filter(
        employer=employer, status=PledgeStatus.ACTIVE
    )
    context = {"form": form, "employer": employer, "has_active": has_active.exists()}
    return render(request, "gateway/pledge_new.html", context)


# --- Opportunities and matching ----------------------------------------------------------------------------------

OPPORTUNITY_STATUS_FILTER = [("", "Any status"), *OpportunityStatus.choices]


class OpportunityFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=OPPORTUNITY_STATUS_FILTER, required=False)


@login_required
@require_GET
def opportunities(request: HttpRequest) -> HttpResponse:
    _ensure_coordinator(request.user)
    form = OpportunityFilterForm(request.GET)
    listed = partner_selectors.opportunity_list_visible_to(user=request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        listed = listed.filter(status=form.cleaned_data["status"])
    listed = listed.annotate(matches=Count("placements")).order_by("-created_at", "-pk")
    page_obj = paginate(request, listed)
    context = {"form": form, "page_obj": page_obj, "querystring": querystring_without_page(request)}
    return render(request, "gateway/opportunities.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_new(request: HttpRequest) -> HttpResponse:
    _ensure_coordinator(request.user)
    employers_listed = partner_selectors.employer_list_visible_to(user=request.user).order_by("organisation__name")
    initial = {"positions": 1}
    if request.GET.get("employer", "").isdigit():
        initial["employer"] = int(request.GET["employer"])
    form = OpportunityForm(_posted(request), employers=employers_listed, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = partner_services.opportunity_save(acting_user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{opportunity.title}” at {opportunity.employer} is published.")
            return redirect("gateway-employer", pk=opportunity.employer_id)
    return render(request, "gateway/opportunity_new.html", {"form": form, "has_employers": employers_listed.exists()})


@login_required
@require_http_methods(["GET", "POST"])
def match(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _ensure_coordinator(user)
    referral: Referral = selectors.referral_get(user=user, pk=pk)
    if referral.service.service_type != ServiceType.EMPLOYMENT:
        raise Http404("Only Gateway to Employment referrals are matched to opportunities.")
    matched = list(
        selectors.placement_list_visible_to(user=user).filter(referral=referral).order_by("matched_at", "pk")
    )
    open_opportunities = (
        partner_selectors.opportunity_list_visible_to(user=user)
        .filter(status=OpportunityStatus.OPEN)
        .exclude(pk__in=[placement.opportunity_id for placement in matched])
        .order_by("employer__organisation__name", "title", "pk")
    )
    form = MatchForm(_posted(request), opportunities=open_opportunities)
    if request.method == "POST" and form.is_valid():
        opportunity = form.cleaned_data["opportunity"]
        try:
            services.placement_match(acting_user=user, referral=referral, opportunity=opportunity)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Referral {referral.pk} was matched to “{opportunity.title}” at {opportunity.employer}."
            )
            return redirect("gateway-match", pk=referral.pk)
    context = {
        "referral": referral,
        "person": referral.case.person if selectors.sees_person_on_referral(user=user, referral=referral) else None,
        "matchable": referral.state in MATCHABLE_STATES,
        "matched": matched,
        "form": form,
        "has_opportunities": open_opportunities.exists(),
    }
    return render(request, "gateway/match.html", context)
