"""Server-rendered pages of the core: home, person, case access grants, notifications.

Thin by rule: parse the request, call one selector or service, render.
The full officer pages arrive with the officer-pages issue.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from iom import access, selectors, services
from iom.errors import ConflictError
from iom.models import ActionStatus, Notification, Person, User
from iom.pages.forms import PersonForm
from iom.services._validation import today


@login_required
def home(request):
    user = request.user
    context = {"works_cases": access.works_cases(user)}
    if context["works_cases"]:
        context["cases"] = (
            selectors.case_list(user=user).filter(lead_officer=user)
            | selectors.case_list(user=user).filter(offender_manager=user)
        ).order_by("person__last_name", "person__first_name")[:50]
        context["overdue"] = selectors.action_list(user=user).filter(
            owner=user, status=ActionStatus.OPEN, due_on__lt=today()
        )[:20]
        selectors.audit_list_query(user=user, action="caseload", query={})
    return render(request, "pages/home.html", context)


@login_required
def person_detail(request, pk: int):
    access.ensure_works_cases(user=request.user)
    person = selectors.person_get(user=request.user, pk=pk)
    cases = selectors.case_list(user=request.user).filter(person=person)
    memberships = selectors.membership_list(user=request.user).filter(person=person)
    return render(request, "pages/person.html", {"person": person, "cases": cases, "memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
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
    return render(request, "pages/person_edit.html", {"person": person, "form": form, "conflict": conflict})


def _conflict_rows(form: PersonForm, exc: ConflictError) -> list[dict]:
    """What the other person saved beside what this user typed, for the fields that differ."""
    current = Person.objects.get(pk=form.instance.pk)
    rows = []
    for name in form.Meta.fields:
        theirs = getattr(current, name) if name != "flags" else ", ".join(str(f) for f in current.flags.all())
        yours = form.cleaned_data.get(name)
        if name == "flags":
            yours = ", ".join(str(f) for f in yours or [])
        if (theirs or "") != (yours or ""):
            rows.append({"label": form.fields[name].label, "theirs": theirs, "yours": yours})
    # The form now carries the latest version, so saving again deliberately overwrites with what is shown.
    data = form.data.copy()
    data["version"] = str(exc.current_version)
    form.data = data
    return rows


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields, and the rest in the summary."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class GrantForm(forms.Form):
    username = forms.CharField(label="Username of the police or probation colleague", max_length=150)
    permission = forms.ChoiceField(
        label="Access", choices=[("view_case", "View the case"), ("change_case", "View and change the case")]
    )
    reason = forms.CharField(label="Why they need access", widget=forms.Textarea(attrs={"rows": 3}))


@login_required
@require_http_methods(["GET", "POST"])
def case_access(request, pk: int):
    access.ensure_works_cases(user=request.user)
    case = selectors.case_get(user=request.user, pk=pk)
    form = GrantForm(request.POST or None)
    if request.method == "POST":
        grantee = User.objects.filter(username=request.POST.get("username", "")).first()
        try:
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
                messages.success(
                    request, f"{grantee} can now {form.cleaned_data['permission'].split('_')[0]} this case."
                )
                return redirect("case-access", pk=case.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    grants = case.user_grants.select_related("user", "permission", "granted_by").order_by("user__username")
    return render(request, "pages/case_access.html", {"case": case, "form": form, "grants": grants})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        marked = services.notification_mark_read(user=request.user)
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked as read.")
        return redirect("notifications")
    items = Notification.objects.filter(user=request.user)[:100]
    return render(request, "pages/notifications.html", {"items": items})
