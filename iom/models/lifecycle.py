"""An account's life before and after it exists: invitations to join, and changes of access awaiting a second person."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from iom.models.accounts import Organisation, Team
from iom.models.choices import Role


class InvitationQuerySet(models.QuerySet):
    def pending(self, *, now) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An emailed, single-use link to join with a role, organisation and teams chosen by the person inviting.

    Only a digest of the link's token is stored, so the table holds no working link. It expires (72 hours)
    and can be resent (a new token, the old link dies) or revoked.
    """

    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")
    teams = models.ManyToManyField(Team, related_name="invitations", blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="invitation"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"


class AccessChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class AccessChange(models.Model):
    """A change of someone's role or teams that widens their access to personal data, waiting for a second person.

    The requester cannot approve it, nor can the person it is about; it takes effect only when approved.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_changes")
    role = models.CharField(max_length=30, choices=Role.choices)
    teams = models.ManyToManyField(Team, related_name="+", blank=True)
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=AccessChangeStatus.choices, default=AccessChangeStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="access_change_one_pending_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.get_role_display()}"
