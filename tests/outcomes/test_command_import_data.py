"""``manage.py import_data {cohorts,people,memberships,offences} FILE.csv [--dry-run] [--user manager]``.

The same service as the API, run in this process: it prints a summary, prints each error as ``row N, column C:
...`` and exits non-zero (CommandError) when the file has any, and records the run with ``via="command"``.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from iom.models import AuditEvent, Person
from iom.pnc import make_pnc_id
from outcomes.models import ImportRun, ImportState

pytestmark = pytest.mark.django_db

PNC_A = make_pnc_id(2013, 12345)
PNC_B = make_pnc_id(2014, 222222)
HEADER = "pnc_id,first_name,last_name,date_of_birth,district"


@pytest.fixture
def people_file(tmp_path):
    def write(*rows: str, name: str = "people.csv"):
        path = tmp_path / name
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        return path

    return write


def import_data(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_file_prints_a_summary_and_records_the_run(people_file):
    path = people_file(f"{PNC_A},Dylan,Thacker,1990-05-17,norwich", f"{PNC_B},Rhys,Booth,1985-11-02,broadland")
    out, _err = import_data("people", str(path))
    assert out.strip() == "People from people.csv: 2 rows: 2 were created, 0 were updated, 0 unchanged."
    assert set(Person.objects.values_list("pnc_id", flat=True)) == {PNC_A, PNC_B}
    run = ImportRun.objects.get()
    assert (run.via, run.kind, run.filename, run.state) == ("command", "people", "people.csv", ImportState.SUCCEEDED)
    assert (run.rows_total, run.created, run.uploaded_by) == (2, 2, None)
    assert run.content == b""  # the file is not kept once the run has finished
    summary = AuditEvent.objects.get(object_type="importrun")
    assert (summary.username, summary.object_id) == ("import_data (command)", str(run.pk))


def test_a_second_run_of_the_same_file_reports_it_unchanged(people_file):
    path = people_file(f"{PNC_A},Dylan,Thacker,1990-05-17,norwich")
    import_data("people", str(path))
    out, _err = import_data("people", str(path))
    assert out.strip() == "People from people.csv: 1 rows: 0 were created, 0 were updated, 1 unchanged."
    assert Person.objects.count() == 1
    assert ImportRun.objects.filter(via="command", state=ImportState.SUCCEEDED).count() == 2


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(people_file):
    path = people_file(f"{PNC_A},Dylan,Thacker,1990-05-17,norwich")
    out, _err = import_data("people", str(path), "--dry-run")
    assert out.strip() == (
        "Dry run, nothing written. People from people.csv: 1 rows: 1 would be created, 0 would be updated, 0 unchanged."
    )
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()
    run = ImportRun.objects.get()
    assert (run.dry_run, run.via, run.state, run.created) == (True, "command", ImportState.SUCCEEDED, 1)


def test_a_file_with_errors_exits_non_zero_prints_each_error_and_writes_nothing(people_file):
    path = people_file(
        f"{PNC_A},Dylan,Thacker,1990-05-17,norwich",
        "2013/0012345A,Ann,Lee,1990-01-01,norwich",
        f"{PNC_B},Rhys,Booth,1985/11/02,Norwich",
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_data", "people", str(path), stdout=out, stderr=err)
    assert str(raised.value) == "3 errors: nothing was written from people.csv."
    assert err.getvalue().splitlines() == [
        "row 3, column pnc_id: The check letter of PNC ID 2013/0012345A should be Q.",
        "row 4, column date_of_birth: a date as YYYY-MM-DD (found '1985/11/02')",
        "row 4, column district: one of breckland, broadland, great_yarmouth, kings_lynn_west_norfolk, "
        "north_norfolk, norwich, south_norfolk, outside_norfolk (found 'Norwich')",
    ]
    assert out.getvalue() == ""
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()
    run = ImportRun.objects.get()
    assert (run.via, run.state, run.error_count, run.created) == ("command", ImportState.FAILED, 3, 0)


def _wrong_check_letter(number: int) -> str:
    pnc_id = make_pnc_id(2013, number)
    return pnc_id[:-1] + ("B" if pnc_id.endswith("A") else "A")


def test_only_the_first_hundred_errors_are_printed_and_the_message_says_so(people_file):
    path = people_file(*(f"{_wrong_check_letter(n)},Ann,Lee,1990-01-01,norwich" for n in range(1, 131)))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_data", "people", str(path), stdout=out, stderr=err)
    assert str(raised.value) == "130 errors (the first 100 are shown): nothing was written from people.csv."
    lines = err.getvalue().splitlines()
    assert len(lines) == 100
    assert lines[0].startswith("row 2, column pnc_id: The check letter of PNC ID ")
    assert lines[-1].startswith("row 101, column pnc_id: ")
    assert not Person.objects.exists()


def test_a_dry_run_of_a_bad_file_also_fails(people_file):
    path = people_file("2013/0012345A,Ann,Lee,1990-01-01,norwich")
    with pytest.raises(CommandError, match="1 error: nothing was written"):
        import_data("people", str(path), "--dry-run")


def test_the_run_can_be_recorded_as_an_iom_managers(people_file, manager):
    path = people_file(f"{PNC_A},Dylan,Thacker,1990-05-17,norwich")
    import_data("people", str(path), "--user", "manager")
    run = ImportRun.objects.get()
    assert (run.uploaded_by, run.via) == (manager, "command")
    assert AuditEvent.objects.get(object_type="importrun").user == manager


@pytest.mark.parametrize("username", ["officer", "analyst", "nobody"])
def test_only_an_active_iom_manager_can_be_named_as_the_user(people_file, officer, analyst, username):
    path = people_file(f"{PNC_A},Dylan,Thacker,1990-05-17,norwich")
    with pytest.raises(CommandError, match=f"No active IOM manager is called '{username}'"):
        import_data("people", str(path), "--user", username)
    assert not ImportRun.objects.exists()
    assert not Person.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        import_data("people", str(tmp_path / "missing.csv"))
    assert not ImportRun.objects.exists()


def test_an_empty_file_is_refused_before_a_run_is_recorded(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="Choose a CSV file that is not empty"):
        import_data("cohorts", str(path))
    assert not ImportRun.objects.exists()


def test_an_unknown_kind_is_a_usage_error(people_file):
    with pytest.raises(CommandError, match="invalid choice"):
        import_data("interventions", str(people_file()))
