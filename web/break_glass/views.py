"""Break-glass pages: open a record outside one's teams, and the IOM managers' review queue.

Thin by rule: the service decides who may open what and records it; the selectors say which openings a manager
sees. The record itself is read on the person page, which shows the banner (web/people/views.py).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from iom import selectors
from iom.policy import BREAK_GLASS, REVIEW_BREAK_GLASS
from iom.selectors import first_or_404
from iom.services import break_glass
from web.access import AuthenticatedRequest, page
from web.break_glass.forms import OpenForm, ReviewForm
from web.common import paginate, querystring_without_page, service_errors_onto


def _when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


@page(BREAK_GLASS, methods=("GET", "POST"))
def open_record(request: AuthenticatedRequest):
    form = OpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            opening = break_glass.break_glass_open(acting_user=request.user, **form.cleaned_data)
            name = opening.person.full_name
            if opening.access is None:
                messages.info(
                    request, f"You can already see {name} through your teams or a grant: nothing was recorded."
                )
            elif not opening.created:
                until = _when(opening.access.expires_at)
                messages.info(request, f"You already have {name}'s record open, until {until}: nothing was recorded.")
            else:
                until = _when(opening.access.expires_at)
                messages.success(request, f"You can read {name}'s record until {until}. Your reason was recorded.")
            return redirect("person", pk=opening.person.pk)
    open_records = list(selectors.break_glass_open_list(user=request.user))
    if open_records:  # names of people: a consultation, like any list of them
        people = [opened.person_id for opened in open_records]
        selectors.audit_list_query(user=request.user, action="records opened outside teams", query={}, people=people)
    context = {"form": form, "open_records": open_records, "hours": settings.BREAK_GLASS_HOURS}
    return render(request, "break_glass/open.html", context)


@page(REVIEW_BREAK_GLASS, methods=("GET",))
def review_list(request: AuthenticatedRequest):
    page_obj = paginate(request, selectors.break_glass_queue(user=request.user))
    openings = list(page_obj.object_list)
    seen = selectors.person_ids_visible_to(user=request.user, person_ids=[opened.person_id for opened in openings])
    rows = [
        {"opened": opened, "sees_person": opened.person_id in seen, "own": opened.user_id == request.user.pk}
        for opened in openings
    ]
    if openings:
        query, people = {"page": request.GET.get("page")}, [opened.person_id for opened in openings]
        selectors.audit_list_query(user=request.user, action="break-glass reviews", query=query, people=people)
    context = {
        "page_obj": page_obj,
        "rows": rows,
        "waiting": selectors.break_glass_waiting_count(user=request.user),
        "querystring": querystring_without_page(request),
    }
    return render(request, "break_glass/reviews.html", context)


@page(REVIEW_BREAK_GLASS, methods=("GET", "POST"))
def review(request: AuthenticatedRequest, pk: int):
    opened = first_or_404(selectors.break_glass_queue(user=request.user), pk)
    may_review = opened.reviewed_at is None and opened.user_id != request.user.pk
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form, renamed={"review": "decision", "end_now": "decision"}):
            break_glass.break_glass_review(acting_user=request.user, opened=opened, **form.service_data())
            messages.success(request, f"Your review of the record {opened.user} opened was recorded.")
            return redirect("break-glass-reviews")
    if request.method == "GET":
        selectors.record_view(user=request.user, obj=opened, person_id=opened.person_id)
    context = {
        "opened": opened,
        "form": form,
        "may_review": may_review,
        "sees_person": bool(selectors.person_ids_visible_to(user=request.user, person_ids=[opened.person_id])),
        "views": selectors.break_glass_views(opened=opened),
        "now": timezone.now(),
    }
    return render(request, "break_glass/review.html", context)
