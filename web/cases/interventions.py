"""Intervention pages: officers record what was delivered on the case; the person page shows them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from iom import selectors as iom_selectors
from iom.policy import CASEWORK
from iom.selectors import first_or_404
from iom.services._validation import today
from outcomes import selectors, services
from referrals import selectors as referral_selectors
from web.access import AuthenticatedRequest, page
from web.cases.forms import InterventionForm
from web.common import service_errors_onto


@page(CASEWORK, methods=("GET", "POST"))
def intervention_new(request: AuthenticatedRequest, pk: int):
    case = first_or_404(iom_selectors.case_list(user=request.user), pk)
    form = InterventionForm(
        request.POST or None,
        programmes=selectors.programme_list(user=request.user, active_only=True),
        referrals=referral_selectors.referral_list_visible_to(user=request.user).filter(case=case),
        initial={"started_on": today()},
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            intervention = services.intervention_record(acting_user=request.user, case=case, **form.cleaned_data)
            messages.success(request, f"{intervention.programme.name} was recorded.")
            return redirect(reverse("person", args=[case.person_id]) + f"#case-{case.pk}-interventions")
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "case": case, "person": case.person, "heading": "Record an intervention"},
    )
