"""The account lifecycle: invitations to join, deactivation and reactivation, and changes of access that need a
second person (ASVS 5.0 V6.4, V8.2; docs/sign-in.md "Accounts").

Who may act on whom is written once here. Administrators act on anyone. IOM managers act on their scheme's staff
(users with a team in one of the manager's schemes) and invite officers, offender managers and partner users; the
Gateway's scheme coordinators invite employers' users. Nobody deactivates or approves a change about themselves.
"""

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from iom.audit import audit_record, field_changes, snapshot
from iom.models import (
    AccessChange,
    AccessChangeStatus,
    AuditAction,
    AuditOutcome,
    Invitation,
    Organisation,
    Role,
    Team,
    User,
)
from iom.policy import (
    ADMINISTER,
    CASEWORK_ROLES,
    INVITE_EMPLOYER_USERS,
    INVITE_USERS,
    MANAGE_STAFF,
    access_change_widens,
)
from iom.services.accounts import end_sessions_and_tokens, role_validate

INVITATION_LIFETIME = datetime.timedelta(hours=72)
STAFF_ROLES_MANAGERS_INVITE = frozenset({Role.IOM_OFFICER, Role.OFFENDER_MANAGER, Role.PARTNER_CASEWORKER})


# --- Who may act on whom --------------------------------------------------------------------------------------


def scheme_ids_of(user: User) -> set[int]:
    return set(Team.objects.filter(members=user).values_list("scheme_id", flat=True))


def invitable_roles(inviter: User) -> frozenset[str]:
    """The roles ``inviter`` may give a new account."""
    if ADMINISTER.allows(inviter):
        return frozenset(Role.values)
    roles: set[str] = set()
    if MANAGE_STAFF.allows(inviter):
        roles |= STAFF_ROLES_MANAGERS_INVITE
    if INVITE_EMPLOYER_USERS.allows(inviter):
        roles.add(Role.EMPLOYER)
    return frozenset(roles)


def assignable_teams(actor: User) -> QuerySet[Team]:
    """The teams ``actor`` may put someone in: any for administrators, their own schemes' for managers (the form's
    choices and the service's check are the same query)."""
    teams = Team.objects.select_related("scheme").order_by("scheme__name", "name")
    if ADMINISTER.allows(actor):
        return teams
    if MANAGE_STAFF.allows(actor):
        return teams.filter(scheme_id__in=scheme_ids_of(actor))
    return teams.none()


def may_manage(actor: User, user: User) -> bool:
    """Whether ``actor`` may deactivate, reactivate or ask to change the access of ``user``."""
    if actor.pk == user.pk or not MANAGE_STAFF.allows(actor):
        return False
    if ADMINISTER.allows(actor):
        return True
    return bool(scheme_ids_of(actor) & scheme_ids_of(user))


def _ensure_may_manage(actor: User, user: User, what: str) -> None:
    if not may_manage(actor, user):
        audit_record(
            user=actor, action=AuditAction.CHANGE, obj=user, outcome=AuditOutcome.REFUSED, details={"what": what}
        )
        raise PermissionDenied("You can manage only your own scheme's staff, and never your own account.")


def _check_teams(actor: User, role: str, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams)
    allowed = set(assignable_teams(actor).values_list("pk", flat=True))
    if any(team.pk not in allowed for team in teams):
        raise ValidationError({"teams": "Choose teams of your own scheme."})
    if role in CASEWORK_ROLES and not teams:
        raise ValidationError({"teams": "Choose at least one team: case work is done in teams."})
    return teams


# --- Invitations ----------------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_invitation(invitation: Invitation, token: str, *, site: str) -> None:
    link = site.rstrip("/") + reverse("invitation-accept", args=[token])
    body = render_to_string(
        "iom/emails/invitation.txt",
        {
            "invited_by": invitation.invited_by.get_full_name() or invitation.invited_by.username,
            "role": invitation.get_role_display().lower(),
            "organisation": invitation.organisation.name,
            "expires_at": timezone.localtime(invitation.expires_at),
            "link": link,
        },
    )
    email = invitation.email
    transaction.on_commit(
        lambda: send_mail("You are invited to IOM Partnership Tracker", body, settings.DEFAULT_FROM_EMAIL, [email])
    )


def invitation_send(
    *,
    acting_user: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    organisation: Organisation,
    teams: Iterable[Team] = (),
    site: str,
) -> Invitation:
    """Invite someone to join with this role, organisation and teams; the emailed link is their only copy.

    ``site`` is the address the link starts with (scheme and host, from the request).
    """
    INVITE_USERS.ensure(acting_user)
    if role not in invitable_roles(acting_user):
        raise ValidationError({"role": "You cannot invite someone with that role."})
    role_validate(role=role, organisation=organisation)
    teams = _check_teams(acting_user, role, teams) if role in CASEWORK_ROLES or teams else []
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": "Someone with that email address already has an account."})
    if Invitation.objects.pending(now=timezone.now()).filter(email__iexact=email).exists():
        raise ValidationError({"email": "That address already has an invitation waiting: resend it instead."})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            organisation=organisation,
            token_digest=_digest(token),
            invited_by=acting_user,
            sent_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        invitation.teams.set(teams)
        audit_record(
            user=acting_user,
            action=AuditAction.INVITED,
            obj=invitation,
            details={"email": email, "role": role, "organisation": organisation.name, "teams": [t.name for t in teams]},
        )
        _send_invitation(invitation, token, site=site)
    return invitation


def _ensure_may_handle_invitation(actor: User, invitation: Invitation) -> None:
    if invitation.invited_by_id == actor.pk or ADMINISTER.allows(actor):
        return
    if MANAGE_STAFF.allows(actor) and set(invitation.teams.values_list("scheme_id", flat=True)) & scheme_ids_of(actor):
        return
    raise PermissionDenied("You can resend or revoke only invitations you sent, or your scheme's.")


def invitation_resend(*, acting_user: User, invitation: Invitation, site: str) -> Invitation:
    """A new link for a waiting (or expired) invitation, valid for another 72 hours; the old link stops working."""
    _ensure_may_handle_invitation(acting_user, invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("That invitation has been used or revoked: send a new one.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        invitation.token_digest = _digest(token)
        invitation.sent_at = now
        invitation.expires_at = now + INVITATION_LIFETIME
        invitation.save(update_fields=["token_digest", "sent_at", "expires_at"])
        audit_record(user=acting_user, action=AuditAction.INVITED, obj=invitation, details={"resent": True})
        _send_invitation(invitation, token, site=site)
    return invitation


def invitation_revoke(*, acting_user: User, invitation: Invitation) -> None:
    _ensure_may_handle_invitation(acting_user, invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("That invitation has already been used or revoked.")
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(user=acting_user, action=AuditAction.INVITATION_REVOKED, obj=invitation)


def invitation_for_token(token: str) -> Invitation | None:
    """The waiting invitation this link is for, or None if the link is unknown, used, revoked or expired."""
    return (
        Invitation.objects.pending(now=timezone.now())
        .select_related("organisation", "invited_by")
        .filter(token_digest=_digest(token))
        .first()
    )


def invitation_accept(*, token: str, username: str, password: str) -> User:
    """Make the invited person's account (with the invitation's role, organisation and teams) and use up the link."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        if invitation is None:
            raise ValidationError("This invitation link does not work: it has been used, revoked, or has expired.")
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        username = username.strip()
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as exc:
            raise ValidationError({"username": exc.messages}) from exc
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "That username is taken: choose another."})
        user = User(
            username=username,
            email=invitation.email,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            role=invitation.role,
            organisation=invitation.organisation,
        )
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        try:
            user.save()
        except IntegrityError as exc:  # the same username taken by someone else in the meantime
            raise ValidationError({"username": "That username is taken: choose another."}) from exc
        user.teams.set(invitation.teams.all())
        invitation.accepted_at = timezone.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
        audit_record(
            user=user, action=AuditAction.JOINED, obj=user, details={"invited_by": invitation.invited_by.username}
        )
    return user


# --- Deactivation ---------------------------------------------------------------------------------------------


def user_deactivate(*, acting_user: User, user: User, reason: str) -> None:
    """Stop ``user`` signing in, ending every session and token at once (a leaver, a suspension)."""
    _ensure_may_manage(acting_user, user, "deactivate")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the account is being deactivated."})
    if not user.is_active:
        raise ValidationError("That account is already deactivated.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        tokens = end_sessions_and_tokens(user)
        audit_record(
            user=acting_user,
            action=AuditAction.DEACTIVATED,
            obj=user,
            details={"reason": reason.strip(), "tokens_ended": tokens},
        )
    user.refresh_from_db()


def user_end_sessions(*, acting_user: User, user: User) -> None:
    """Sign a member of staff out everywhere (a lost device, a suspicion): every session and API token ends."""
    _ensure_may_manage(acting_user, user, "end sessions")
    with transaction.atomic():
        tokens = end_sessions_and_tokens(user)
        audit_record(
            user=acting_user,
            action=AuditAction.SESSION_ENDED,
            obj=user,
            details={"reason": "signed_out_by_manager", "tokens_ended": tokens},
        )


def user_reactivate(*, acting_user: User, user: User, reason: str) -> None:
    _ensure_may_manage(acting_user, user, "reactivate")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the account is being reactivated."})
    if user.is_active:
        raise ValidationError("That account is already active.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        audit_record(user=acting_user, action=AuditAction.REACTIVATED, obj=user, details={"reason": reason.strip()})
    user.refresh_from_db()


# --- Changes of access ----------------------------------------------------------------------------------------


def _apply(user: User, role: str, teams: list[Team]) -> dict[str, list]:
    before = {**snapshot(user, ["role"]), "teams": sorted(t.name for t in user.teams.all())}
    User.objects.filter(pk=user.pk).update(role=role)
    user.teams.set(teams)
    user.refresh_from_db()
    return field_changes(before, {**snapshot(user, ["role"]), "teams": sorted(t.name for t in teams)})


def access_change_request(
    *, acting_user: User, user: User, role: str, teams: Iterable[Team], reason: str
) -> AccessChange | None:
    """Ask to change ``user``'s role or teams. Only removing teams takes effect at once; anything that could widen
    their access to personal data waits for a second person (``access_change_decide``). None when applied at once.
    """
    _ensure_may_manage(acting_user, user, "change access")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the access should change."})
    role_validate(role=role, organisation=user.organisation)
    teams = _check_teams(acting_user, role, teams)
    current = set(user.teams.values_list("pk", flat=True))
    wanted = {team.pk for team in teams}
    widens = access_change_widens(user, role=role, team_ids=wanted, current_team_ids=current)
    if not widens and wanted == current:
        raise ValidationError("That is the access they already have.")
    with transaction.atomic():
        if not widens:
            changes = _apply(user, role, teams)
            audit_record(
                user=acting_user, action=AuditAction.CHANGE, obj=user, changes=changes, details={"reason": reason}
            )
            return None
        try:
            with transaction.atomic():
                change = AccessChange.objects.create(
                    user=user, role=role, reason=reason.strip(), requested_by=acting_user
                )
        except IntegrityError as exc:
            raise ValidationError("A change of their access is already waiting for approval.") from exc
        change.teams.set(teams)
        audit_record(
            user=acting_user,
            action=AuditAction.ACCESS_CHANGE_REQUESTED,
            obj=user,
            details={"role": role, "teams": sorted(t.name for t in teams), "reason": reason.strip()},
        )
    return change


def may_decide(actor: User, change: AccessChange) -> bool:
    """A second person: not who asked, not who it is about; an administrator, or a manager of the teams' scheme."""
    if actor.pk in (change.requested_by_id, change.user_id) or not MANAGE_STAFF.allows(actor):
        return False
    if ADMINISTER.allows(actor):
        return True
    schemes = set(change.teams.values_list("scheme_id", flat=True)) or scheme_ids_of(change.user)
    return bool(schemes) and schemes <= scheme_ids_of(actor)


def access_change_decide(*, acting_user: User, change: AccessChange, approve: bool) -> None:
    """Approve (the change takes effect now) or refuse a waiting change; audited with both people's names."""
    with transaction.atomic():
        change = AccessChange.objects.select_for_update().select_related("user", "requested_by").get(pk=change.pk)
        if not may_decide(acting_user, change):
            audit_record(
                user=acting_user,
                action=AuditAction.ACCESS_CHANGE_APPROVED if approve else AuditAction.ACCESS_CHANGE_REFUSED,
                obj=change.user,
                outcome=AuditOutcome.REFUSED,
            )
            raise PermissionDenied("A change of access is decided by a second person: not you.")
        if change.status != AccessChangeStatus.PENDING:
            raise ValidationError("That change has already been decided.")
        change.status = AccessChangeStatus.APPROVED if approve else AccessChangeStatus.REFUSED
        change.decided_by = acting_user
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_by", "decided_at"])
        details = {"requested_by": change.requested_by.username, "decided_by": acting_user.username}
        if approve:
            changes = _apply(change.user, change.role, list(change.teams.all()))
            audit_record(
                user=acting_user,
                action=AuditAction.ACCESS_CHANGE_APPROVED,
                obj=change.user,
                changes=changes,
                details=details,
            )
        else:
            audit_record(user=acting_user, action=AuditAction.ACCESS_CHANGE_REFUSED, obj=change.user, details=details)
