"""Background work: services send a Celery task by its registered name once their transaction commits.

A task module imports the services it wraps, so a service that imported its task back would close an import
cycle; naming the task (``"outcomes.tasks.run_import"``) keeps services free of task modules.

The task is looked up in the app's registry and sent with ``apply_async``, never with ``app.send_task``:
``send_task`` always publishes to the broker and ignores ``task_always_eager``, while development and the tests
run without a broker and rely on eager mode (``iom/celery.py``, ``CELERY_TASK_ALWAYS_EAGER`` in settings).
"""

import threading
from typing import Any

from celery import Task
from celery.exceptions import NotRegistered
from django.db import transaction

from iom.celery import app

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

    The name is checked now, so a misspelt task fails inside the service (rolling its transaction back)
    instead of silently after the commit.
    """
    task = task_named(task_name)
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))
