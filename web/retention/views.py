"""The retention review pages for IOM managers (docs/retention.md): the queue of people due, one person's review
(retain, with a reason and a date), the disposal confirmation, and the decisions taken.

Thin by rule: the selectors say who is due and on what basis, the services decide and erase.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from iom import selectors
from iom.models import OffenceCategory, Person
from iom.services._validation import today
from outcomes import retention_rule
from outcomes.metrics.reoffending import AGE_BAND_LABELS
from outcomes.rules import REVIEW_RETENTION
from outcomes.selectors import retention as retention_selectors
from outcomes.services import retention as retention_services
from web.access import AuthenticatedRequest, page
from web.common import paginate, service_errors_onto
from web.retention.forms import RetainForm


def _page_query(request: AuthenticatedRequest) -> dict[str, str]:
    return {"page": request.GET.get("page", "")[:20]}


@page(REVIEW_RETENTION, methods=("GET",))
def queue(request: AuthenticatedRequest) -> HttpResponse:
    on = today()
    page_obj = paginate(request, retention_selectors.retention_queue(user=request.user, on=on))
    selectors.audit_list_query(
        user=request.user,
        action="retention queue",
        query=_page_query(request),
        people=[schedule.person_id for schedule in page_obj],
    )
    return render(request, "retention/queue.html", {"page_obj": page_obj, "querystring": "", "today": on})


@page(REVIEW_RETENTION, methods=("GET",))
def decisions(request: AuthenticatedRequest) -> HttpResponse:
    page_obj = paginate(request, retention_selectors.retention_decision_list(user=request.user))
    selectors.audit_list_query(
        user=request.user,
        action="retention decisions",
        query=_page_query(request),
        people=[decision.person_id for decision in page_obj],
    )
    return render(request, "retention/decisions.html", {"page_obj": page_obj, "querystring": ""})


def _review_context(*, request: AuthenticatedRequest, person: Person) -> dict:
    """The person's basis for review as their records stand now, and what each decision would be allowed."""
    on = today()
    basis = retention_selectors.retention_basis_for(person=person, on=on)
    due = basis.next_review_on if basis is not None else None
    context: dict = {"person": person, "basis": basis, "today": on, "due": due, "is_due": due is not None and due <= on}
    if basis is not None:
        context.update(
            group_label=retention_rule.RetentionGroup(basis.group).label,
            category_label=OffenceCategory(basis.group_category).label if basis.group_category else "",
            review_years=retention_rule.REVIEW_YEARS[basis.group],
            latest_date=retention_rule.latest_retention_date(group=basis.group, on=on),
            disposal_problem=retention_rule.disposal_error(
                group=basis.group, date_of_birth=person.date_of_birth, on=on
            ),
        )
    context["decisions"] = list(
        retention_selectors.retention_decision_list(user=request.user).filter(person=person)[:20]
    )
    return context


@page(REVIEW_RETENTION, methods=("GET", "POST"))
def review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = retention_selectors.retention_person_get(user=request.user, pk=pk)
    form = RetainForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            decision = retention_services.retention_retain(
                acting_user=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                next_review_on=form.cleaned_data["next_review_on"],
            )
            messages.success(
                request,
                f"{person.full_name}'s records are kept; the next review is on {decision.next_review_on:%d %B %Y}.",
            )
            return redirect("retention")
    if not form.is_bound:
        selectors.record_view(user=request.user, obj=person, person_id=person.pk)
    context = _review_context(request=request, person=person)
    if "latest_date" in context:
        latest = context["latest_date"]
        form.fields["next_review_on"].help_text = f"No later than {latest.day} {latest:%B %Y}."
    return render(request, "retention/review.html", {**context, "form": form})


@page(REVIEW_RETENTION, methods=("GET", "POST"))
def dispose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The confirmation names what will be erased; the button is the decision, and it cannot be undone."""
    person = retention_selectors.retention_person_get(user=request.user, pk=pk)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        with service_errors_onto(form):
            erasure = retention_services.retention_dispose(acting_user=request.user, person=person)
            # Without the name: the message outlives the erasure in the session.
            messages.success(
                request, f"The person's personal data were erased. Their records remain as {erasure.reference}."
            )
            return redirect("retention")
    else:
        selectors.record_view(user=request.user, obj=person, person_id=person.pk)
    context = _review_context(request=request, person=person)
    context.update(form=form, preview=retention_selectors.erasure_preview(person=person))
    return render(request, "retention/dispose.html", context)


def erased_person_page(request: AuthenticatedRequest, person: Person) -> HttpResponse:
    """What the person page shows once the person is erased: their reference and when, nothing personal."""
    band = person.erased_age_band
    return render(
        request, "retention/erased_person.html", {"person": person, "age_band": AGE_BAND_LABELS.get(band, "")}
    )
