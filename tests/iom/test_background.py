"""iom.background.enqueue: services send a Celery task by its name, once their transaction commits.

The tests run with ``CELERY_BROKER_URL`` empty, so Celery runs tasks eagerly in this process: what a developer's
``make run`` does. tests/outcomes/test_tasks_imports_worker.py covers a real broker and worker.
"""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import NotRegistered
from django.core import mail
from django.db import transaction

from iom import services
from iom.background import enqueue, task_named
from iom.celery import app
from tests.iom.recorder import RECORD, clear_received, received  # noqa: F401 (clear_received: an autouse fixture)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_send_task(monkeypatch):
    """``app.send_task`` always goes to a broker, eager mode or not: the helper must never use it."""

    def refuse(*args, **kwargs):
        raise AssertionError("send_task ignores task_always_eager; use the registered task's apply_async")

    monkeypatch.setattr(app, "send_task", refuse)


def test_the_named_task_runs_once_the_transaction_commits_and_eagerly_without_a_broker(
    settings, no_send_task, django_capture_on_commit_callbacks
):
    assert not settings.CELERY_BROKER_URL
    assert app.conf.task_always_eager
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue(RECORD, 7, note="x")
        assert received == []  # nothing runs before the commit
    assert len(callbacks) == 1
    assert received == [((7,), {"note": "x"})]


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(RECORD, 7)
        raise RuntimeError("the service failed after asking for the task")
    assert callbacks == []
    assert received == []


def test_an_unknown_task_name_fails_at_once_and_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(NotRegistered, match=r"'iom\.tasks\.no_such_task'"),
    ):
        enqueue("iom.tasks.no_such_task", 1)
    assert callbacks == []


def test_a_service_sends_its_task_by_name_and_the_task_body_runs(
    officer, no_send_task, django_capture_on_commit_callbacks
):
    """notify() names iom.tasks.send_notification_email instead of importing it; the email still goes after commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notify(user=officer, kind="test", title="Hello", dedupe_key="test:background")
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[officer.email]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_tasks_of_every_app_are_found_by_name_before_anything_imported_them():
    """A web process never runs a worker's autodiscovery; the helper does it, so a name resolves on first use."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "iom.settings", "DEBUG": "true", "CELERY_BROKER_URL": ""}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup()\n"
            "from iom.background import task_named\n"
            "assert 'outcomes.tasks' not in sys.modules, 'already imported: the test would prove nothing'\n"
            "print(task_named('outcomes.tasks.run_import').name)\n"
            "print(task_named('referrals.tasks.chase_overdue_referrals').name)\n",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["outcomes.tasks.run_import", "referrals.tasks.chase_overdue_referrals"]


def test_task_named_returns_the_registered_task_object():
    assert task_named("iom.tasks.send_notification_email") is app.tasks["iom.tasks.send_notification_email"]
