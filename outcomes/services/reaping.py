"""Finding background runs whose worker died, for every kind of run that records its own progress.

A run (an import, a subject access bundle) is claimed by a worker, which counts an attempt and moves its
``heartbeat_at`` on as it goes. A worker killed mid-run leaves the run looking busy for ever, so a beat task asks
:func:`stale_runs_reap` every few minutes: a run with no sign of life for ``stale_after`` is queued again once
(its task sent by name, as every service sends work), and after ``max_attempts`` deaths it is marked failed with
a clear message. Each change is conditional on the run still being in the state and attempt found, so two
reapers at once, or a worker that wakes up late, change nothing twice.
"""

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from iom import background

logger = logging.getLogger(__name__)


def stale_runs_reap(
    *,
    running: models.QuerySet,
    stale_after: datetime.timedelta,
    max_attempts: int,
    task_name: str,
    requeue: Mapping[str, Any],
    fail: Mapping[str, Any],
) -> tuple[int, int]:
    """Re-queue (``requeue`` written, ``task_name`` sent with the run's id) or fail (``fail`` written, with
    ``finished_at``) each run of ``running`` whose heartbeat is older than ``stale_after``. Returns (re-queued,
    failed)."""
    now = timezone.now()
    cutoff = now - stale_after
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    label = running.model._meta.verbose_name
    requeued = failed = 0
    for run_id, attempts in running.filter(stale).values_list("pk", "attempts"):
        found = running.filter(stale, pk=run_id, attempts=attempts)
        with transaction.atomic():
            if attempts < max_attempts:
                if found.update(**requeue):
                    background.enqueue(task_name, run_id)
                    logger.warning("%s %s: its worker stopped; queued again", label, run_id)
                    requeued += 1
            elif found.update(**fail, finished_at=now):
                logger.error("%s %s: its worker stopped %s times; abandoned", label, run_id, attempts)
                failed += 1
    return requeued, failed
