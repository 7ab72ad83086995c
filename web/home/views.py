"""The home page ("My caseload") and the notifications page."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render

from iom import access, selectors, services
from iom.models import ActionStatus, Pathway, Rag
from iom.policy import ADMINISTER, REVIEW_BREAK_GLASS, SIGNED_IN, Rule
from iom.services._validation import today
from partners.rules import COORDINATE_GATEWAY, USE_PORTAL
from referrals.rules import READ_GATEWAY_FIGURES, RECEIVE_REFERRALS
from web.access import AuthenticatedRequest, page
from web.common import paginate

# Where each other kind of user's work starts, the first rule that allows them winning: the portal, the Gateway
# dashboard, the referrals inbox. Administrators stay on a plain home page (their work is in the admin site).
START_PAGES: tuple[tuple[Rule, str | None], ...] = (
    (USE_PORTAL, "portal"),
    (COORDINATE_GATEWAY, "gateway"),
    (RECEIVE_REFERRALS, "referrals"),
    (ADMINISTER, None),
    (READ_GATEWAY_FIGURES, "gateway"),
)


@page(SIGNED_IN, methods=("GET",))
def home(request: AuthenticatedRequest):
    user = request.user
    if not access.works_cases(user):
        start = next((name for rule, name in START_PAGES if rule.allows(user)), None)
        return redirect(start) if start else render(request, "home/home_other.html")
    on = today()
    page = paginate(request, selectors.caseload(user=user), per_page=50)
    cases = list(page.object_list)
    current = selectors.pathway_current_for_cases(case_ids=[case.pk for case in cases])
    rows = []
    for case in cases:
        rags = [current[case.pk].get(pathway) for pathway in Pathway.values]
        rows.append(
            {
                "case": case,
                "red": sum(1 for a in rags if a and a.rag == Rag.RED),
                "amber": sum(1 for a in rags if a and a.rag == Rag.AMBER),
                "green": sum(1 for a in rags if a and a.rag == Rag.GREEN),
                "unassessed": sum(1 for a in rags if a is None),
            }
        )
    my_open_actions = selectors.action_list(user=user).filter(owner=user, status=ActionStatus.OPEN)
    overdue = my_open_actions.filter(due_on__lt=on)
    due_this_week = my_open_actions.filter(due_on__gte=on, due_on__lte=on + datetime.timedelta(days=7))
    context = {
        "rows": rows,
        "page_obj": page,
        "querystring": "",
        "overdue_count": overdue.count(),
        "due_this_week_count": due_this_week.count(),
        "overdue": list(overdue.order_by("due_on", "pk")[:20]),
        "due_this_week": list(due_this_week.order_by("due_on", "pk")[:20]),
        "recent_notes": selectors.note_list_recent_on_caseload(user=user),
        "today": on,
    }
    if REVIEW_BREAK_GLASS.allows(user):
        context["break_glass_waiting"] = selectors.break_glass_waiting_count(user=user)
    selectors.audit_list_query(user=user, action="caseload", query={}, people=[case.person_id for case in cases])
    return render(request, "home/home.html", context)


@page(SIGNED_IN, methods=("GET", "POST"))
def notifications(request: AuthenticatedRequest):
    if request.method == "POST":
        marked = services.notification_mark_read(user=request.user)
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked as read.")
        return redirect("notifications")
    page = paginate(request, selectors.notification_list(user=request.user))
    return render(request, "home/notifications.html", {"page_obj": page, "querystring": ""})
