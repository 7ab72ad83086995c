"""The import reaper (outcomes.services.imports.import_runs_reap, the ``reap_imports`` beat task): a run whose
worker died mid-import is re-queued once, then marked failed with a clear message; re-running never writes a
row twice (issue 12, sections 4 and 5).

A worker killed mid-import leaves its run checking (or saving) with a heartbeat that stops moving, and nothing
written: the rows and the run's "imported" state commit in one transaction, which the database rolls back when
the worker's connection goes. These tests put a run in exactly that state, then run the reaper; Celery is eager,
so a re-queued run is imported again in this process once the reaper's transaction commits."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from iom.models import AuditEvent, Cohort
from outcomes import tasks
from outcomes.models import ImportRun, ImportState
from outcomes.services.imports import ABANDONED, ImportSuperseded, import_csv, import_run_start, import_runs_reap

pytestmark = pytest.mark.django_db
COHORTS_CSV = b"slug,name\nfixed-2024,Fixed 2024\nflex-2024,Flex 2024\n"


def died(run: ImportRun, *, attempts: int = 1, minutes_ago: int = 20, state: str = ImportState.VALIDATING) -> None:
    """What a worker killed mid-import leaves behind."""
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    ImportRun.objects.filter(pk=run.pk).update(
        state=state, attempts=attempts, started_at=then, heartbeat_at=then, rows_processed=1, rows_total=2
    )


@pytest.fixture
def upload(manager):
    return import_run_start(acting_user=manager, kind="cohorts", content=COHORTS_CSV, via="page", enqueue=False)


def test_a_run_whose_worker_died_is_queued_again_and_imported_once(upload, django_capture_on_commit_callbacks):
    died(upload)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_runs_reap() == (1, 0)
    upload.refresh_from_db()
    assert upload.state == ImportState.SUCCEEDED
    assert upload.attempts == 2
    assert (upload.created, upload.updated, upload.error_count) == (2, 0, 0)
    assert sorted(Cohort.objects.values_list("slug", flat=True)) == ["fixed-2024", "flex-2024"]
    assert AuditEvent.objects.filter(object_type="importrun", object_id=str(upload.pk)).count() == 1


def test_a_run_that_died_while_saving_is_queued_again_too(upload, django_capture_on_commit_callbacks):
    died(upload, state=ImportState.WRITING)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reap_imports() == [1, 0]
    upload.refresh_from_db()
    assert upload.state == ImportState.SUCCEEDED
    assert Cohort.objects.count() == 2


def test_a_second_death_marks_the_run_failed_with_a_clear_message(upload, manager, django_capture_on_commit_callbacks):
    died(upload, attempts=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_runs_reap() == (0, 1)
    assert callbacks == []  # nothing queued
    upload.refresh_from_db()
    assert upload.state == ImportState.FAILED
    assert upload.errors == [ABANDONED]
    assert upload.finished_at is not None
    assert bytes(upload.content) == b""
    assert not Cohort.objects.exists()
    client = Client()
    client.force_login(manager)
    page = client.get(f"/imports/{upload.pk}/").content.decode()
    assert "stopped twice before it finished" in page
    assert "nothing from this file was written" in page


def test_a_run_still_showing_signs_of_life_is_left_alone(upload, django_capture_on_commit_callbacks):
    died(upload, minutes_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_runs_reap() == (0, 0)
    upload.refresh_from_db()
    assert upload.state == ImportState.VALIDATING


def test_queued_and_finished_runs_are_left_alone(manager, upload, django_capture_on_commit_callbacks):
    old = timezone.now() - datetime.timedelta(hours=2)
    ImportRun.objects.filter(pk=upload.pk).update(started_at=old, heartbeat_at=old)  # still queued
    done = import_run_start(acting_user=manager, kind="cohorts", content=COHORTS_CSV, enqueue=False)
    ImportRun.objects.filter(pk=done.pk).update(state=ImportState.SUCCEEDED, heartbeat_at=old, started_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_runs_reap() == (0, 0)


def test_reaping_twice_changes_nothing_the_second_time(upload, django_capture_on_commit_callbacks):
    died(upload, attempts=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_runs_reap() == (0, 1)
        assert import_runs_reap() == (0, 0)


def test_a_worker_the_reaper_gave_up_on_writes_nothing_when_it_comes_back(manager, upload):
    """A slow worker (attempt 1) outlived by its replacement (attempt 2) cannot write the file a second time."""
    ImportRun.objects.filter(pk=upload.pk).update(state=ImportState.VALIDATING, attempts=2)
    with pytest.raises(ImportSuperseded):
        import_csv(acting_user=manager, kind="cohorts", content=COHORTS_CSV, run_id=upload.pk, attempt=1)
    assert not Cohort.objects.exists()
    assert not AuditEvent.objects.filter(object_type="importrun").exists()


def test_a_run_records_its_attempt_and_a_second_delivery_does_nothing(upload):
    tasks.run_import(upload.pk)
    upload.refresh_from_db()
    assert upload.state == ImportState.SUCCEEDED
    assert upload.attempts == 1
    assert upload.heartbeat_at is not None
    assert tasks.run_import(upload.pk) == ImportState.SUCCEEDED  # a second delivery does nothing
    assert Cohort.objects.count() == 2
