"""The audit trail proves itself (issue 12 §3; iom/audit_chain.py): every row is chained to the one before by a
keyed hash, ``manage.py verify_audit`` finds a row changed, deleted, reordered, forked or forged behind the
application's back and names it, the nightly task alerts the administrators, and erasure's redaction keeps the
chain valid while the database refuses every other change.

Tampering is done as an attacker holding the table owner's rights would: raw SQL with the table's guards off
(PostgreSQL: ``session_replication_role = replica`` or the trigger disabled; SQLite: the triggers dropped).
"""

import datetime
import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone

from iom import audit_chain, request_context
from iom.audit import audit_record, audit_record_rows, audit_values, redact_events_about
from iom.audit_chain import GENESIS, BreakKind, verify
from iom.models import AppendOnlyError, AuditAction, AuditEvent, Notification, Role
from iom.pnc import make_pnc_id
from iom.tasks import verify_audit_chain
from outcomes.services.imports import import_csv
from referrals.models import ReferralState
from referrals.selectors import referral_record_partner_views
from tests.iom import factories
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
POSTGRESQL = connection.vendor == "postgresql"
only_postgresql = pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's roles, locks and triggers")
TABLE = "iom_auditevent"
REDACTED = {"changes", "details", "justification", "redacted_at"}


@contextmanager
def behind_the_applications_back(how: str = "replica") -> Iterator:
    """A cursor running raw SQL as the table owner with the table's guards off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            on, off = {
                "replica": (
                    "SET LOCAL session_replication_role = replica",
                    "SET LOCAL session_replication_role = origin",
                ),
                "disable": (
                    "ALTER TABLE iom_auditevent DISABLE TRIGGER USER",
                    "ALTER TABLE iom_auditevent ENABLE TRIGGER USER",
                ),
            }[how]
            cursor.execute(on)
            yield cursor
            cursor.execute(off)
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield cursor
            for _name, sql in triggers:
                cursor.execute(sql)


def now() -> str:
    """The current time as the database takes it in raw SQL."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def write_rows(officer, person, count: int = 5) -> list[AuditEvent]:
    return [
        audit_record(user=officer, action=AuditAction.VIEW, obj=person, details={"n": number})
        for number in range(count)
    ]


def verify_command() -> str:
    """``manage.py verify_audit``'s output; a break raises CommandError (exit status 1 from the shell)."""
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def assert_broken_at(event_id: int, kind: BreakKind) -> audit_chain.Verification:
    result = verify()
    assert not result.ok
    assert result.first_break is not None
    assert (result.first_break.event_id, result.first_break.kind) == (event_id, kind), result.breaks
    with pytest.raises(CommandError, match=f"broken at row {event_id} ") as raised:
        verify_command()
    assert raised.value.returncode == 1
    return result


# --- Writing ---------------------------------------------------------------------------------------------------


def test_each_row_follows_the_one_before_and_a_clean_chain_verifies(officer, person):
    events = write_rows(officer, person, 3)
    audit_record_rows([audit_values(user=officer, action=AuditAction.LIST, details={"q": "x"})] * 2)
    rows = list(AuditEvent.objects.order_by("pk").values("previous_hash", "row_hash", "values_digest"))
    assert rows[0]["previous_hash"] == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["previous_hash"] == before["row_hash"]
    assert all(len(row["row_hash"]) == len(row["values_digest"]) == 64 for row in rows)
    result = verify()
    assert (result.ok, result.checked, result.redacted) == (True, 5, 0)
    assert (result.head_id, result.head_hash) == (AuditEvent.objects.order_by("pk").last().pk, rows[-1]["row_hash"])
    assert events[0].row_hash == rows[0]["row_hash"]
    output = verify_command()
    assert "Checked 5 audit rows (0 redacted)." in output
    assert "intact" in output


def test_values_verify_as_the_database_gives_them_back(officer, person):
    """JSON with nested objects, text beyond ASCII, whole and fractional numbers, dates, an IPv6 address: the
    hash made before the insert matches the row read back, on SQLite and PostgreSQL alike."""
    token = request_context.set_current(request_context.RequestContext(request_id="req-1", ip_address="2001:DB8::1"))
    try:
        audit_record(
            user=officer,
            action=AuditAction.CHANGE,
            obj=person,
            changes={"last_name": ["Ó Briain", "O'Brien"], "score": [1.0, 2.5], "big": [1e16, None]},
            details={
                "b": {"z": [1, True, None], "a": "£5 \u2013 \u201cquoted\u201d"},
                "on": datetime.date(2024, 2, 29),
            },
            justification="Line one\r\nline two\ttabbed",
        )
    finally:
        request_context.reset(token)
    assert verify().ok


def test_rows_can_only_be_written_through_the_chain(officer, person):
    with pytest.raises(AppendOnlyError, match="hash chain"):
        AuditEvent.objects.create(action=AuditAction.VIEW, username="someone")
    with pytest.raises(AppendOnlyError, match="hash chain"):
        AuditEvent.objects.bulk_create([AuditEvent(action=AuditAction.VIEW)])
    write_rows(officer, person, 1)
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.all().delete()
    # Raw SQL without a hash is refused by the database itself.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO iom_auditevent (occurred_at, username, action, outcome, object_type, object_id, changes, "
            "details, request_id, justification, values_digest, previous_hash, row_hash) "
            "VALUES (%s, 'x', 'view', 'done', '', '', '{}', '{}', '', '', '', '', '')",
            [now()],
        )
    assert verify().ok


def test_an_import_and_a_partners_list_leave_a_valid_chain(manager, partner, stored_import_person, case):
    header = "pnc_id,crn,first_name,last_name,date_of_birth,gender,ethnicity,district"
    changed = f"{stored_import_person.pnc_id},,Dylan,Thacker,1990-05-17,male,white,broadland"
    created = f"{make_pnc_id(2014, 222222)},,Rhys,Booth,1985-11-02,,not_stated,great_yarmouth"
    result = import_csv(acting_user=manager, kind="people", content=f"{header}\r\n{changed}\r\n{created}\r\n".encode())
    assert result.ok, result.errors
    referrals = [
        ReferralFactory(case=case, service__organisation=partner.organisation, state=ReferralState.SUBMITTED)
        for _ in range(3)
    ]
    referral_record_partner_views(acting_user=partner, referrals=referrals)
    actions = list(AuditEvent.objects.order_by("pk").values_list("object_type", "action"))
    assert ("person", "change") in actions
    assert ("importrun", "create") in actions
    assert actions.count(("referral", "disclose")) == 3
    assert verify().ok


@pytest.fixture
def stored_import_person(db):
    return factories.PersonFactory(pnc_id=make_pnc_id(2013, 12345), crn=None, first_name="Dylan", last_name="Thacker")


# --- Tampering, detected -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["replica", "disable"] if POSTGRESQL else ["replica"])
def test_a_value_changed_behind_the_applications_back_is_detected_at_its_row(officer, person, how):
    events = write_rows(officer, person)
    with behind_the_applications_back(how) as cursor:
        cursor.execute("UPDATE iom_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', events[2].pk])
    result = assert_broken_at(events[2].pk, BreakKind.CHANGED)
    assert "changes, details or justification" in result.first_break.message
    assert result.break_count == 1  # the rows after it still follow it


def test_a_column_changed_behind_the_applications_back_is_detected(officer, person):
    events = write_rows(officer, person)
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE iom_auditevent SET username = 'someone_else' WHERE id = %s", [events[1].pk])
    assert "do not match its hash" in assert_broken_at(events[1].pk, BreakKind.CHANGED).first_break.message


def test_a_deleted_row_is_detected_at_the_row_after_the_gap(officer, person):
    events = write_rows(officer, person)
    with behind_the_applications_back() as cursor:
        cursor.execute("DELETE FROM iom_auditevent WHERE id = %s", [events[2].pk])
    message = assert_broken_at(events[3].pk, BreakKind.MISSING).first_break.message
    assert f"between row {events[1].pk} and row {events[3].pk}" in message


def test_the_first_rows_deleted_are_detected(officer, person):
    events = write_rows(officer, person)
    with behind_the_applications_back() as cursor:
        cursor.execute("DELETE FROM iom_auditevent WHERE id <= %s", [events[1].pk])
    assert "the start of the log" in assert_broken_at(events[2].pk, BreakKind.MISSING).first_break.message


def test_two_rows_reordered_are_detected_at_the_first_of_them(officer, person):
    events = write_rows(officer, person)
    first, second = events[1].pk, events[3].pk
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE iom_auditevent SET id = %s WHERE id = %s", [-1, first])
        cursor.execute("UPDATE iom_auditevent SET id = %s WHERE id = %s", [first, second])
        cursor.execute("UPDATE iom_auditevent SET id = %s WHERE id = %s", [second, -1])
    result = assert_broken_at(first, BreakKind.OUT_OF_ORDER)
    assert "comes after it" in result.first_break.message
    assert {item.event_id for item in result.breaks} >= {first, second}


def test_two_rows_with_their_contents_swapped_are_detected(officer, person):
    events = write_rows(officer, person)
    columns = [f.column for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    a, b = events[0].pk, events[4].pk
    assignments = ", ".join(f"{column} = other.{column}" for column in columns)
    with behind_the_applications_back() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE swap AS SELECT * FROM iom_auditevent WHERE id IN (%s, %s)", [a, b])
        cursor.execute(
            f"UPDATE {TABLE} SET {assignments} FROM swap AS other "  # noqa: S608 (column names only)
            "WHERE other.id = (CASE WHEN iom_auditevent.id = %s THEN %s ELSE %s END) AND iom_auditevent.id IN (%s, %s)",
            [a, b, a, a, b],
        )
        cursor.execute("DROP TABLE swap")
    assert AuditEvent.objects.get(pk=a).details == {"n": 4}
    assert_broken_at(a, BreakKind.OUT_OF_ORDER)


def test_a_forged_row_is_detected(officer, person):
    events = write_rows(officer, person, 3)
    with behind_the_applications_back() as cursor:
        cursor.execute(
            "INSERT INTO iom_auditevent (occurred_at, user_id, username, action, outcome, object_type, object_id, "
            "person_id, changes, details, request_id, justification, values_digest, previous_hash, row_hash) "
            "VALUES (%s, %s, %s, 'view', 'done', '', '', %s, '{}', '{}', '', '', %s, %s, %s)",
            [now(), officer.pk, "officer", person.pk, "a" * 64, events[-1].row_hash, "b" * 64],
        )
    forged_id = AuditEvent.objects.order_by("pk").last().pk
    assert_broken_at(forged_id, BreakKind.CHANGED)
    # Later rows chain on from it; the break stays the forged row.
    write_rows(officer, person, 1)
    assert verify().break_count == 1


def test_a_fork_is_detected(officer, person):
    """A writer that skipped the lock continues from a head another row already follows."""
    events = write_rows(officer, person, 3)
    fork = audit_chain.chained(
        [audit_values(user=officer, action=AuditAction.VIEW, person_id=person.pk)],
        previous=events[1].row_hash,
        now=timezone.now(),
    )
    AuditEvent.objects.bulk_create([AuditEvent(**fork[0])])
    forked_id = AuditEvent.objects.order_by("pk").last().pk
    message = assert_broken_at(forked_id, BreakKind.FORKED).first_break.message
    assert f"rows {events[2].pk} and {forked_id} both follow it" in message


def test_rows_cut_from_the_end_show_against_a_recorded_anchor(officer, person):
    events = write_rows(officer, person)
    anchor = (events[-1].pk, events[-1].row_hash)
    with behind_the_applications_back() as cursor:
        cursor.execute("DELETE FROM iom_auditevent WHERE id >= %s", [events[3].pk])
    assert verify().ok  # a shorter chain is still a chain
    result = verify(anchor=anchor)
    assert (result.first_break.event_id, result.first_break.kind) == (events[-1].pk, BreakKind.MISSING)
    with pytest.raises(CommandError, match=f"row {events[-1].pk}"):
        call_command("verify_audit", anchor=f"{anchor[0]}:{anchor[1]}")
    with pytest.raises(CommandError, match="ID:HASH"):
        call_command("verify_audit", anchor="not-an-anchor")


def test_the_check_reads_in_batches(officer, person, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(audit_chain, "BATCH_SIZE", 2)
    write_rows(officer, person, 5)
    with django_assert_max_num_queries(3):  # three batches of at most two rows
        assert verify().checked == 5


# --- Redaction ------------------------------------------------------------------------------------------------------


def erase_audited(officer, person) -> int:
    """What erasure does to the log: its own *erase* row about the person, and the redaction."""
    audit_record(user=officer, action=AuditAction.ERASE, obj=person)
    return redact_events_about(person.pk)


def test_redaction_blanks_the_values_keeps_the_rest_and_the_chain_verifies(officer, person, norwich):
    other = factories.CaseFactory(team=norwich).person
    audit_record(user=officer, action=AuditAction.CHANGE, obj=person, changes={"last_name": ["A", "B"]})
    audit_record(user=officer, action=AuditAction.VIEW, obj=other, details={"kept": True})
    audit_record(user=officer, action=AuditAction.VIEW, obj=person, justification="A reason naming them")
    assert erase_audited(officer, person) == 3
    rows = AuditEvent.objects.filter(person_id=person.pk)
    assert all(row.redacted_at is not None for row in rows)
    assert [(row.changes, row.details, row.justification) for row in rows] == [({}, {}, "")] * 3
    assert sorted(rows.values_list("action", "username")) == [
        ("change", "officer"),
        ("erase", "officer"),
        ("view", "officer"),
    ]
    assert AuditEvent.objects.get(person_id=other.pk).details == {"kept": True}
    assert redact_events_about(person.pk) == 0  # again: nothing left to redact
    result = verify()
    assert (result.ok, result.redacted) == (True, 3)
    assert "(3 redacted)" in verify_command()


def test_a_redaction_without_a_recorded_erasure_is_reported(officer, person):
    write_rows(officer, person, 2)
    redact_events_about(person.pk)
    first = AuditEvent.objects.order_by("pk").first()
    assert "erasure is not recorded" in assert_broken_at(first.pk, BreakKind.REDACTION).first_break.message


def test_values_written_back_after_a_redaction_are_detected(officer, person):
    events = write_rows(officer, person, 2)
    erase_audited(officer, person)
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE iom_auditevent SET justification = 'put back' WHERE id = %s", [events[0].pk])
    assert_broken_at(events[0].pk, BreakKind.CHANGED)


def _other_value(field, value):
    if field.primary_key:
        return value + 1000
    if field.get_internal_type() == "DateTimeField":
        return connection.ops.adapt_datetimefield_value((value or timezone.now()) - datetime.timedelta(days=1))
    if field.get_internal_type() == "GenericIPAddressField":
        return "10.9.9.9"
    if field.get_internal_type() in ("ForeignKey", "BigAutoField", "BigIntegerField"):
        return (value or 0) + 1
    return (f"{value}x")[-field.max_length :] if field.max_length else f"{value}x"


REDACTION = "UPDATE iom_auditevent SET changes = '{}', details = '{}', justification = '', redacted_at = %s"


def _redaction_sql(extra: str = "") -> str:
    return REDACTION + extra + " WHERE id = %s"


def test_the_database_allows_the_redaction_and_refuses_every_other_change(officer, person):
    """Raw SQL with the guards on: a redaction goes through; a redaction that also changes any other column,
    a second redaction, a redaction leaving values, and any DELETE are refused."""
    event = audit_record(
        user=officer, action=AuditAction.CHANGE, obj=person, changes={"x": [1, 2]}, details={"y": 1}, justification="z"
    )
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    for field in AuditEvent._meta.concrete_fields:
        if field.name in REDACTED:
            continue
        other = _other_value(field, row[field.attname])
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(_redaction_sql(f", {field.column} = %s"), [now(), other, event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE iom_auditevent SET details = '{}', redacted_at = %s WHERE id = %s", [now(), event.pk]
        )  # the details blanked but not the rest: not a redaction
    with connection.cursor() as cursor:
        cursor.execute(_redaction_sql(), [now(), event.pk])
    for statement, params in (
        (_redaction_sql(), [now(), event.pk]),  # redacted already: redacted_at cannot move
        ("DELETE FROM iom_auditevent WHERE id = %s", [event.pk]),
        ("UPDATE iom_auditevent SET action = 'delete'", []),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    assert AuditEvent.objects.filter(pk=event.pk).values().get() == {
        **row,
        "changes": {},
        "details": {},
        "justification": "",
        "redacted_at": AuditEvent.objects.get(pk=event.pk).redacted_at,
    }


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database(officer, person):
    """The test suite's flush (and ``manage.py flush``) empties the audit table too, and leaves its guards on."""
    write_rows(officer, person, 2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    event = write_rows(factories.UserFactory(), factories.PersonFactory(), 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM iom_auditevent WHERE id = %s", [event.pk])


# --- The migration's backfill ---------------------------------------------------------------------------------------


class _Editor:
    """What the migration's function asks of a schema editor."""

    def __init__(self):
        self.connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_migration_hashes_the_rows_written_before_it(officer, person):
    migration = import_module("iom.migrations.0008_audit_chain")
    write_rows(officer, person, 4)
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE iom_auditevent SET values_digest = %s, previous_hash = %s, row_hash = %s", ["x"] * 3)
    assert verify().first_break.kind == BreakKind.CHANGED
    with behind_the_applications_back():
        migration.hash_existing_rows(apps, _Editor())
    assert verify().ok
    if POSTGRESQL:  # the function dropped the old trigger; put the new one back for the rest of the test
        migration.create_guards(apps, _Editor())


# --- The nightly check -------------------------------------------------------------------------------------------


def test_the_nightly_check_alerts_active_administrators_once_and_records_the_break(officer, person, admin_user):
    inactive = factories.UserFactory(role=Role.ADMINISTRATOR, is_active=False)
    assert verify_audit_chain() == 0
    assert not Notification.objects.exists()
    events = write_rows(officer, person, 3)
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE iom_auditevent SET object_id = '999' WHERE id = %s", [events[1].pk])
    head = AuditEvent.objects.order_by("pk").last()

    assert verify_audit_chain() == 1

    notification = Notification.objects.get()
    assert notification.user == admin_user
    assert notification.kind == "audit_chain_broken"
    assert f"Audit row {events[1].pk}" in notification.body
    record = AuditEvent.objects.get(action=AuditAction.AUDIT_CHAIN_BROKEN)
    assert (record.object_type, record.object_id, record.user_id) == ("auditevent", str(events[1].pk), None)
    assert record.details["kind"] == "changed"
    assert record.previous_hash == head.row_hash  # chained after the break
    assert verify().break_count == 1  # and itself valid

    assert verify_audit_chain() == 1  # the next night: known, not announced or recorded again
    assert Notification.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_CHAIN_BROKEN).count() == 1
    assert not Notification.objects.filter(user=inactive).exists()


def test_the_nightly_check_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["verify-audit-chain"]
    assert entry["task"] == "iom.tasks.verify_audit_chain"


# --- The key ---------------------------------------------------------------------------------------------------


def test_the_key_is_the_setting_and_another_key_fails_every_row(officer, person, settings):
    write_rows(officer, person, 2)
    assert verify().ok
    settings.AUDIT_CHAIN_KEY = "another-key-that-the-rows-were-not-hashed-with"
    result = verify()
    assert result.break_count == 2
    assert {item.kind for item in result.breaks} == {BreakKind.CHANGED}


def test_production_refuses_to_start_without_an_audit_chain_key():
    env = {key: value for key, value in os.environ.items() if key != "AUDIT_CHAIN_KEY"}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-deploy-check-0123456789",
            "ALLOWED_HOSTS": "iom.example.org",
        }
    )
    for key in (None, "too-short"):
        if key is not None:
            env["AUDIT_CHAIN_KEY"] = key
        result = subprocess.run(
            [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode != 0
        assert "AUDIT_CHAIN_KEY" in result.stderr


# --- Concurrent writers (PostgreSQL) -------------------------------------------------------------------------------


@only_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(officer, person):
    writers, each = 4, 15
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait()
            for index in range(each):
                with transaction.atomic():
                    audit_record(user=officer, action=AuditAction.VIEW, obj=person, details={"w": number, "i": index})
                    if index % 3 == 0:  # hold the lock a while, so the others queue behind it
                        audit_record(user=officer, action=AuditAction.LIST, details={"w": number, "i": index})
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    result = verify()
    assert result.ok, result.breaks
    assert result.checked == AuditEvent.objects.count() == writers * (each + 5)
