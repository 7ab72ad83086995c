"""Cohort pages: list, members with filters, and the panel's adopt and exit decisions.

Thin by rule: parse the request, check the role, call one selector or service, render.
Panel decisions are written only by ``services.membership_adopt`` and ``services.membership_exit``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from iom import access, selectors, services
from iom.models import Cohort, Membership, User
from iom.policy import CASEWORK
from iom.selectors import first_or_404
from web.access import AuthenticatedRequest, page
from web.cohorts.forms import AdoptForm, ExitForm, MemberFilterForm
from web.common import paginate, querystring_without_page, service_errors_onto

PANEL_REFUSAL = "Your role does not include panel decisions."


def _may_decide(user: User, cohort: Cohort) -> bool:
    return access.may_decide_for_cohort(user=user, cohort=cohort)


def _visible_cohort(user: User, slug: str) -> Cohort:
    cohort = access.cohort_list_visible_to(user=user).select_related("scheme").filter(slug=slug).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def _filtered_members(memberships: QuerySet[Membership], *, user: User, filters: dict) -> QuerySet[Membership]:
    if filters["status"] == "current":
        memberships = memberships.filter(exited_on__isnull=True)
    elif filters["status"] == "exited":
        memberships = memberships.filter(exited_on__isnull=False)
    if filters["district"]:
        memberships = memberships.filter(person__district=filters["district"])
    if filters["q"].strip():
        # The people search's own matching (name, alias, PNC ID, CRN), as a subquery.
        matches = selectors.person_search(user=user, query=filters["q"]).prefetch_related(None).values("pk")
        memberships = memberships.filter(person_id__in=matches)
    return memberships


@page(CASEWORK, methods=("GET",))
def cohort_list(request: AuthenticatedRequest) -> HttpResponse:
    cohorts = (
        access.cohort_list_visible_to(user=request.user)
        .select_related("scheme")
        .annotate(current_members=Count("memberships", filter=Q(memberships__exited_on__isnull=True)))
        .order_by("name", "pk")
    )
    return render(request, "cohorts/list.html", {"cohorts": cohorts})


@page(CASEWORK, methods=("GET",))
def cohort_detail(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    cohort = _visible_cohort(request.user, slug)
    data = request.GET.copy()
    data.setdefault("status", "current")
    form = MemberFilterForm(data)
    page_obj = filters = None
    if form.is_valid():
        filters = form.filters()
        memberships = selectors.membership_list(user=request.user).filter(cohort=cohort)
        memberships = _filtered_members(memberships, user=request.user, filters=filters).order_by(
            "-adopted_on", "person__last_name", "person__first_name", "pk"
        )
        page_obj = paginate(request, memberships)
        selectors.audit_list_query(
            user=request.user,
            action="cohort_members",
            query={"cohort": cohort.slug, **filters, "page": str(page_obj.number)},
            people=[membership.person_id for membership in page_obj],
        )
    context = {
        "cohort": cohort,
        "form": form,
        "filters": filters,
        "page_obj": page_obj,
        "querystring": querystring_without_page(request),
        "may_decide": _may_decide(request.user, cohort),
    }
    return render(request, "cohorts/detail.html", context)


@page(CASEWORK, methods=("GET", "POST"))
def adopt(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    cohort = _visible_cohort(request.user, slug)
    people = access.person_list_visible_to(user=request.user)
    if request.method == "POST":
        form = AdoptForm(request.POST, people=people)
        if form.is_valid():
            with service_errors_onto(form, renamed={"person": "pnc_id"}):
                # Refuses (and audits the refusal) for roles that do not record panel decisions.
                services.membership_adopt(
                    acting_user=request.user,
                    person=form.cleaned_data["person"],
                    cohort=cohort,
                    adopted_on=form.cleaned_data["adopted_on"],
                    panel_date=form.cleaned_data["panel_date"],
                )
                person = form.cleaned_data["person"]
                messages.success(request, f"{person.full_name} was adopted into {cohort.name}.")
                return redirect("cohort", slug=cohort.slug)
    else:
        form = AdoptForm(people=people)
    if not _may_decide(request.user, cohort):
        # A valid POST has already been refused (and audited) by the service; this covers the rest.
        raise PermissionDenied(PANEL_REFUSAL)
    return render(request, "cohorts/adopt.html", {"cohort": cohort, "form": form})


@page(CASEWORK, methods=("GET", "POST"))
def exit_member(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    membership = first_or_404(selectors.membership_list(user=request.user), pk)
    if request.method == "POST":
        form = ExitForm(request.POST)
        if form.is_valid():
            with service_errors_onto(form):
                services.membership_exit(
                    acting_user=request.user,
                    membership=membership,
                    exited_on=form.cleaned_data["exited_on"],
                    exit_reason=form.cleaned_data["exit_reason"],
                    panel_date=form.cleaned_data["panel_date"],
                )
                messages.success(
                    request, f"{membership.person.full_name}'s exit from {membership.cohort.name} was recorded."
                )
                return redirect("cohort", slug=membership.cohort.slug)
    else:
        form = ExitForm()
    if not _may_decide(request.user, membership.cohort):
        raise PermissionDenied(PANEL_REFUSAL)
    if not form.is_bound:
        selectors.record_view(user=request.user, obj=membership, person_id=membership.person_id)
    return render(request, "cohorts/exit.html", {"membership": membership, "form": form})
