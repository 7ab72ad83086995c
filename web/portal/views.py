"""The employer portal: my candidates, a candidate with the confirm actions, my opportunities, my pledge.

Employers only (everyone else gets 403). What an employer is told about a candidate comes from
``selectors.candidate_for_employer``; which candidates exist for them from ``selectors.placement_list_visible_to``
(a placement outside it is a 404, so an employer never learns that anyone else's candidate exists). What happened
is written only by ``services.placement_record_event``; the page offers just the next steps its order allows.
"""

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format

from iom import selectors as iom_selectors
from iom.models import User
from iom.selectors import first_or_404
from iom.services._validation import today
from partners import selectors as partner_selectors
from partners.models import Commitment, OpportunityStatus, PledgeStatus
from partners.rules import USE_PORTAL
from referrals import selectors, services
from referrals.models import InterviewOutcome, Placement, PlacementEvent, PlacementEventKind
from referrals.services.gateway import WEEKS_13, WEEKS_26
from web.access import AuthenticatedRequest, page
from web.common import paginate, querystring_without_page, service_errors_onto
from web.forms import DATE_INPUT, SpecificErrors, choice_field

K = PlacementEventKind
OPEN_FIRST = iom_selectors.in_order(
    "status", [OpportunityStatus.OPEN, OpportunityStatus.FILLED, OpportunityStatus.CLOSED]
)


def _visible_placement(user: User, pk: int) -> Placement:
    placement = first_or_404(selectors.placement_list_visible_to(user=user), pk)
    return placement


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


# --- What the employer may record next -------------------------------------------------------------------------


class _AnyEventKind(forms.ChoiceField):
    """Shows only the next steps, but passes any known kind on, so the service explains a refusal in its words."""

    def valid_value(self, value) -> bool:
        return value in K.values


class EventForm(SpecificErrors, forms.Form):
    kind = _AnyEventKind(label="What happened", widget=forms.RadioSelect)
    occurred_on = forms.DateField(label="Date it happened", widget=DATE_INPUT)
    outcome = forms.ChoiceField(
        label="Outcome of the interview", choices=InterviewOutcome.choices, widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(label="Why it ended", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, actions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = [(action["kind"], action["label"]) for action in actions]
        self.fields["kind"].error_messages["required"] = "Choose what happened."
        self.fields["occurred_on"].error_messages["required"] = "Enter the date it happened."
        self.fields["occurred_on"].error_messages["invalid"] = (
            "Enter the date it happened as a real date, for example 2024-03-27."
        )


def next_actions(
    placement: Placement, *, events: list[PlacementEvent], live: bool, on: datetime.date
) -> tuple[list[dict], list[str]]:
    """The steps the service's order allows now (``kind``, ``label``, ``hint``), and what falls due later.

    Before a start: an interview, an offer (once) and the start. Once started: 13 weeks in work from the day it
    falls due, then 26 weeks, and the end. Nothing after the end, nor for a closed referral that never started.
    """
    if placement.ended_on is not None or (placement.started_on is None and not live):
        return [], []
    if placement.started_on is None:
        offered = any(event.kind == K.OFFER for event in events)
        actions = [{"kind": K.INTERVIEW, "label": "Record an interview", "hint": "You can record more than one."}]
        if not offered:
            actions.append({"kind": K.OFFER, "label": "Record an offer", "hint": ""})
        actions.append({"kind": K.STARTED, "label": "Confirm start", "hint": "The candidate's first day at work."})
        return actions, []
    actions, later = [], []
    for kind, done_on, after, weeks in (
        (K.SUSTAINED_13, placement.sustained_13_on, placement.started_on, WEEKS_13),
        (K.SUSTAINED_26, placement.sustained_26_on, placement.sustained_13_on, WEEKS_26),
    ):
        if done_on is not None or after is None:
            continue
        due = placement.started_on + weeks
        label = f"Confirm {weeks.days // 7} weeks in work"
        if due <= on:
            actions.append({"kind": kind, "label": label, "hint": f"It fell due on {_day(due)}."})
        else:
            later.append(f"{weeks.days // 7} weeks in work falls due on {_day(due)}. You can confirm it from then.")
    actions.append({"kind": K.ENDED, "label": "Record that it ended", "hint": "For example, they left or were let go."})
    return actions, later


def _status(placement: Placement) -> tuple[str, str]:
    """A short status and its tag colour, from the placement's confirmed dates."""
    if placement.ended_on:
        return f"Ended {date_format(placement.ended_on, 'j M Y')}", "grey"
    if placement.sustained_26_on:
        return "26 weeks in work", "green"
    if placement.sustained_13_on:
        return "13 weeks in work", "green"
    if placement.started_on:
        return f"Started {date_format(placement.started_on, 'j M Y')}", "blue"
    return "Not started", "yellow"


def _next_step(placement: Placement, *, live: bool, on: datetime.date) -> str:
    if placement.ended_on or placement.sustained_26_on:
        return "Nothing to confirm"
    if placement.started_on is None:
        return "Record the interview or confirm the start" if live else "Nothing to record: the referral has closed"
    weeks, due = (
        (26, placement.started_on + WEEKS_26) if placement.sustained_13_on else (13, placement.started_on + WEEKS_13)
    )
    if due <= on:
        return f"Confirm {weeks} weeks in work (due {date_format(due, 'j M Y')})"
    return f"Confirm {weeks} weeks in work from {date_format(due, 'j M Y')}"


# --- Pages -------------------------------------------------------------------------------------------------------


@page(USE_PORTAL, methods=("GET",))
def candidates(request: AuthenticatedRequest) -> HttpResponse:
    placements = selectors.placement_list_visible_to(user=request.user).order_by("-matched_at", "-pk")
    page_obj = paginate(request, placements)
    on = today()
    rows = []
    for placement in page_obj:
        status, colour = _status(placement)
        candidate = selectors.candidate_for_employer(placement=placement, on=on)
        name, live = candidate.display_name, candidate.live
        rows.append(
            {
                "placement": placement,
                "name": name,
                "status": status,
                "colour": colour,
                "next_step": _next_step(placement, live=live, on=on),
            }
        )
    iom_selectors.audit_list_query(user=request.user, action="portal_candidates", query={"page": page_obj.number})
    context = {"rows": rows, "page_obj": page_obj, "querystring": querystring_without_page(request)}
    return render(request, "portal/candidates.html", context)


def _render_candidate(
    request: AuthenticatedRequest, placement: Placement, form: EventForm | None = None
) -> HttpResponse:
    on = today()
    candidate = selectors.candidate_for_employer(placement=placement, on=on)
    events = list(placement.events.select_related("recorded_by"))
    actions, later = next_actions(placement, events=events, live=candidate.live, on=on)
    if form is None:
        form = EventForm(actions=actions, initial={"occurred_on": on})
    else:
        choice_field(form, "kind").choices = [(action["kind"], action["label"]) for action in actions]
    kinds = {action["kind"] for action in actions}
    shown = {"kind", "occurred_on"} if actions else set()
    shown |= {"outcome"} if K.INTERVIEW in kinds else set()
    shown |= {"reason"} if K.ENDED in kinds else set()
    for name in [name for name in form.errors if name not in shown and name != "__all__"]:
        # An error on a field this page does not show (say, after the placement ended) goes to the summary.
        for error in form.errors.pop(name):
            form.add_error(None, error)
    convictions = [
        {**item, "label": item["offence_category"].replace("_", " ").capitalize()}
        for item in candidate.unspent_convictions
    ]
    selectors.candidate_record_view(user=request.user, placement=placement, via="portal")
    status, colour = _status(placement)
    context = {
        "candidate": candidate,
        "placement": placement,
        "events": events,
        "convictions": convictions,
        "status": status,
        "colour": colour,
        "actions": actions,
        "later": later,
        "offers_interview": K.INTERVIEW in kinds,
        "offers_end": K.ENDED in kinds,
        "form": form,
    }
    return render(request, "portal/candidate.html", context)


@page(USE_PORTAL, methods=("GET",))
def candidate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    placement = _visible_placement(request.user, pk)
    return _render_candidate(request, placement)


SUCCESS = {
    K.INTERVIEW: "The interview on {day} was recorded.",
    K.OFFER: "The offer made on {day} was recorded.",
    K.STARTED: "You confirmed that {name} started on {day}.",
    K.SUSTAINED_13: "You confirmed that {name} was still in work after 13 weeks, on {day}.",
    K.SUSTAINED_26: "You confirmed that {name} was still in work after 26 weeks, on {day}.",
    K.ENDED: "You recorded that the placement ended on {day}.",
}


@page(USE_PORTAL, methods=("POST",))
def record_event(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    placement = _visible_placement(request.user, pk)
    form = EventForm(request.POST, actions=[])
    if form.is_valid():
        data = form.cleaned_data
        with service_errors_onto(form):
            services.placement_record_event(
                acting_user=request.user,
                placement=placement,
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                outcome=data["outcome"],
                reason=data["reason"],
            )
            name = selectors.candidate_for_employer(placement=placement).display_name
            messages.success(request, SUCCESS[data["kind"]].format(name=name, day=_day(data["occurred_on"])))
            return redirect("portal-candidate", pk=placement.pk)
    return _render_candidate(request, placement, form)


@page(USE_PORTAL, methods=("GET",))
def opportunities(request: AuthenticatedRequest) -> HttpResponse:
    listed = partner_selectors.opportunity_list_visible_to(user=request.user).order_by(OPEN_FIRST, "-created_at", "-pk")
    page_obj = paginate(request, listed)
    return render(
        request,
        "portal/opportunities.html",
        {"page_obj": page_obj, "querystring": querystring_without_page(request)},
    )


@page(USE_PORTAL, methods=("GET",))
def pledge(request: AuthenticatedRequest) -> HttpResponse:
    employer = partner_selectors.employer_list_visible_to(user=request.user).first()
    pledges = list(partner_selectors.pledge_list_visible_to(user=request.user).order_by("-signed_on", "-pk"))
    active = next((item for item in pledges if item.status == PledgeStatus.ACTIVE), None)
    context = {
        "employer": employer,
        "active": active,
        "commitments": [dict(Commitment.choices).get(code, code) for code in (active.commitments if active else [])],
        "earlier": [item for item in pledges if item is not active],
    }
    return render(request, "portal/pledge.html", context)
