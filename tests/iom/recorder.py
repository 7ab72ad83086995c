"""A task that only records its calls, for the tests of sending work by name (iom/background.py).

Import ``RECORD`` and ``received``, and ``clear_received`` (an autouse fixture) so each test starts empty.
"""

import pytest
from celery import shared_task

RECORD = "tests.iom.recorder.record"
received: list[tuple[tuple, dict]] = []


@shared_task(name=RECORD)
def record(*args, **kwargs) -> None:
    received.append((args, kwargs))


@pytest.fixture(autouse=True)
def clear_received():
    received.clear()
    yield
    received.clear()
