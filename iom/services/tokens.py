"""API tokens: one per sign-in of an API client, lasting ``REST_KNOX["TOKEN_TTL"]`` (8 hours by default).

django-rest-knox keeps only a digest of each token, so a copy of the database holds no usable token. A token
ends when it expires, when its client signs out with it, when its owner or an administrator revokes it, and
when its owner signs out everywhere or changes or resets their password (``api_tokens_end``). Issuing and
revoking are audited; a token is named in the log by the first eight characters of its key, never in full.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from knox.models import AuthToken

from iom.audit import audit_record
from iom.models import AuditAction, User
from iom.policy import ADMINISTER


def token_label(token: AuthToken) -> str:
    """What people see of a token: enough to tell two apart, nothing to use."""
    return token.token_key[:8]


def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new token for ``user`` (already authenticated): the stored record, and the secret shown to them once."""
    with transaction.atomic():
        token, secret = AuthToken.objects.create(user=user)
        audit_record(
            user=user,
            action=AuditAction.TOKEN_ISSUED,
            obj=user,
            details={"token": token_label(token), "expires_at": token.expiry.isoformat() if token.expiry else None},
        )
    return token, secret


def api_token_revoke(*, acting_user: User, token: AuthToken) -> None:
    """End ``token`` now: its owner's own choice, or an administrator's."""
    if token.user_id != acting_user.pk and not ADMINISTER.allows(acting_user):
        raise PermissionDenied("You can revoke only your own API tokens.")
    owner = token.user
    with transaction.atomic():
        label = token_label(token)
        token.delete()
        audit_record(user=acting_user, action=AuditAction.TOKEN_REVOKED, obj=owner, details={"token": label})


def api_tokens_end(*, user: User) -> int:
    """Delete every token of ``user`` (the caller audits why); how many there were."""
    return AuthToken.objects.filter(user=user).delete()[0]
