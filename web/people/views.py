"""People pages: search, record, the person page (with their cases) and edit.

Thin by rule: parse the request, call one selector or service, render.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from iom import access, selectors, services
from iom.policy import CASEWORK, SEE_VIEWERS
from iom.selectors import first_or_404
from outcomes.selectors.corrections import person_correction_events, person_corrections
from web.access import AuthenticatedRequest, page
from web.common import paginate, querystring_without_page, service_errors_onto
from web.people.forms import PersonCreateForm, PersonForm, SearchForm
from web.people.person_page import person_page_context
from web.retention.views import erased_person_page


@page(CASEWORK, methods=("GET",))
def search(request: AuthenticatedRequest):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = selectors.person_search(user=request.user, query=query).order_by("last_name", "first_name", "pk")
    page = paginate(request, people)
    if query:
        selectors.audit_list_query(
            user=request.user, action="people", query={"q": query}, people=[person.pk for person in page]
        )
    return render(
        request,
        "people/people_search.html",
        {"form": form, "query": query, "page_obj": page, "querystring": querystring_without_page(request)},
    )


@page(CASEWORK, methods=("GET", "POST"))
def create(request: AuthenticatedRequest):
    form = PersonCreateForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            person = services.person_create(
                acting_user=request.user,
                **form.service_data(),
                flags=list(form.cleaned_data["flags"]),
                team=form.cleaned_data["team"],
            )
            messages.success(request, f"{person.full_name} was recorded.")
            return redirect("person", pk=person.pk)
    return render(request, "people/person_new.html", {"form": form})


@page(CASEWORK, methods=("GET",))
def detail(request: AuthenticatedRequest, pk: int):
    read = selectors.person_read(user=request.user, pk=pk)
    if read.person.erased_at is not None:  # only the anonymised facts are left (docs/retention.md)
        return erased_person_page(request, read.person)
    with access.reading_opened_record(read.opened):
        context = person_page_context(user=request.user, person=read.person)
    if read.opened is not None:
        # Read through a record opened outside the user's teams: the banner says so, nothing offers a change (those
        # stay with the case's team), and who else has looked stays with the person's own managers.
        context.update(break_glass=read.opened, can_open_case=False)
    elif SEE_VIEWERS.allows(request.user):
        context["viewers"] = selectors.person_viewers(person=read.person)
    return render(request, "people/person.html", context)


@page(CASEWORK, methods=("GET", "POST"))
def edit(request: AuthenticatedRequest, pk: int):
    """Edit with optimistic locking: a stale save shows the other person's change and saves nothing."""
    person = first_or_404(access.person_list_visible_to(user=request.user), pk)
    if person.erased_at is not None:
        raise PermissionDenied(access.ERASED_REFUSAL)
    conflict = None
    if request.method == "POST":
        form = PersonForm(request.POST, instance=selectors.record_reload(instance=person))
        if form.is_valid():
            with service_errors_onto(form, reload=partial(_conflict_rows, form)) as attempt:
                services.person_update(
                    acting_user=request.user,
                    person=person,
                    version=form.cleaned_data["version"],
                    **form.service_data(),
                    flags=list(form.cleaned_data["flags"]),
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, f"{person.full_name}'s details were saved.")
                return redirect("person", pk=person.pk)
            conflict = attempt.conflict
    else:
        form = PersonForm(instance=person, initial={"version": person.version})
    return render(request, "people/person_edit.html", {"person": person, "form": form, "conflict": conflict})


@page(CASEWORK, methods=("GET",))
def corrections(request: AuthenticatedRequest, pk: int):
    """Every correction to the person's details and offence records, a page at a time (the person page shows the
    newest)."""
    person = selectors.person_get(user=request.user, pk=pk)
    page_obj = paginate(request, person_correction_events(person=person))
    context = {
        "person": person,
        "page_obj": page_obj,
        "corrections": person_corrections(events=page_obj),
        "querystring": querystring_without_page(request),
    }
    return render(request, "people/person_corrections.html", context)


def _conflict_rows(form: PersonForm) -> list[dict]:
    """What the other person saved beside what this user typed, for the fields that differ."""
    current = selectors.record_reload(instance=form.instance)
    rows = []
    for name in form.Meta.fields:
        theirs: object
        yours: object
        if name == "flags":
            theirs = ", ".join(str(flag) for flag in current.flags.all())
            yours = ", ".join(str(flag) for flag in form.cleaned_data.get(name) or [])
        else:
            theirs, yours = getattr(current, name), form.cleaned_data.get(name)
        if (theirs or "") != (yours or ""):
            rows.append({"label": form.fields[name].label, "theirs": theirs, "yours": yours})
    return rows
