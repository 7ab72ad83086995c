"""Case pages: open, allocate, assess a pathway, the action plan, notes and access grants.

Every form posts to a service; the case itself is shown on the person page.
"""

from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from iom import access, selectors, services
from iom.models import Action, Case, OrganisationType
from iom.policy import CASEWORK, LEAD_CASES, MANAGE_OFFENDERS
from iom.selectors import first_or_404
from iom.services._validation import today
from web.access import AuthenticatedRequest, page
from web.cases.forms import (
    ActionEditForm,
    ActionForm,
    AllocateForm,
    AssessForm,
    CompleteForm,
    GrantForm,
    NoteForm,
    OpenCaseForm,
)
from web.common import service_errors_as_messages, service_errors_onto


def _visible_case(request, pk: int) -> Case:
    case = first_or_404(selectors.case_list(user=request.user), pk)
    return case


def _visible_action(request, pk: int) -> Action:
    action = first_or_404(selectors.action_list(user=request.user).select_related("case__team__scheme"), pk)
    return action


def _case_url(case: Case, section: str = "") -> str:
    return reverse("person", args=[case.person_id]) + f"#case-{case.pk}{'-' + section if section else ''}"


def _case_form(request: AuthenticatedRequest, case: Case, form: forms.BaseForm, heading: str, **extra) -> HttpResponse:
    """Every form about one case renders in the same frame: the case and its person above, the form below."""
    context = {"form": form, "case": case, "person": case.person, "heading": heading, **extra}
    return render(request, "cases/case_form.html", context)


@page(CASEWORK, methods=("GET",))
def detail(request: AuthenticatedRequest, pk: int):
    """Cases are read on their person's page; this address keeps links in notifications short."""
    case, _opened = selectors.case_find(user=request.user, pk=pk)  # also a case opened outside one's teams
    return redirect(_case_url(case))


@page(CASEWORK, methods=("GET", "POST"))
def open_case(request: AuthenticatedRequest, pk: int):
    person = first_or_404(access.person_list_visible_to(user=request.user), pk)
    teams = request.user.teams.all()
    form = OpenCaseForm(request.POST if request.method == "POST" else None, teams=teams)
    if request.method == "POST" and form.is_valid():
        user = request.user
        with service_errors_onto(form):
            case = services.case_open(
                acting_user=user,
                person=person,
                team=form.cleaned_data["team"],
                lead_officer=user if user.organisation_type == OrganisationType.POLICE else None,
                offender_manager=user if user.organisation_type == OrganisationType.PROBATION else None,
            )
            messages.success(request, f"A case was opened in {case.team}.")
            return redirect(_case_url(case))
    return render(request, "cases/case_form.html", {"form": form, "person": person, "heading": "Open a case"})


@page(CASEWORK, methods=("GET", "POST"))
def allocate(request: AuthenticatedRequest, pk: int):
    case = _visible_case(request, pk)
    choices = {
        "lead_officers": selectors.user_list_seeing_case(case=case, rule=LEAD_CASES),
        "offender_managers": selectors.user_list_seeing_case(case=case, rule=MANAGE_OFFENDERS),
    }
    initial = {
        "version": case.version,
        "lead_officer": case.lead_officer_id,
        "offender_manager": case.offender_manager_id,
        "status": case.status,
    }
    form = AllocateForm(request.POST if request.method == "POST" else None, initial=initial, **choices)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reallocating = (data["lead_officer"], data["offender_manager"]) != (case.lead_officer, case.offender_manager)
        reload = partial(selectors.record_reload, instance=case, related=("lead_officer", "offender_manager"))
        with service_errors_onto(form, reload=reload) as attempt:
            # One service, one transaction: a refused status change leaves the allocation as it was.
            services.case_update(
                acting_user=request.user,
                case=case,
                version=data["version"],
                lead_officer=data["lead_officer"] if reallocating else services.KEEP,
                offender_manager=data["offender_manager"] if reallocating else services.KEEP,
                status=data["status"] if data["status"] != case.status else None,
            )
            messages.success(request, "The case's allocation and status were saved.")
            return redirect(_case_url(case))
        conflict = attempt.conflict
    return _case_form(request, case, form, "Allocation and status", conflict_case=conflict)


@page(CASEWORK, methods=("GET", "POST"))
def assess(request: AuthenticatedRequest, pk: int):
    case = _visible_case(request, pk)
    form = AssessForm(
        request.POST if request.method == "POST" else None,
        initial={"assessed_on": today(), "pathway": request.GET.get("pathway")},
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            assessment = services.pathway_assess(acting_user=request.user, case=case, **form.cleaned_data)
            messages.success(
                request, f"{assessment.get_pathway_display()} is now {assessment.get_rag_display().lower()}."
            )
            return redirect(_case_url(case, "pathways"))
    return _case_form(request, case, form, "Assess a pathway")


@page(CASEWORK, methods=("GET", "POST"))
def action_new(request: AuthenticatedRequest, pk: int):
    case = _visible_case(request, pk)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        owners=access.user_list_seeing_case(case=case),
        initial={"owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            services.action_add(acting_user=request.user, case=case, **form.cleaned_data)
            messages.success(request, "The action was added to the plan.")
            return redirect(_case_url(case, "actions"))
    return _case_form(request, case, form, "Add an action")


@page(CASEWORK, methods=("GET", "POST"))
def action_edit(request: AuthenticatedRequest, pk: int):
    action = _visible_action(request, pk)
    case = action.case
    initial = {
        "version": action.version,
        "description": action.description,
        "pathway": action.pathway or "",
        "owner": action.owner_id,
        "due_on": action.due_on,
    }
    form = ActionEditForm(
        request.POST if request.method == "POST" else None,
        owners=access.user_list_seeing_case(case=case),
        initial=initial,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        reload = partial(selectors.record_reload, instance=action, related=("owner",))
        with service_errors_onto(form, reload=reload) as attempt:
            services.action_update(acting_user=request.user, action=action, version=version, **data)
            messages.success(request, "The action was saved.")
            return redirect(_case_url(case, "actions"))
        conflict = attempt.conflict
    return _case_form(request, case, form, "Edit an action", conflict_action=conflict)


def _finish_action(request, pk: int, *, complete: bool):
    action = _visible_action(request, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That action could not be updated: reload the page and try again.")
        return redirect(_case_url(action.case, "actions"))
    with service_errors_as_messages(request):
        if complete:
            services.action_complete(acting_user=request.user, action=action, **form.cleaned_data)
        else:
            services.action_cancel(acting_user=request.user, action=action, version=form.cleaned_data["version"])
        messages.success(request, f"“{action.description[:60]}” was marked {'done' if complete else 'cancelled'}.")
    return redirect(_case_url(action.case, "actions"))


@page(CASEWORK, methods=("POST",))
def action_complete(request: AuthenticatedRequest, pk: int):
    return _finish_action(request, pk, complete=True)


@page(CASEWORK, methods=("POST",))
def action_cancel(request: AuthenticatedRequest, pk: int):
    return _finish_action(request, pk, complete=False)


@page(CASEWORK, methods=("GET", "POST"))
def note_new(request: AuthenticatedRequest, pk: int):
    case = _visible_case(request, pk)
    form = NoteForm(request.POST if request.method == "POST" else None, initial={"occurred_on": today()})
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            services.note_add(acting_user=request.user, case=case, **form.cleaned_data)
            messages.success(request, "The note was added.")
            return redirect(_case_url(case, "notes"))
    return _case_form(request, case, form, "Add a note")


@page(CASEWORK, methods=("GET", "POST"))
def access_grants(request: AuthenticatedRequest, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    form = GrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        grantee = selectors.user_by_username(username=request.POST.get("username", ""))
        with service_errors_onto(form, renamed={"grantee": "username"}):
            if "revoke" in request.POST:
                if grantee is None:
                    raise ValidationError({"username": "There is no user with that username."})
                services.case_revoke(
                    acting_user=request.user, case=case, grantee=grantee, permission=request.POST.get("permission", "")
                )
                messages.success(request, f"{grantee} no longer has that access to this case.")
                return redirect("case-access", pk=case.pk)
            if form.is_valid():
                if grantee is None:
                    raise ValidationError({"username": "There is no user with that username."})
                services.case_grant(
                    acting_user=request.user,
                    case=case,
                    grantee=grantee,
                    permission=form.cleaned_data["permission"],
                    reason=form.cleaned_data["reason"],
                )
                verb = "view and change" if form.cleaned_data["permission"] == "change_case" else "view"
                messages.success(request, f"{grantee} can now {verb} this case.")
                return redirect("case-access", pk=case.pk)
    grants = selectors.grant_list_for_cases(case_ids=[case.pk])[case.pk]
    return render(request, "cases/case_access.html", {"case": case, "form": form, "grants": grants})
