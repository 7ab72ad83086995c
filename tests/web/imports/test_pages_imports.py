"""The import pages at /imports/ and /imports/<id>/: IOM managers upload CSV files and watch each run.

Celery runs eagerly in tests, after the upload's transaction commits: the POSTs below run inside
``django_capture_on_commit_callbacks(execute=True)``, so the run has finished when the page redirects.
"""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from iom.models import Cohort, Person
from iom.pnc import make_pnc_id
from outcomes.models import ImportKind, ImportRun, ImportState
from outcomes.services.imports import KINDS
from tests.web.dashboard.test_pages_dashboard import tables
from tests.web.test_pages_html import assert_error_summary_links_to_fields, assert_well_formed

pytestmark = pytest.mark.django_db

LIST_URL = "/imports/"
REFUSED = ["officer", "officer2", "probation", "partner", "coordinator", "employer", "analyst", "admin"]
COHORTS_CSV = b"slug,name,description\nfixed-2024,Fixed 2024,Neighbourhood crime\nflex-2024,Flex 2024,\n"
LIST_QUERIES = 6  # session, user, count, page of runs, the bell, the menu flags


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_file(content: bytes, name: str = "upload.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def upload(client: Client, capture, *, kind: str, content: bytes, dry_run: bool = False, name: str = "upload.csv"):
    data = {"kind": kind, "file": csv_file(content, name)}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        return client.post(LIST_URL, data)


def a_run(user, **fields) -> ImportRun:
    values = {"kind": ImportKind.COHORTS, "filename": "cohorts.csv", "uploaded_by": user, "via": "page", **fields}
    return ImportRun.objects.create(**values)


# --- Who may use the pages ---------------------------------------------------------------------------------------


def test_managers_open_the_upload_page_and_a_run(manager):
    run = a_run(manager, state=ImportState.SUCCEEDED, rows_total=2, rows_processed=2, created=2)
    client = signed_in(manager)
    listing = client.get(LIST_URL)
    assert listing.status_code == 200
    assert_well_formed(listing)
    detail = client.get(f"/imports/{run.pk}/")
    assert detail.status_code == 200
    assert_well_formed(detail)


def test_managers_of_every_scheme_share_the_imports(manager, outsider_manager):
    run = a_run(manager)
    assert signed_in(outsider_manager).get(f"/imports/{run.pk}/").status_code == 200


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_both_pages_and_the_upload(
    all_roles, manager, role, django_capture_on_commit_callbacks
):
    run = a_run(manager)
    client = signed_in(all_roles[role])
    assert client.get(LIST_URL).status_code == 403
    assert client.get(f"/imports/{run.pk}/").status_code == 403
    assert client.get("/imports/999999/").status_code == 403
    response = upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV)
    assert response.status_code == 403
    assert ImportRun.objects.count() == 1
    assert not Cohort.objects.filter(slug="fixed-2024").exists()


def test_anonymous_visitors_are_sent_to_sign_in(manager, django_capture_on_commit_callbacks):
    run = a_run(manager)
    client = Client()
    for address in (LIST_URL, f"/imports/{run.pk}/"):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
    response = upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV)
    assert response.status_code == 302
    assert ImportRun.objects.count() == 1


def test_an_unknown_run_is_not_found(manager):
    assert signed_in(manager).get("/imports/999999/").status_code == 404


def test_the_navigation_links_to_imports_for_managers_only(manager, analyst, officer):
    assert f'href="{LIST_URL}"' in signed_in(manager).get("/notifications/").content.decode()
    assert f'href="{LIST_URL}"' not in signed_in(analyst).get("/notifications/").content.decode()
    assert f'href="{LIST_URL}"' not in signed_in(officer).get("/notifications/").content.decode()


# --- Uploading ---------------------------------------------------------------------------------------------------


def test_a_clean_file_is_imported_and_the_run_shows_what_it_did(manager, django_capture_on_commit_callbacks):
    client = signed_in(manager)
    response = upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV, name="c.csv")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{run.pk}/"
    assert (run.state, run.via, run.filename, run.dry_run) == ("succeeded", "page", "c.csv", False)
    assert run.uploaded_by == manager
    assert set(Cohort.objects.values_list("slug", flat=True)) >= {"fixed-2024", "flex-2024"}

    page = client.get(response["Location"])
    content = page.content.decode()
    assert "The file was imported" in content
    assert '<progress id="run-progress" max="100" value="100"' in content
    assert '<span id="run-processed">2</span> of <span id="run-total">2</span> rows checked' in content
    assert '<dd class="govuk-summary-list__value" id="run-created">2</dd>' in content
    assert '<dd class="govuk-summary-list__value" id="run-updated">0</dd>' in content
    assert '<dd class="govuk-summary-list__value" id="run-unchanged">0</dd>' in content
    assert "govuk-tag--green" in content
    # Finished: nothing polls and nothing refreshes.
    assert "data-poll-url" in content
    assert "window.setTimeout(poll" not in content
    assert 'http-equiv="refresh"' not in content


def test_the_same_file_again_changes_nothing(manager, django_capture_on_commit_callbacks):
    client = signed_in(manager)
    upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV)
    response = upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV)
    content = client.get(response["Location"]).content.decode()
    assert '<dd class="govuk-summary-list__value" id="run-unchanged">2</dd>' in content
    assert '<dd class="govuk-summary-list__value" id="run-created">0</dd>' in content


def test_a_dry_run_checks_the_file_and_writes_nothing(manager, django_capture_on_commit_callbacks):
    client = signed_in(manager)
    response = upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV, dry_run=True)
    run = ImportRun.objects.get()
    assert (run.state, run.dry_run, run.created) == ("succeeded", True, 2)
    assert not Cohort.objects.filter(slug="fixed-2024").exists()
    content = client.get(response["Location"]).content.decode()
    assert "No errors found" in content
    assert "The file has no errors." in content
    assert "Would be created" in content


def test_a_file_with_errors_writes_nothing_and_shows_each_row_and_column(manager, django_capture_on_commit_callbacks):
    good = make_pnc_id(2013, 12345)
    content = (
        "pnc_id,first_name,last_name,date_of_birth,gender\n"
        f"{good},Dean,Blackthorn,1990-05-17,male\n"
        "2013/0012345A,Ann,Other,1990-02-30,unknown\n"
        f"{make_pnc_id(2013, 12346)},Cy,,1988-01-01,nonsense\n"
    ).encode()
    client = signed_in(manager)
    response = upload(client, django_capture_on_commit_callbacks, kind="people", content=content)
    run = ImportRun.objects.get()
    assert run.state == ImportState.FAILED
    assert run.error_count >= 4
    assert not Person.objects.filter(pnc_id=good).exists()

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Not imported" in html
    assert "Nothing from this file was written." in html
    for error in run.errors:
        assert f"<li>{error}</li>" in unescape(html)
    assert any(error.startswith("row 3, column pnc_id: ") for error in run.errors)
    assert any(error.startswith("row 3, column date_of_birth: ") for error in run.errors)
    assert any(error.startswith("row 4, column last_name: ") for error in run.errors)
    assert any(error.startswith("row 4, column gender: ") for error in run.errors)
    assert f'id="run-error-count">{run.error_count}</dd>' in html
    assert_well_formed(page)


def test_an_unknown_column_is_reported_against_the_header(manager, django_capture_on_commit_callbacks):
    client = signed_in(manager)
    content = b"slug,name,colour\nx,X,red\n"
    response = upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=content)
    run = ImportRun.objects.get()
    assert run.state == ImportState.FAILED
    assert run.errors and run.errors[0].startswith("row 1, column colour: ")
    assert run.errors[0] in unescape(client.get(response["Location"]).content.decode())


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Choose what the file holds.", "Choose a CSV file."]),
        ({"kind": "cohorts"}, ["Choose a CSV file."]),
        ({"kind": "everything", "file": csv_file(COHORTS_CSV)}, ["Select a valid choice."]),
        ({"kind": "cohorts", "file": csv_file(b"")}, ["Choose a CSV file that is not empty."]),
    ],
    ids=["nothing", "no-file", "unknown-kind", "empty-file"],
)
def test_a_bad_upload_shows_the_error_summary_and_starts_nothing(manager, data, messages):
    response = signed_in(manager).post(LIST_URL, data)
    assert_error_summary_links_to_fields(response)
    content = response.content.decode()
    for message in messages:
        assert message in content
    assert not ImportRun.objects.exists()


def test_the_services_own_refusal_shows_in_the_error_summary(manager, monkeypatch):
    monkeypatch.setattr("outcomes.services.imports.MAX_FILE_BYTES", 10)
    response = signed_in(manager).post(LIST_URL, {"kind": "cohorts", "file": csv_file(COHORTS_CSV)})
    assert_error_summary_links_to_fields(response)
    assert "The file is larger than" in response.content.decode()
    assert not ImportRun.objects.exists()


# --- Watching a run ----------------------------------------------------------------------------------------------


def test_a_run_in_progress_shows_its_progress_and_polls_the_api(manager):
    run = a_run(manager, state=ImportState.VALIDATING, rows_total=200, rows_processed=80)
    response = signed_in(manager).get(f"/imports/{run.pk}/")
    content = response.content.decode()
    assert run.progress_percent == 36
    assert '<progress id="run-progress" max="100" value="36"' in content
    assert '<span id="run-processed">80</span> of <span id="run-total">200</span> rows checked' in content
    assert "Checking rows" in content
    assert f'data-poll-url="/api/v1/imports/{run.pk}/"' in content
    # web/static/web/import-progress.js polls; the page gives it the state tags (tests/web/security: in a browser)
    assert '<script src="/static/web/import-progress.js" defer></script>' in content
    assert '<script id="import-tags" type="application/json">' in content
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in content
    assert_well_formed(response)


def test_a_queued_run_has_not_counted_its_rows_yet(manager):
    run = a_run(manager)
    content = signed_in(manager).get(f"/imports/{run.pk}/").content.decode()
    assert '<progress id="run-progress" max="100" value="0"' in content
    assert '<span id="run-total">?</span>' in content
    assert "Queued" in content


def test_the_api_the_page_polls_gives_every_field_the_script_reads(manager):
    run = a_run(manager, state=ImportState.WRITING, rows_total=10, rows_processed=10)
    response = signed_in(manager).get(f"/api/v1/imports/{run.pk}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = response.json()
    fields = ["state", "dry_run", "rows_processed", "rows_total", "progress_percent", "created", "updated"]
    assert {*fields, "unchanged", "error_count", "errors"} <= set(data)
    assert (data["state"], data["progress_percent"]) == ("writing", 95)


# --- The list of runs and the formats ---------------------------------------------------------------------------


def test_recent_runs_are_listed_newest_first_with_their_state(manager, django_capture_on_commit_callbacks):
    client = signed_in(manager)
    upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=COHORTS_CSV, name="first.csv")
    upload(client, django_capture_on_commit_callbacks, kind="cohorts", content=b"slug\nx\n", name="second.csv")
    response = client.get(LIST_URL)
    content = response.content.decode()
    assert content.index("second.csv") < content.index("first.csv")
    assert "Not imported" in content
    assert "Imported" in content
    first, second = ImportRun.objects.order_by("pk")
    assert f'href="/imports/{first.pk}/"' in content
    assert f'href="/imports/{second.pk}/"' in content


def test_without_runs_the_list_says_so(manager):
    assert 'id="no-imports"' in signed_in(manager).get(LIST_URL).content.decode()


def test_the_runs_are_paginated(manager):
    for n in range(30):
        a_run(manager, filename=f"file-{n:02d}.csv")
    client = signed_in(manager)
    first = client.get(LIST_URL).content.decode()
    assert 'class="govuk-pagination"' in first
    assert "file-29.csv" in first
    assert "file-04.csv" not in first
    second = client.get(f"{LIST_URL}?page=2").content.decode()
    assert "file-04.csv" in second
    assert "file-29.csv" not in second


def test_the_list_takes_the_same_queries_for_few_or_many_runs(manager, django_assert_num_queries):
    client = signed_in(manager)
    for n in range(3):
        a_run(manager, filename=f"few-{n}.csv")
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST_URL)
    for n in range(40):
        a_run(manager, filename=f"many-{n}.csv", uploaded_by=manager if n % 2 else None)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST_URL)


def test_the_detail_page_takes_a_fixed_number_of_queries(manager, django_assert_num_queries):
    run = a_run(manager, state=ImportState.FAILED, rows_total=5, errors=[f"row {n}, column x: y" for n in range(100)])
    client = signed_in(manager)
    with django_assert_num_queries(5):  # session, user, the run, the bell, the menu flags
        assert client.get(f"/imports/{run.pk}/").status_code == 200


@pytest.mark.parametrize("kind", ImportKind.values)
def test_the_upload_page_lists_each_formats_required_and_optional_columns(manager, kind):
    page = tables(signed_in(manager).get(LIST_URL))
    columns = KINDS[kind].COLUMNS
    rows = {row[0]: row[1] for row in page.tables[f"format-{kind}-table"][1:]}
    assert list(rows) == list(columns.allowed)
    assert [name for name, kept in rows.items() if kept == "Required"] == list(columns.required)
    assert [name for name, kept in rows.items() if kept == "Optional"] == list(columns.optional)
