"""Point the Celery app at a broker for one test: a closed port (the broker is down) or the real Redis.

The app and kombu cache connection and producer pools for the broker first used (memory:// when eager), so both
are reset on the way in and out (as tests/outcomes/test_tasks_imports_worker.py does)."""

import contextlib
import json
import os
from collections.abc import Iterator

import pytest
import redis
from kombu import pools

from iom.celery import app

BROKER_DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused at once
REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL names the real Redis (CI sets it)")


def _reconnect() -> None:
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    old = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    _reconnect()
    try:
        yield
    finally:
        app.conf.update(**old)
        _reconnect()


def queued_task_ids(task_ids: set[str]) -> list[str]:
    """The ids, among ``task_ids``, of the task messages waiting in the real Redis's queues, once per message."""
    client = redis.Redis.from_url(REDIS_URL or "")
    found = []
    for key in client.scan_iter("celery*"):
        if client.type(key) != b"list":
            continue
        for raw in client.lrange(key, 0, -1):
            task_id = json.loads(raw).get("headers", {}).get("id")
            if task_id in task_ids:
                found.append(task_id)
    return found


def remove_task_messages(task_ids: set[str]) -> None:
    """Take this test's messages off the real Redis again, so no worker elsewhere runs them."""
    client = redis.Redis.from_url(REDIS_URL or "")
    for key in client.scan_iter("celery*"):
        if client.type(key) != b"list":
            continue
        for raw in client.lrange(key, 0, -1):
            if json.loads(raw).get("headers", {}).get("id") in task_ids:
                client.lrem(key, 0, raw)
