"""/api/v1/imports/: IOM managers upload a CSV (multipart ``kind``, ``file``, ``dry_run``) and watch the run.

The upload is recorded and handed to Celery once it is committed (eager in tests: the task body runs for real
when the on-commit callbacks run); the run shows its state, rows, totals and the first errors.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from iom.models import AuditEvent, Person
from iom.pnc import make_pnc_id
from outcomes.models import ImportRun, ImportState
from outcomes.tasks import run_import

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/"
PNC_A = make_pnc_id(2013, 12345)
PNC_B = make_pnc_id(2014, 222222)
GOOD = f"pnc_id,first_name,last_name,date_of_birth\n{PNC_A},Dylan,Thacker,1990-05-17\n{PNC_B},Rhys,Booth,1985-11-02\n"
BAD = f"pnc_id,first_name,last_name,date_of_birth\n{PNC_A},Dylan,Thacker,1990-05-17\n2013/0012345A,Ann,Lee,1990-13-01\n"
FIELDS = {
    "id",
    "kind",
    "filename",
    "dry_run",
    "state",
    "rows_total",
    "rows_processed",
    "progress_percent",
    "created",
    "updated",
    "unchanged",
    "error_count",
    "errors",
    "uploaded_by",
    "via",
    "created_at",
    "started_at",
    "finished_at",
}


def upload(client, content: str | bytes, kind: str = "people", **extra):
    data = content.encode() if isinstance(content, str) else content
    body = {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", data, content_type="text/csv"), **extra}
    return client.post(URL, body, format="multipart")


@pytest.fixture
def upload_and_run(api_as, manager, django_capture_on_commit_callbacks):
    """Upload as the manager and run what is queued on commit (the eager task); return the 202 response."""

    def _upload(content, kind: str = "people", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(api_as(manager), content, kind, **extra)
        assert response.status_code == 202, response.content
        return response

    return _upload


def test_a_manager_uploads_a_file_and_the_run_imports_it(upload_and_run, api_as, manager):
    response = upload_and_run(GOOD)
    run_id = response.json()["id"]
    assert response["Location"].endswith(f"{URL}{run_id}/")
    body = api_as(manager).get(f"{URL}{run_id}/").json()
    assert set(body) == FIELDS
    assert {key: body[key] for key in FIELDS - {"id", "created_at", "started_at", "finished_at"}} == {
        "kind": "people",
        "filename": "people.csv",
        "dry_run": False,
        "state": "succeeded",
        "rows_total": 2,
        "rows_processed": 2,
        "progress_percent": 100,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "error_count": 0,
        "errors": [],
        "uploaded_by": "manager",
        "via": "api",
    }
    assert body["started_at"] and body["finished_at"]
    assert set(Person.objects.values_list("pnc_id", flat=True)) == {PNC_A, PNC_B}
    assert AuditEvent.objects.get(object_type="importrun").user == manager


def test_the_task_is_queued_on_commit_and_the_run_waits_until_then(api_as, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(api_as(manager), GOOD)
    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    assert response.json()["progress_percent"] == 0
    assert len(callbacks) == 1
    assert not Person.objects.exists()
    run = ImportRun.objects.get()
    assert run.content == GOOD.encode()  # kept for the worker until the run ends

    callbacks[0]()
    run.refresh_from_db()
    assert (run.state, run.created, run.content) == (ImportState.SUCCEEDED, 2, b"")
    assert Person.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_with_eager_celery_the_upload_response_already_shows_the_finished_run(api_as, manager):
    """Outside a test's wrapping transaction the upload commits, the eager task runs, and the 202 shows it."""
    response = upload(api_as(manager), GOOD)
    assert response.status_code == 202
    assert (response.json()["state"], response.json()["created"]) == ("succeeded", 2)
    assert Person.objects.count() == 2


def test_a_file_with_errors_fails_with_its_errors_and_writes_nothing(upload_and_run, api_as, manager):
    run_id = upload_and_run(BAD).json()["id"]
    body = api_as(manager).get(f"{URL}{run_id}/").json()
    assert (body["state"], body["error_count"], body["created"]) == ("failed", 2, 0)
    assert body["errors"] == [
        "row 3, column pnc_id: The check letter of PNC ID 2013/0012345A should be Q.",
        "row 3, column date_of_birth: a date as YYYY-MM-DD (found '1990-13-01')",
    ]
    assert body["progress_percent"] == 100
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(object_type="importrun").exists()


def test_a_dry_run_reports_counts_and_writes_nothing(upload_and_run, api_as, manager):
    run_id = upload_and_run(GOOD, dry_run="true").json()["id"]
    body = api_as(manager).get(f"{URL}{run_id}/").json()
    assert (body["dry_run"], body["state"], body["created"], body["rows_total"]) == (True, "succeeded", 2, 2)
    assert not Person.objects.exists()


def test_running_the_task_again_changes_nothing(upload_and_run, api_as, manager):
    run_id = upload_and_run(GOOD).json()["id"]
    before = api_as(manager).get(f"{URL}{run_id}/").json()
    audit_rows = AuditEvent.objects.count()

    assert run_import(run_id) == ImportState.SUCCEEDED
    assert run_import.delay(run_id).get() == ImportState.SUCCEEDED

    assert api_as(manager).get(f"{URL}{run_id}/").json() == before
    assert Person.objects.count() == 2
    assert AuditEvent.objects.count() == audit_rows


def test_the_task_for_a_run_that_does_not_exist_does_nothing():
    assert run_import(999_999) is None


def test_the_list_shows_runs_newest_first_and_filters_by_state(upload_and_run, api_as, manager, outsider_manager):
    first = upload_and_run(GOOD).json()["id"]
    second = upload_and_run(BAD).json()["id"]
    rows = api_as(manager).get(URL).json()["results"]
    assert [row["id"] for row in rows] == [second, first]
    failed = api_as(manager).get(f"{URL}?state=failed").json()["results"]
    assert [row["id"] for row in failed] == [second]
    # IOM managers share the imports: the people imported are visible to managers of every scheme.
    assert [row["id"] for row in api_as(outsider_manager).get(URL).json()["results"]] == [second, first]


def test_an_unknown_query_parameter_on_the_list_is_a_400(api_as, manager):
    response = api_as(manager).get(f"{URL}?colour=blue")
    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": ["Unknown query parameter."]}


def test_a_run_that_does_not_exist_is_404(api_as, manager):
    assert api_as(manager).get(f"{URL}999999/").status_code == 404


def test_a_bad_kind_is_a_400_and_records_no_run(api_as, manager):
    response = upload(api_as(manager), GOOD, kind="interventions")
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
    assert not ImportRun.objects.exists()


def test_an_empty_file_is_a_400_and_records_no_run(api_as, manager):
    response = upload(api_as(manager), b"")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not ImportRun.objects.exists()


def test_an_upload_without_a_file_is_a_400(api_as, manager):
    response = api_as(manager).post(URL, {"kind": "people"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_a_json_body_is_refused(api_as, manager):
    response = api_as(manager).post(URL, {"kind": "people", "file": GOOD}, format="json")
    assert response.status_code == 415
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("role", ["officer", "probation", "partner", "coordinator", "employer", "analyst", "admin"])
def test_other_roles_cannot_upload_list_or_read_runs(upload_and_run, api_as, all_roles, role):
    run_id = upload_and_run(GOOD).json()["id"]
    client = api_as(all_roles[role])
    before = ImportRun.objects.count()
    assert upload(client, GOOD).status_code == 403
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{run_id}/").status_code == 403
    assert ImportRun.objects.count() == before


def test_anonymous_gets_401(api, upload_and_run):
    run_id = upload_and_run(GOOD).json()["id"]
    api.force_authenticate(None)  # the same client signed in as the manager to upload
    assert upload(api, GOOD).status_code == 401
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{run_id}/").status_code == 401


def test_runs_cannot_be_changed_or_deleted(upload_and_run, api_as, manager):
    run_id = upload_and_run(GOOD).json()["id"]
    client = api_as(manager)
    assert client.patch(f"{URL}{run_id}/", {"state": "queued"}, format="multipart").status_code == 405
    assert client.delete(f"{URL}{run_id}/").status_code == 405


def test_the_run_list_takes_the_same_queries_for_two_runs_or_twenty(
    upload_and_run, api_as, manager, django_assert_max_num_queries
):
    for _ in range(2):
        upload_and_run(GOOD)
    client = api_as(manager)
    with django_assert_max_num_queries(3) as small:
        assert len(client.get(URL).json()["results"]) == 2
    for _ in range(18):
        upload_and_run(BAD)
    with django_assert_max_num_queries(3) as large:
        assert len(client.get(URL).json()["results"]) == 20
    assert len(small) == len(large)
