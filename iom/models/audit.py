"""The append-only audit log required by the Data Protection Act 2018 s.62."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    LIST = "list", "List or search"
    CREATE = "create", "Create"
    CHANGE = "change", "Change"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    DISCLOSE = "disclose", "Disclose"
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOCKED_OUT = "locked_out", "Sign-in locked"
    LOGOUT = "logout", "Sign-out"
    SESSION_ENDED = "session_ended", "Session ended"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    TOKEN_ISSUED = "token_issued", "API token issued"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Second factor set up"
    TWO_FACTOR_FAILED = "two_factor_failed", "Second factor wrong"
    TWO_FACTOR_RESET = "two_factor_reset", "Second factor reset"
    BACKUP_CODES_ISSUED = "backup_codes_issued", "Backup codes issued"
    INVITED = "invited", "Invited"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    JOINED = "joined", "Joined"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"
    ACCESS_CHANGE_REQUESTED = "access_change_requested", "Access change requested"
    ACCESS_CHANGE_APPROVED = "access_change_approved", "Access change approved"
    ACCESS_CHANGE_REFUSED = "access_change_refused", "Access change refused"
    PERMISSION_GRANTED = "permission_granted", "Permission granted"
    PERMISSION_REVOKED = "permission_revoked", "Permission revoked"
    ERASE = "erase", "Erase"
    RETENTION_DECISION = "retention_decision", "Retention decision"
    BREAK_GLASS = "break_glass", "Access outside teams"
    BREAK_GLASS_REVIEWED = "break_glass_reviewed", "Access outside teams reviewed"
    AUDIT_CHAIN_BROKEN = "audit_chain_broken", "Audit trail check failed"


class AuditOutcome(models.TextChoices):
    DONE = "done", "Done"
    REFUSED = "refused", "Refused"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit row through the ORM, or to write one off the chain."""


_UNCHAINED = "Audit events are written through iom.audit, which adds them to the hash chain (iom/audit_chain.py)."


class AuditEventQuerySet(models.QuerySet):
    """Refuses every change and deletion, and rows without a hash; erasure's redaction is the one change."""

    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def _update(self, values):
        raise AppendOnlyError("Audit events cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def _raw_delete(self, using):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(not obj.row_hash for obj in objs):
            raise AppendOnlyError(_UNCHAINED)
        return super().bulk_create(objs, *args, **kwargs)

    def redact(self, *, at: datetime.datetime) -> int:
        """Blank the free values of these rows and stamp them redacted: the one change the database trigger
        allows. Only :func:`iom.audit.redact_events_about` calls this."""
        return models.QuerySet.update(
            self.filter(redacted_at__isnull=True), changes={}, details={}, justification="", redacted_at=at
        )


class AuditEvent(models.Model):
    # Set by the chain writer before the row is hashed (not auto_now_add, which would set it after).
    occurred_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="Kept as typed, also for failed logins.")
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.DONE)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(
        "iom.Person", on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True, help_text="Field name to [old, new].")
    details = models.JSONField(default=dict, blank=True, help_text="E.g. the query of a search, a recipient.")
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    justification = models.TextField(blank=True)
    # Tamper evidence (iom/audit_chain.py): a keyed digest of the free values above, and a chain of row hashes.
    # Erasure may blank ``changes``, ``details`` and ``justification`` of rows about the erased person and set
    # ``redacted_at``; the digest is kept, so the chain still verifies and the redaction itself is visible.
    values_digest = models.CharField(max_length=64, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        # Django's internal writes (saves, related deletions) go through the guarded manager too.
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["user", "-occurred_at"]),
            models.Index(fields=["person", "-occurred_at"]),
        ]
        constraints = [models.CheckConstraint(condition=~models.Q(row_hash=""), name="auditevent_chained")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        if not self.row_hash:
            raise AppendOnlyError(_UNCHAINED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
