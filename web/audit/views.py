"""The audit page for IOM managers and administrators.

Rows come from ``access.audit_list_visible_to``; changed values are shown only where
``access.audit_shows_values`` allows (never to administrators). Reading the log is itself a
consultation, so every page view records a *list* event with the filters used.
"""

import datetime

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from iom import access, selectors
from iom.models import AuditEvent
from iom.policy import AUDIT_VALUES, READ_AUDIT
from web.access import AuthenticatedRequest, page
from web.audit.forms import AuditFilterForm
from web.common import paginate, querystring_without_page

AUDIT_PAGE_SIZE = 50


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in Europe/London, so date filters follow the local calendar (and the index)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events: QuerySet[AuditEvent], data: dict) -> QuerySet[AuditEvent]:
    if data.get("user"):
        events = events.filter(username=data["user"])
    if data.get("person") is not None:
        events = events.filter(person_id=data["person"])
    if data.get("date_from"):
        events = events.filter(occurred_at__gte=_local_midnight(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(occurred_at__lt=_local_midnight(data["date_to"] + datetime.timedelta(days=1)))
    if data.get("action"):
        events = events.filter(action=data["action"])
    return events


@page(READ_AUDIT, methods=("GET",))
def audit_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = AuditFilterForm(request.GET)
    valid = form.is_valid()
    # Recorded before listing, so the reader's own consultation is the newest row they see.
    query = (
        form.query()
        if valid
        else {name: request.GET.get(name, "")[:200] for name in request.GET if name in form.fields}
    )
    if request.GET.get("page"):
        query["page"] = request.GET["page"][:20]
    selectors.audit_list_query(user=user, action="audit", query=query)
    page_obj = None
    if valid:
        events = _filtered(access.audit_list_visible_to(user=user), form.cleaned_data).order_by("-occurred_at", "-pk")
        page_obj = paginate(request, events, per_page=AUDIT_PAGE_SIZE)
    context = {
        "form": form,
        "page_obj": page_obj,
        "querystring": querystring_without_page(request),
        "shows_values": AUDIT_VALUES.allows(user),
        "links_people": AUDIT_VALUES.allows(user),
    }
    return render(request, "audit/audit.html", context)
