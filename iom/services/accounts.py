"""Account rules: which organisation types each role belongs to (docs/roles.md "The eight roles"), and ending a
user's sessions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from iom.audit import audit_record
from iom.models import AuditAction, Organisation, OrganisationType, Role, User
from iom.services.tokens import api_tokens_end

ROLE_ORGANISATION_TYPES: dict[str, frozenset[str]] = {
    Role.IOM_OFFICER: frozenset({OrganisationType.POLICE}),
    Role.OFFENDER_MANAGER: frozenset({OrganisationType.PROBATION}),
    Role.IOM_MANAGER: frozenset({OrganisationType.POLICE, OrganisationType.PROBATION}),
    Role.PARTNER_CASEWORKER: frozenset(
        {
            OrganisationType.COUNCIL,
            OrganisationType.HOUSING,
            OrganisationType.HEALTH,
            OrganisationType.SUBSTANCE_MISUSE,
            OrganisationType.VICTIM_SUPPORT,
            OrganisationType.DWP,
        }
    ),
    Role.SCHEME_COORDINATOR: frozenset({OrganisationType.OPCC, OrganisationType.DWP}),
    Role.EMPLOYER: frozenset({OrganisationType.EMPLOYER}),
    Role.ANALYST: frozenset({OrganisationType.OPCC, OrganisationType.POLICE}),
    Role.ADMINISTRATOR: frozenset(OrganisationType.values),
}


def role_validate(*, role: str | None, organisation: Organisation | None) -> None:
    """Refuse a role that does not fit the user's organisation, e.g. an employer user as an IOM officer."""
    if role not in ROLE_ORGANISATION_TYPES:
        raise ValidationError({"role": "Choose a role."})
    if organisation is None:
        raise ValidationError({"organisation": "Choose the user's organisation."})
    allowed = ROLE_ORGANISATION_TYPES[role]
    if organisation.type not in allowed:
        names = ", ".join(sorted(OrganisationType(value).label for value in allowed))
        raise ValidationError(
            {"role": f"A {Role(role).label.lower()} must belong to an organisation of type: {names}."}
        )


def end_sessions_and_tokens(user: User) -> int:
    """End every session of ``user`` (at its next request, wherever it is: iom/session_limits.py) and delete every
    API token; how many tokens there were. The caller audits why, in the same transaction."""
    User.objects.filter(pk=user.pk).update(sessions_valid_after=timezone.now())
    return api_tokens_end(user=user)


def user_sign_out_everywhere(*, acting_user: User, user: User) -> None:
    """End every session and API token of ``user`` at once: a lost phone, a shared computer left signed in.

    This is the user's own button; a manager or administrator ends someone else's with
    ``iom.services.staff.user_end_sessions``.
    """
    if acting_user.pk != user.pk:
        raise PermissionDenied("You can sign out only your own account everywhere.")
    with transaction.atomic():
        tokens = end_sessions_and_tokens(user)
        audit_record(
            user=acting_user,
            action=AuditAction.SESSION_ENDED,
            obj=user,
            details={"reason": "signed_out_everywhere", "tokens_ended": tokens},
        )


def user_password_changed(*, user: User, how: str) -> None:
    """After a password is ``changed`` by its user or ``reset`` from an emailed link: end the API tokens too.

    Django has already ended the other sessions (their stored hash no longer matches the password's).
    """
    with transaction.atomic():
        tokens = api_tokens_end(user=user)
        audit_record(
            user=user, action=AuditAction.PASSWORD_CHANGED, obj=user, details={"how": how, "tokens_ended": tokens}
        )
