"""An upload goes through a real Redis broker to a real Celery worker (CI sets TEST_REDIS_URL), as in production:
the request only queues the run, and the worker checks and writes it."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from kombu import pools

from iom.celery import app
from outcomes.models import ImportRun, ImportState
from outcomes.services.imports import import_run_start
from tests.iom.factories import CohortFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL names the real Redis (CI sets it)"),
    pytest.mark.django_db(transaction=True),  # the worker thread must see the committed run
]


def _reconnect() -> None:
    # The app and kombu cache connection and producer pools for the broker first used (memory:// when eager).
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker():
    old = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _reconnect()
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            yield
    finally:
        app.conf.update(**old)
        _reconnect()


def test_an_upload_is_queued_and_a_worker_imports_it(worker, manager):
    CohortFactory(slug="kept", name="Old name")
    content = b"slug,name\nkept,New name\nnew-one,New cohort\n"
    run = import_run_start(acting_user=manager, kind="cohorts", content=content, filename="c.csv")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.finished:
            break
        time.sleep(0.2)
    assert run.state == ImportState.SUCCEEDED
    assert (run.created, run.updated, run.unchanged, run.error_count) == (1, 1, 0, 0)
    assert bytes(ImportRun.objects.get(pk=run.pk).content) == b""  # the upload is not kept once done
