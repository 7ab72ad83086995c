"""People pages: search, record, the person page (with their cases) and edit.

Thin by rule: parse the request, call one selector or service, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from iom import access, selectors, services
from iom.errors import ConflictError
from iom.models import Person, Role
from web.common import add_service_errors, paginate, querystring_without_page
from web.people.forms import PersonCreateForm, PersonForm, SearchForm
from web.people.person_page import person_page_context


@login_required
def search(request):
    access.ensure_works_cases(user=request.user)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = selectors.person_search(user=request.user, query=query).order_by("last_name", "first_name", "pk")
    page = paginate(request, people)
    if query:
        selectors.audit_list_query(user=request.user, action="people", query={"q": query})
    return render(
        request,
        "people/people_search.html",
        {"form": form, "query": query, "page_obj": page, "querystring": querystring_without_page(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    access.ensure_works_cases(user=request.user)
    form = PersonCreateForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                acting_user=request.user,
                data=form.service_data(),
                flags=list(form.cleaned_data["flags"]),
                team=form.cleaned_data["team"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} was recorded.")
            return redirect("person", pk=person.pk)
    return render(request, "people/person_new.html", {"form": form})


@login_required
def detail(request, pk: int):
    access.ensure_works_cases(user=request.user)
    person = selectors.person_get(user=request.user, pk=pk)
    context = person_page_context(user=request.user, person=person)
    if request.user.role == Role.IOM_MANAGER:
        context["viewers"] = selectors.person_viewers(person=person)
    return render(request, "people/person.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """Edit with optimistic locking: a stale save shows the other person's change and saves nothing."""
    access.ensure_works_cases(user=request.user)
    person = access.person_list_visible_to(user=request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    conflict = None
    if request.method == "POST":
        form = PersonForm(request.POST, instance=Person.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.person_update(
                    acting_user=request.user,
                    person=person,
                    version=form.cleaned_data["version"],
                    data=form.service_data(),
                    flags=list(form.cleaned_data["flags"]),
                )
            except ConflictError as exc:
                conflict = _conflict_rows(form, exc)
                form.add_error(None, exc.message)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{person.full_name}'s details were saved.")
                return redirect("person", pk=person.pk)
    else:
        form = PersonForm(instance=person, initial={"version": person.version})
    return render(request, "people/person_edit.html", {"person": person, "form": form, "conflict": conflict})


def _conflict_rows(form: PersonForm, exc: ConflictError) -> list[dict]:
    """What the other person saved beside what this user typed, for the fields that differ."""
    current = Person.objects.get(pk=form.instance.pk)
    rows = []
    for name in form.Meta.fields:
        if name == "flags":
            theirs = ", ".join(str(flag) for flag in current.flags.all())
            yours = ", ".join(str(flag) for flag in form.cleaned_data.get(name) or [])
        else:
            theirs, yours = getattr(current, name), form.cleaned_data.get(name)
        if (theirs or "") != (yours or ""):
            rows.append({"label": form.fields[name].label, "theirs": theirs, "yours": yours})
    # The form now carries the latest version, so saving again deliberately replaces what is shown.
    data = form.data.copy()
    data["version"] = str(exc.current_version)
    form.data = data
    return rows
