"""Staff accounts: invitations, the account list and history, deactivation, and changes of access by two people."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from iom import selectors
from iom.audit import snapshot
from iom.models import Invitation, User
from iom.policy import INVITE_USERS, MANAGE_STAFF
from iom.selectors import first_or_404
from iom.services import staff, two_factor
from iom.services.accounts import ROLE_ORGANISATION_TYPES
from web.access import AuthenticatedRequest, page, public_page
from web.common import paginate, service_errors_as_messages, service_errors_onto
from web.staff.forms import AccessForm, InviteForm, JoinForm, ReasonForm, StaffSearchForm


def _site(request: AuthenticatedRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@page(MANAGE_STAFF, methods=("GET",))
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    search = StaffSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    users = selectors.staff_list_visible_to(user=request.user, query=query)
    changes = [
        {"change": change, "may_decide": staff.may_decide(request.user, change)}
        for change in selectors.access_change_list_pending(user=request.user)
    ]
    context = {
        "page_obj": paginate(request, users),
        "query": request.GET.get("q", ""),
        "search_errors": search.errors.get("q", []),
        "changes": changes,
    }
    return render(request, "staff/staff_list.html", context)


def _visible_user(request: AuthenticatedRequest, pk: int) -> User:
    user = first_or_404(selectors.staff_list_visible_to(user=request.user), pk)
    return user


@page(MANAGE_STAFF, methods=("GET",))
def staff_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _visible_user(request, pk)
    context = {
        "person": user,
        "teams": list(user.teams.order_by("name")),
        "events": selectors.lifecycle_events(user=user),
        "may_manage": staff.may_manage(request.user, user),
        "reason_form": ReasonForm(),
    }
    return render(request, "staff/staff_detail.html", context)


@page(MANAGE_STAFF, methods=("POST",))
def staff_active(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _visible_user(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why.")
        return redirect("staff-detail", pk=pk)
    with service_errors_as_messages(request):
        if user.is_active:
            staff.user_deactivate(acting_user=request.user, user=user, reason=form.cleaned_data["reason"])
            messages.success(request, f"{user} was deactivated: every session and API token of theirs has ended.")
        else:
            staff.user_reactivate(acting_user=request.user, user=user, reason=form.cleaned_data["reason"])
            messages.success(request, f"{user} was reactivated.")
    return redirect("staff-detail", pk=pk)


@page(MANAGE_STAFF, methods=("POST",))
def staff_sign_out(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _visible_user(request, pk)
    staff.user_end_sessions(acting_user=request.user, user=user)
    messages.success(request, f"{user} was signed out everywhere: every session and API token of theirs has ended.")
    return redirect("staff-detail", pk=pk)


@page(MANAGE_STAFF, methods=("POST",))
def staff_second_factor_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _visible_user(request, pk)
    two_factor.two_factor_reset(acting_user=request.user, user=user)
    messages.success(request, f"{user}'s second factor was reset: they set up an app again when they next sign in.")
    return redirect("staff-detail", pk=pk)


@page(MANAGE_STAFF, methods=("GET", "POST"))
def staff_access(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _visible_user(request, pk)
    form = AccessForm(request.POST or None, initial=_current_access(user), teams=staff.assignable_teams(request.user))
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            change = staff.access_change_request(acting_user=request.user, user=user, **form.cleaned_data)
            if change is None:
                messages.success(request, f"{user}'s teams were changed.")
            else:
                messages.success(request, "The change is waiting for a second person to approve it.")
            return redirect("staff-detail", pk=pk)
    return render(request, "staff/staff_access.html", {"person": user, "form": form})


def _current_access(user: User) -> dict:
    return {"role": snapshot(user, ["role"])["role"], "teams": list(user.teams.all())}


@page(MANAGE_STAFF, methods=("POST",))
def access_change_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    change = first_or_404(selectors.access_change_list_pending(user=request.user), pk)
    approve = request.POST.get("decision") == "approve"
    with service_errors_as_messages(request):
        staff.access_change_decide(acting_user=request.user, change=change, approve=approve)
        messages.success(request, f"The change for {change.user} was {'approved' if approve else 'refused'}.")
    return redirect("staff")


@page(INVITE_USERS, methods=("GET",))
def invitation_list(request: AuthenticatedRequest) -> HttpResponse:
    now = timezone.now()
    page_obj = paginate(request, selectors.invitation_list_visible_to(user=request.user))
    rows = [{"invitation": invitation, "state": _state(invitation, now)} for invitation in page_obj.object_list]
    return render(request, "staff/invitations.html", {"page_obj": page_obj, "rows": rows})


def _state(invitation: Invitation, now) -> str:
    if invitation.accepted_at:
        return "joined"
    if invitation.revoked_at:
        return "revoked"
    return "waiting" if invitation.expires_at > now else "expired"


@page(INVITE_USERS, methods=("GET", "POST"))
def invite(request: AuthenticatedRequest) -> HttpResponse:
    roles = staff.invitable_roles(request.user)
    types = tuple(sorted({kind for role in roles for kind in ROLE_ORGANISATION_TYPES[role]}))
    form = InviteForm(
        request.POST or None,
        roles=roles,
        organisations=selectors.organisation_list(types=types),
        teams=staff.assignable_teams(request.user),
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            invitation = staff.invitation_send(acting_user=request.user, site=_site(request), **form.cleaned_data)
            messages.success(request, f"An invitation was sent to {invitation.email}. The link works for 72 hours.")
            return redirect("invitations")
    return render(request, "staff/invite.html", {"form": form})


def _visible_invitation(request: AuthenticatedRequest, pk: int) -> Invitation:
    invitation = first_or_404(selectors.invitation_list_visible_to(user=request.user), pk)
    return invitation


@page(INVITE_USERS, methods=("POST",))
def invitation_resend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    invitation = _visible_invitation(request, pk)
    with service_errors_as_messages(request):
        staff.invitation_resend(acting_user=request.user, invitation=invitation, site=_site(request))
        messages.success(request, f"A new link was sent to {invitation.email}; the old one no longer works.")
    return redirect("invitations")


@page(INVITE_USERS, methods=("POST",))
def invitation_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    invitation = _visible_invitation(request, pk)
    with service_errors_as_messages(request):
        staff.invitation_revoke(acting_user=request.user, invitation=invitation)
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return redirect("invitations")


@public_page
def join(request, token: str) -> HttpResponse:
    """The invitation link: choose a username and password; the second factor is set up at first sign-in."""
    invitation = staff.invitation_for_token(token)
    if invitation is None:
        return render(request, "staff/join_invalid.html", status=404)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_onto(form):
            user = staff.invitation_accept(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
            messages.success(request, f"Your account {user.username} is ready. Sign in to finish setting it up.")
            return redirect("login")
    return render(request, "staff/join.html", {"form": form, "invitation": invitation})
