"""Explicit grants on a single case (cover, transfer) as django-guardian object permissions.

Only police and probation users outside the case's team can receive one:
partner and employer users never see a case (docs/roles.md).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from iom import access
from iom.audit import audit_record
from iom.models import AuditAction, Case, CaseUserObjectPermission, User
from iom.policy import SCHEME_WIDE

GRANTABLE = {access.VIEW_CASE: "view", access.CHANGE_CASE: "view and change"}


def _ensure_can_manage_grants(*, acting_user: User, case: Case) -> None:
    access.ensure_can_change_case(user=acting_user, case=case, attempted="manage grants")
    # A grant does not let its holder grant onwards: only the team and the scheme's managers do.
    in_team = acting_user.teams.filter(pk=case.team_id).exists()
    is_scheme_manager = (
        SCHEME_WIDE.allows(acting_user) and acting_user.teams.filter(scheme_id=case.team.scheme_id).exists()
    )
    if not (in_team or is_scheme_manager):
        raise PermissionDenied("Only the case's team and its scheme's managers can give or remove access.")


def case_grant(*, acting_user: User, case: Case, grantee: User, permission: str, reason: str) -> None:
    """Give ``grantee`` view (or view and change) access to this one case."""
    _ensure_can_manage_grants(acting_user=acting_user, case=case)
    errors = {}
    if permission not in GRANTABLE:
        errors["permission"] = "Choose view_case or change_case."
    if not access.works_cases(grantee):
        errors["grantee"] = "Access can only be given to active police or probation case workers."
    elif grantee.teams.filter(pk=case.team_id).exists():
        errors["grantee"] = f"{grantee} is in {case.team} and already sees this case."
    if not (reason or "").strip():
        errors["reason"] = "Say why this access is needed (for example, covering leave)."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assign_perm(permission, grantee, case)
        if permission == access.CHANGE_CASE:
            assign_perm(access.VIEW_CASE, grantee, case)
        CaseUserObjectPermission.objects.filter(content_object=case, user=grantee, granted_by__isnull=True).update(
            granted_by=acting_user, reason=reason.strip()
        )
        audit_record(
            user=acting_user,
            action=AuditAction.PERMISSION_GRANTED,
            obj=case,
            person=case.person_id,
            details={"grantee": grantee.username, "permission": permission},
            justification=reason.strip(),
        )


def case_revoke(*, acting_user: User, case: Case, grantee: User, permission: str = access.VIEW_CASE) -> None:
    """Remove a grant. Revoking view removes change too: change without view makes no sense."""
    _ensure_can_manage_grants(acting_user=acting_user, case=case)
    if permission not in GRANTABLE:
        raise ValidationError({"permission": "Choose view_case or change_case."})
    held = CaseUserObjectPermission.objects.filter(content_object=case, user=grantee)
    if not held.filter(permission__codename=permission).exists():
        raise ValidationError({"grantee": f"{grantee} has no {permission} grant on this case."})
    with transaction.atomic():
        remove_perm(permission, grantee, case)
        if permission == access.VIEW_CASE:
            remove_perm(access.CHANGE_CASE, grantee, case)
        audit_record(
            user=acting_user,
            action=AuditAction.PERMISSION_REVOKED,
            obj=case,
            person=case.person_id,
            details={"grantee": grantee.username, "permission": permission},
        )
