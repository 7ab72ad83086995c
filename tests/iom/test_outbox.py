"""The transactional outbox (iom/background.py): with a broker, ``enqueue`` stores the work in the service's
transaction, publishes it after the commit, and leaves it for ``iom.tasks.dispatch_outbox`` when the broker is
down; the dispatcher sends each row once. Without a broker (the rest of the suite) nothing changes.

The broker-down tests point Celery at a closed port; the others need the real Redis (TEST_REDIS_URL)."""

import contextlib

import pytest
from django.db import transaction

from iom import tasks
from iom.background import enqueue, outbox_dispatch, publish_message
from iom.models import OutboxMessage
from tests.iom.broker import BROKER_DOWN, REDIS_URL, broker_at, needs_redis, queued_task_ids, remove_task_messages
from tests.iom.recorder import RECORD, clear_received, received  # noqa: F401 (clear_received: an autouse fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    with broker_at(BROKER_DOWN):
        yield


@pytest.fixture
def real_redis():
    """The real Redis; the messages each test leaves there are taken off again."""
    with broker_at(REDIS_URL or ""):
        yield
    remove_task_messages({str(task_id) for task_id in OutboxMessage.objects.values_list("task_id", flat=True)})


def sent_ids() -> set[str]:
    return {str(task_id) for task_id in OutboxMessage.objects.values_list("task_id", flat=True)}


# --- Without a broker: as before ------------------------------------------------------------------------------


def test_eager_mode_runs_the_task_after_the_commit_and_stores_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(RECORD, 3)
        assert received == []
    assert received == [((3,), {})]
    assert not OutboxMessage.objects.exists()


def test_a_model_instance_as_an_argument_is_refused_in_the_service(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(TypeError, match="ids"):
        enqueue(RECORD, officer)
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused():
    """The change and its work must commit together; in autocommit there is no transaction to share."""
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        enqueue(RECORD, 1)
    assert received == []


# --- The broker is down ---------------------------------------------------------------------------------------


def test_with_the_broker_down_the_work_is_kept_and_nothing_raises(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue(RECORD, 7, note="x")
    assert len(callbacks) == 1  # it ran, and did not raise
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args, message.kwargs) == (RECORD, [7], {"note": "x"})
    assert message.sent_at is None
    assert message.attempts == 1
    assert "Error" in message.last_error
    assert received == []


def test_the_work_is_not_kept_when_the_transaction_rolls_back(broker_down, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(RECORD, 7)
        raise RuntimeError("the service failed after asking for the task")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


def test_the_dispatcher_keeps_the_work_while_the_broker_is_still_down(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(RECORD, 1)
        enqueue(RECORD, 2)
    assert tasks.dispatch_outbox() == 0
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
    # The dispatcher stops at the first refusal instead of trying every row against a dead broker.
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [1, 2]


# --- The real broker ------------------------------------------------------------------------------------------


@needs_redis
def test_with_the_broker_up_the_work_is_published_at_once(real_redis, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(RECORD, 5)
    message = OutboxMessage.objects.get()
    assert message.sent_at is not None
    assert queued_task_ids(sent_ids()) == [str(message.task_id)]
    assert outbox_dispatch() == 0
    assert publish_message(message.pk) is False  # already sent: a second publish sends nothing
    assert queued_task_ids(sent_ids()) == [str(message.task_id)]


@needs_redis
def test_work_kept_while_the_broker_was_down_is_sent_once_it_is_back(django_capture_on_commit_callbacks):
    with broker_at(BROKER_DOWN), django_capture_on_commit_callbacks(execute=True):
        enqueue(RECORD, 1)
        enqueue(RECORD, 2, note="y")
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
    try:
        with broker_at(REDIS_URL or ""):
            assert tasks.dispatch_outbox() == 2
            assert tasks.dispatch_outbox() == 0  # a second run sends nothing twice
        assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
        assert sorted(queued_task_ids(sent_ids())) == sorted(sent_ids())  # each row once, and only once
    finally:
        remove_task_messages(sent_ids())
