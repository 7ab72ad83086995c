"""The transactional outbox: Celery work a service asked for, stored in the same transaction as its change."""

import uuid

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """One task to publish. Written by :func:`iom.background.enqueue` inside the service's transaction, so the
    change and the work it needs are committed together or not at all; published after the commit and, if the
    broker was down, by ``iom.tasks.dispatch_outbox`` once it is back. Arguments are ids only (JSON)."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    task_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="The Celery task id, the same on every attempt."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the broker accepted the task.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent")]

    def __str__(self) -> str:
        return f"{self.task_name} ({'sent' if self.sent_at else 'unsent'})"
