"""The upload page with the broker down (a closed port): the upload is saved and the page answers as usual, the
run waits in the outbox, and once the broker is back the dispatcher sends it, once (issue 12, section 5)."""

import pytest

from iom import tasks
from iom.models import OutboxMessage
from outcomes.models import ImportRun, ImportState
from tests.iom.broker import BROKER_DOWN, REDIS_URL, broker_at, needs_redis, queued_task_ids, remove_task_messages
from tests.web.imports.test_pages_imports import COHORTS_CSV, signed_in, upload

pytestmark = pytest.mark.django_db


def test_an_upload_with_the_broker_down_is_saved_and_answered_normally(manager, django_capture_on_commit_callbacks):
    client = signed_in(manager)
    with broker_at(BROKER_DOWN):
        response = upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{run.pk}/"
    assert run.state == ImportState.QUEUED
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args, message.sent_at) == ("outcomes.tasks.run_import", [run.pk], None)
    assert client.get(response["Location"]).status_code == 200


@needs_redis
def test_the_queued_upload_is_sent_once_the_broker_is_back(manager, django_capture_on_commit_callbacks):
    with broker_at(BROKER_DOWN):
        upload(signed_in(manager), django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV)
    task_id = str(OutboxMessage.objects.get().task_id)
    try:
        with broker_at(REDIS_URL or ""):
            assert tasks.dispatch_outbox() == 1
            assert tasks.dispatch_outbox() == 0
        assert queued_task_ids({task_id}) == [task_id]
    finally:
        remove_task_messages({task_id})
