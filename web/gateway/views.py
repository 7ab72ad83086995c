"""Coordinator pages: the Gateway dashboard, employers and pledges, opportunities, and matching.

- The dashboard and its CSV are for scheme coordinators, IOM managers and analysts: aggregates only, from
  ``selectors.gateway_figures`` and ``selectors.gateway_funnel``.
- Employers, pledges, opportunities and matching are for scheme coordinators; writes go through
  ``partners.services`` and ``services.placement_match`` only.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iom.audit import audit_record
from iom.csv_export import csv_writer
from iom.models import AuditAction, District, Organisation, User
from iom.selectors import first_or_404, in_order
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
    PledgeStatus,
    Sector,
    ServiceType,
)
from partners.rules import COORDINATE_GATEWAY
from referrals import selectors, services
from referrals.models import MATCHABLE_STATES, Referral
from referrals.rules import READ_GATEWAY_FIGURES
from referrals.selectors import FUNNEL_STAGES
from web.access import AuthenticatedRequest, page
from web.common import paginate, querystring_without_page, service_errors_onto
from web.forms import DATE_INPUT, SpecificErrors, model_choice_field
from web.gateway import figures

CSV_COLUMNS = ("dimension", "group", *FUNNEL_STAGES)
TO_MATCH_LIMIT = 20
OPEN_FIRST = in_order("status", [OpportunityStatus.OPEN, OpportunityStatus.FILLED, OpportunityStatus.CLOSED])


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
        super().clean()
        data = self.cleaned_data
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
        model_choice_field(self, "organisation").queryset = partner_selectors.employer_organisation_list_unregistered()
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
        model_choice_field(self, "employer").queryset = employers
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


class _OpportunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Opportunity) -> str:
        return (
            f"{obj.title} at {obj.employer} "
            f"({obj.get_opportunity_type_display().lower()}, {obj.get_district_display()})"
        )


class MatchForm(SpecificErrors, forms.Form):
    opportunity = _OpportunityChoiceField(label="Opportunity", queryset=Opportunity.objects.none())

    def __init__(self, *args, opportunities, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "opportunity").queryset = opportunities
        self.fields["opportunity"].error_messages["required"] = "Choose the opportunity to match the person to."
        self.fields["opportunity"].error_messages["invalid_choice"] = "Choose an open opportunity from the list."


# --- Dashboard ---------------------------------------------------------------------------------------------------


@page(READ_GATEWAY_FIGURES, methods=("GET",))
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = FiguresFilterForm(request.GET)
    shown = None
    if form.is_valid():
        shown = figures.figures_shown(date_from=form.cleaned_data["from"], date_to=form.cleaned_data["to"])
    is_coordinator = COORDINATE_GATEWAY.allows(user)
    context = {
        "form": form,
        "figures": shown,
        "tables": figures.funnel_tables(),
        "to_match": selectors.referral_list_to_match(user=user, limit=TO_MATCH_LIMIT) if is_coordinator else None,
        "is_coordinator": is_coordinator,
    }
    return render(request, "gateway/dashboard.html", context)


@page(READ_GATEWAY_FIGURES, methods=("GET",))
def dashboard_csv(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    funnel = figures.funnel_by_group()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gateway-funnel-{today().isoformat()}.csv"'
    writer = csv_writer(response)
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
    employer = first_or_404(partner_selectors.employer_list_visible_to(user=user), pk)
    return employer


@page(COORDINATE_GATEWAY, methods=("GET",))
def employers(request: AuthenticatedRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.employer_list_with_activity(user=request.user))
    context = {"page_obj": page_obj, "querystring": querystring_without_page(request)}
    return render(request, "gateway/employers.html", context)


@page(COORDINATE_GATEWAY, methods=("GET", "POST"))
def employer_new(request: AuthenticatedRequest) -> HttpResponse:
    form = EmployerForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        with service_errors_onto(form):
            employer = partner_services.employer_register(acting_user=request.user, organisation=organisation, **data)
            messages.success(request, f"{employer} is registered with Gateway to Employment.")
            return redirect("gateway-employer", pk=employer.pk)
    return render(request, "gateway/employer_new.html", {"form": form})


@page(COORDINATE_GATEWAY, methods=("GET",))
def employer_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employer = _employer(request.user, pk)
    pledges = partner_selectors.pledge_list_visible_to(user=request.user).filter(employer=employer)
    offered = selectors.opportunity_list_with_matches(user=request.user).filter(employer=employer)
    context = {
        "employer": employer,
        "pledges": list(pledges.order_by("-signed_on", "-pk")),
        "opportunities": list(offered),
        "districts": [dict(District.choices).get(code, code) for code in employer.districts],
    }
    return render(request, "gateway/employer_detail.html", context)


@page(COORDINATE_GATEWAY, methods=("GET", "POST"))
def pledge_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employer = _employer(request.user, pk)
    form = PledgeForm(_posted(request), initial={"signed_on": today()})
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            partner_services.pledge_record(acting_user=request.user, employer=employer, **form.cleaned_data)
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


@page(COORDINATE_GATEWAY, methods=("GET",))
def opportunities(request: AuthenticatedRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET)
    listed = selectors.opportunity_list_with_matches(user=request.user).order_by("-created_at", "-pk")
    if form.is_valid() and form.cleaned_data["status"]:
        listed = listed.filter(status=form.cleaned_data["status"])
    page_obj = paginate(request, listed)
    context = {"form": form, "page_obj": page_obj, "querystring": querystring_without_page(request)}
    return render(request, "gateway/opportunities.html", context)


@page(COORDINATE_GATEWAY, methods=("GET", "POST"))
def opportunity_new(request: AuthenticatedRequest) -> HttpResponse:
    employers_listed = partner_selectors.employer_list_visible_to(user=request.user).order_by("organisation__name")
    initial = {"positions": 1}
    if request.GET.get("employer", "").isdigit():
        initial["employer"] = int(request.GET["employer"])
    form = OpportunityForm(_posted(request), employers=employers_listed, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            opportunity = partner_services.opportunity_save(acting_user=request.user, **form.cleaned_data)
            messages.success(request, f"“{opportunity.title}” at {opportunity.employer} is published.")
            return redirect("gateway-employer", pk=opportunity.employer_id)
    return render(request, "gateway/opportunity_new.html", {"form": form, "has_employers": employers_listed.exists()})


@page(COORDINATE_GATEWAY, methods=("GET", "POST"))
def match(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
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
        with service_errors_onto(form):
            services.placement_match(acting_user=user, referral=referral, opportunity=opportunity)
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
