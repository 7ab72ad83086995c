"""Background work: services send a Celery task by its registered name once their transaction commits.

A task module imports the services it wraps, so a service that imported its task back would close an import
cycle; naming the task (``"outcomes.tasks.run_import"``) keeps services free of task modules.

The task is looked up in the app's registry and sent with ``apply_async``, never with ``app.send_task``:
``send_task`` always publishes to the broker and ignores ``task_always_eager``, while development and the tests
run without a broker and rely on eager mode (``iom/celery.py``, ``CELERY_TASK_ALWAYS_EAGER`` in settings).

With a broker, work goes through a transactional outbox (:class:`~iom.models.OutboxMessage`) so none is lost:
``enqueue`` writes a row in the caller's transaction, so the service's change and the work it needs commit
together; after the commit the row is published at once, and if the broker is down the failure is logged (the
request still succeeds) and ``iom.tasks.dispatch_outbox`` publishes it within a minute of the broker coming
back. Delivery is at least once: a row is marked sent only after the broker accepted it, so a crash between the
two sends it again, with the same task id. Every task is therefore idempotent (each says why in its docstring).
Without a broker (development and the tests) no row is written and the task runs in this process after the
commit, as before.
"""

import datetime
import json
import logging
import threading
from typing import Any

from celery import Task
from celery.exceptions import NotRegistered
from django.db import transaction
from django.utils import timezone

from iom.celery import app
from iom.models import OutboxMessage

logger = logging.getLogger(__name__)
KEEP_SENT = datetime.timedelta(days=7)

_discovery_lock = threading.Lock()
_discovered = False


def _discover_tasks() -> None:
    """Import every installed app's ``tasks`` module, once per process.

    A worker does this when it starts; a web process never does, so a task whose module nothing has imported
    yet would be missing from the registry. The lock keeps a second thread from looking a name up while the
    first is still importing (Celery's own discovery returns nothing to a caller that re-enters it).
    """
    global _discovered
    with _discovery_lock:
        if not _discovered:
            app.autodiscover_tasks(force=True)
            _discovered = True


def task_named(name: str) -> Task:
    """The registered task called ``name``; an unknown name raises ``NotRegistered`` (a ``KeyError``)."""
    _discover_tasks()
    try:
        return app.tasks[name]
    except NotRegistered:
        raise NotRegistered(f"No Celery task is registered as {name!r}.") from None


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> None:
    """Run the task ``task_name`` with ``args`` and ``kwargs`` (ids, not model instances) after the current
    transaction commits, and never if it rolls back: on a worker, or in this process when Celery runs eagerly.

    It must be called inside the service's ``transaction.atomic()``: the outbox row is only worth having if it
    commits with the change it belongs to, so a call in autocommit is a programming error and raises
    ``RuntimeError``. The name and the arguments are checked now (a registered task; JSON of plain values), so a
    mistake fails inside the service, rolling its transaction back, instead of silently after the commit.
    """
    task = task_named(task_name)
    try:
        json.dumps([args, kwargs])
    except TypeError as exc:
        raise TypeError(f"Task {task_name!r} takes ids and plain values only (JSON): {exc}") from None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            f"enqueue({task_name!r}) needs the caller's transaction.atomic(): the change and its work commit together."
        )
    if app.conf.task_always_eager:
        transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))
        return
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: publish_message(message.pk))


def _publish(message: OutboxMessage) -> bool:
    """Hand one locked, unsent row to the broker and record the outcome; True if the broker took it."""
    attempts = message.attempts + 1
    try:
        task_named(message.task_name).apply_async(
            args=message.args, kwargs=message.kwargs, task_id=str(message.task_id)
        )
    except Exception as exc:  # the broker's errors vary by transport; any of them leaves the row for later
        logger.warning("Outbox message %s (%s) not sent: %r", message.pk, message.task_name, exc)
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=attempts, last_error=repr(exc)[:2000])
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=attempts, sent_at=timezone.now(), last_error="")
    return True


def publish_message(message_id: int) -> bool:
    """Publish one outbox row now (after its transaction committed). Never raises: the page that asked for the
    work has saved its change and must not answer 500; an unsent row waits for the dispatcher."""
    try:
        with transaction.atomic():
            # A row the dispatcher holds is skipped (PostgreSQL); SQLite serialises writers instead.
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, sent_at__isnull=True)
                .first()
            )
            return message is not None and _publish(message)
    except Exception:
        logger.exception("Outbox message %s not published; the dispatcher will retry it", message_id)
        return False


def outbox_dispatch(*, limit: int = 500) -> int:
    """Publish the oldest unsent rows, up to ``limit``, and forget rows sent over a week ago. Returns how many
    were sent. Safe to run twice at once: each run locks the rows it takes and skips those another holds, and a
    row is marked sent in the same transaction, so no run publishes a row another has sent."""
    sent = 0
    with transaction.atomic():
        unsent = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk").select_for_update(skip_locked=True)
        for message in list(unsent[:limit]):
            if not _publish(message):
                break  # the broker is still down: the rest wait for the next run
            sent += 1
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    return sent
