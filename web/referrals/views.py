"""Consent and referral pages for officers (on their cases) and partners (on their organisation's referrals)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from iom import access
from iom import selectors as iom_selectors
from iom.policy import CASEWORK
from iom.selectors import first_or_404
from iom.services._validation import today
from partners.models import ServiceType
from referrals import selectors, services
from referrals.models import Referral, ReferralState
from referrals.rules import WORK_REFERRALS
from referrals.services.referrals import TRANSITIONS, is_partner_of
from referrals.services.reminders import response_due_on
from web.access import AuthenticatedRequest, page
from web.common import paginate, querystring_without_page, service_errors_as_messages, service_errors_onto
from web.referrals.forms import (
    ConsentForm,
    ConvictionFormSet,
    DisclosureForm,
    MoveForm,
    ReferralForm,
    UpdateForm,
    WithdrawConsentForm,
)

S = ReferralState


def _person_url(person_id: int, anchor: str = "consents") -> str:
    return reverse("person", args=[person_id]) + f"#{anchor}"


@page(CASEWORK, methods=("GET", "POST"))
def consent_new(request: AuthenticatedRequest, pk: int):
    person = first_or_404(access.person_list_visible_to(user=request.user), pk)
    form = ConsentForm(request.POST if request.method == "POST" else None, initial={"given_on": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_errors_onto(form, renamed={"scope": "scope_organisation"}):
            services.consent_record(
                acting_user=request.user,
                person=person,
                scope_organisation=data["scope_organisation"],
                scope_service_type=data["scope_service_type"],
                shared_information=data["shared_information"],
                method=data["method"],
                given_on=data["given_on"],
            )
            messages.success(request, f"{person.full_name}'s consent was recorded.")
            return redirect(_person_url(person.pk))
    return render(request, "referrals/consent_form.html", {"form": form, "person": person, "heading": "Record consent"})


@page(CASEWORK, methods=("GET", "POST"))
def consent_withdraw(request: AuthenticatedRequest, pk: int):
    consent = selectors.consent_list_visible_to(user=request.user).filter(pk=pk).select_related("person").first()
    if consent is None:
        raise Http404
    form = WithdrawConsentForm(request.POST if request.method == "POST" else None, initial={"withdrawn_on": today()})
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            withdrawn = services.consent_withdraw(acting_user=request.user, consent=consent, **form.cleaned_data)
            count = len(withdrawn)
            messages.success(
                request,
                f"Consent was withdrawn. {count} open referral{'s were' if count != 1 else ' was'} withdrawn with it.",
            )
            return redirect(_person_url(consent.person_id))
    return render(
        request,
        "referrals/consent_form.html",
        {"form": form, "person": consent.person, "consent": consent, "heading": "Withdraw consent"},
    )


@page(CASEWORK, methods=("GET", "POST"))
def referral_new(request: AuthenticatedRequest, pk: int):
    case = first_or_404(iom_selectors.case_list(user=request.user), pk)
    form = ReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            referral = services.referral_create(acting_user=request.user, case=case, **form.cleaned_data)
            messages.success(request, "The referral was saved as a draft. Check it, then send it.")
            return redirect("referral", pk=referral.pk)
    return render(request, "referrals/referral_form.html", {"form": form, "case": case, "person": case.person})


@page(WORK_REFERRALS, methods=("GET",))
def referral_list(request: AuthenticatedRequest):
    user = request.user
    referrals = selectors.referral_list_visible_to(user=user).order_by("-submitted_at", "-created_at", "-pk")
    state = request.GET.get("state", "")
    if state in S.values:
        referrals = referrals.filter(state=state)
    page = paginate(request, referrals)
    on = today()
    rows = []
    for referral in page:
        due = response_due_on(referral.submitted_at.date()) if referral.submitted_at else None
        rows.append(
            {
                "referral": referral,
                "person": referral.case.person
                if selectors.sees_person_on_referral(user=user, referral=referral)
                else None,
                "overdue": referral.state == S.SUBMITTED and due is not None and due < on,
                "due": due,
            }
        )
    iom_selectors.audit_list_query(
        user=user,
        action="referrals",
        query={"state": state},
        people=[row["person"].pk for row in rows if row["person"] is not None],
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "rows": rows,
            "page_obj": page,
            "state": state,
            "states": S.choices,
            "querystring": querystring_without_page(request),
            "partner_view": not access.works_cases(user),
        },
    )


def _moves_for(user, referral: Referral) -> list[tuple[str, str, bool]]:
    """(state, button label, needs a reason) for each move this user may make now."""
    labels: dict[str, str] = {
        S.SUBMITTED: "Send the referral",
        S.WITHDRAWN: "Withdraw the referral",
        S.ACCEPTED: "Accept",
        S.DECLINED: "Decline",
        S.IN_PROGRESS: "Mark as started",
        S.COMPLETED: "Close as completed",
        S.NOT_ENGAGED: "Close as not engaged",
    }
    partner = is_partner_of(user, referral)
    changeable = access.case_list_changeable_by(user=user).filter(pk=referral.case_id).exists()
    moves = []
    for to_state in sorted(TRANSITIONS[referral.state], key=list(labels).index):
        mine = to_state in services.referrals.REFERRER_MOVES and changeable
        theirs = to_state in services.referrals.PARTNER_MOVES and partner
        if mine or theirs:
            moves.append((to_state, labels[to_state], to_state in services.referrals.REASON_REQUIRED))
    return moves


@page(WORK_REFERRALS, methods=("GET",))
def referral_detail(request: AuthenticatedRequest, pk: int):
    user = request.user
    referral = selectors.referral_get(user=user, pk=pk)
    sees_person = selectors.sees_person_on_referral(user=user, referral=referral)
    context = {
        "referral": referral,
        "person": referral.case.person if sees_person else None,
        "partner_view": not access.works_cases(user),
        "transitions": referral.transitions.select_related("by"),
        "updates": referral.updates.select_related("by"),
        "moves": _moves_for(user, referral),
        "update_form": UpdateForm(),
        "is_employment": referral.service.service_type == ServiceType.EMPLOYMENT,
        "convictions": referral.convictions.all() if sees_person else [],
        "placements": referral.placements.select_related("opportunity__employer__organisation"),
        "can_match": selectors.referral_may_match(user=user, referral=referral),
        "can_update": referral.is_live and (is_partner_of(user, referral) or access.works_cases(user)),
        "due": response_due_on(referral.submitted_at.date()) if referral.submitted_at else None,
    }
    return render(request, "referrals/referral_detail.html", context)


def _visible_referral(request, pk: int) -> Referral:
    referral = first_or_404(selectors.referral_list_visible_to(user=request.user), pk)
    return referral


@page(WORK_REFERRALS, methods=("POST",))
def referral_move(request: AuthenticatedRequest, pk: int):
    referral = _visible_referral(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with the referral.")
        return redirect("referral", pk=pk)
    with service_errors_as_messages(request):
        services.referral_transition(acting_user=request.user, referral=referral, **form.cleaned_data)
        messages.success(request, f"The referral is now {referral.get_state_display().lower()}.")
    return redirect("referral", pk=pk)


@page(WORK_REFERRALS, methods=("POST",))
def referral_update(request: AuthenticatedRequest, pk: int):
    referral = _visible_referral(request, pk)
    form = UpdateForm(request.POST)
    if form.is_valid():
        with service_errors_as_messages(request):
            services.referral_add_update(acting_user=request.user, referral=referral, **form.cleaned_data)
            messages.success(request, "Your update was added.")
    else:
        messages.error(request, "Enter the update.")
    return redirect("referral", pk=pk)


@page(CASEWORK, methods=("GET", "POST"))
def referral_disclosure(request: AuthenticatedRequest, pk: int):
    referral = _visible_referral(request, pk)
    if referral.service.service_type != ServiceType.EMPLOYMENT:
        raise Http404
    if request.method == "POST":
        form = DisclosureForm(request.POST)
        formset = ConvictionFormSet(request.POST, prefix="convictions")
        if form.is_valid() and formset.is_valid():
            convictions = [f.cleaned_data for f in formset if f.cleaned_data]
            with service_errors_onto(form):
                services.referral_approve_disclosure(
                    acting_user=request.user,
                    referral=referral,
                    convictions=convictions,
                    support_contacts=form.cleaned_data["support_contacts"],
                )
                messages.success(request, "The disclosure was approved. Employers will see only unspent convictions.")
                return redirect("referral", pk=pk)
    else:
        form = DisclosureForm(initial={"support_contacts": referral.support_contacts})
        initial = [
            {
                "offence_category": c.offence_category,
                "sentence_type": c.sentence_type,
                "convicted_on": c.convicted_on,
                "length_months": c.length_months,
                "ends_on": c.ends_on,
                "serious_offence": c.serious_offence,
            }
            for c in referral.convictions.all()
        ]
        formset = ConvictionFormSet(initial=initial, prefix="convictions")
    return render(request, "referrals/disclosure_form.html", {"form": form, "formset": formset, "referral": referral})
