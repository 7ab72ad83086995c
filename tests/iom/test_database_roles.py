"""The application's PostgreSQL role (iom/database_roles.py, docs/deployment.md "Database roles"): with the grants
applied it does its ordinary work, writes and redacts audit rows, and is refused every way round the audit
table's guards: UPDATE of other columns, DELETE, TRUNCATE, disabling the trigger, ``session_replication_role``.

The role is created inside the test's transaction (PostgreSQL's CREATE ROLE is transactional), so it is gone
afterwards, and the test connection switches to it with SET ROLE, which checks privileges exactly as a
connection made as the role would.
"""

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from iom import services
from iom.audit import audit_record, redact_events_about
from iom.audit_chain import verify
from iom.database_roles import app_role_grant, app_role_grants, app_role_problems
from iom.models import AuditAction, AuditEvent
from tests.iom import factories

pytestmark = pytest.mark.django_db
only_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
TABLE = "iom_auditevent"


@pytest.fixture
def app_role():
    """A fresh application role with the grants applied (as the test database's owner)."""
    role = f"iom_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    app_role_grant(role)
    return role


@pytest.fixture
def as_app_role(app_role):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {app_role}")
    yield app_role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(statement: str, params: list | None = None) -> str:
    """The error PostgreSQL gives ``statement``; it must give one."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(raised.value)


@only_postgresql
def test_the_app_role_does_its_work_and_cannot_get_round_the_audit_tables_guards(officer, person, as_app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == as_app_role

    # Ordinary work: reads, writes and updates elsewhere, audit rows chained, a redaction.
    services.person_update(acting_user=officer, person=person, version=person.version, last_name="Renamed")
    event = audit_record(user=officer, action=AuditAction.VIEW, obj=person, justification="Named in a call")
    factories.NoteFactory(case=factories.CaseFactory(person=person), author=officer)
    assert AuditEvent.objects.filter(person_id=person.pk).count() == 2
    audit_record(user=officer, action=AuditAction.ERASE, obj=person)
    assert redact_events_about(person.pk) == 3
    assert verify().ok

    # The ways round the guards, each refused by the database.
    assert "permission denied" in refused("UPDATE iom_auditevent SET username = 'x' WHERE id = %s", [event.pk])
    assert "permission denied" in refused("UPDATE iom_auditevent SET row_hash = 'x' WHERE id = %s", [event.pk])
    assert "permission denied" in refused("DELETE FROM iom_auditevent WHERE id = %s", [event.pk])
    assert "permission denied" in refused("TRUNCATE iom_auditevent")
    assert "must be owner" in refused("ALTER TABLE iom_auditevent DISABLE TRIGGER USER")
    assert "must be owner" in refused("DROP TRIGGER iom_auditevent_append_only ON iom_auditevent")
    assert "permission denied" in refused("SET session_replication_role = replica")
    # The redaction columns it may update are still under the trigger: only a redaction gets through.
    assert "append-only" in refused("UPDATE iom_auditevent SET justification = 'rewritten' WHERE id = %s", [event.pk])
    assert verify().ok


@only_postgresql
def test_grants_can_be_applied_again_after_a_migration(app_role):
    app_role_grant(app_role)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = %s ORDER BY privilege_type",
            [app_role, TABLE],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]
        cursor.execute(
            "SELECT column_name FROM information_schema.column_privileges "
            "WHERE grantee = %s AND table_name = %s AND privilege_type = 'UPDATE' ORDER BY column_name",
            [app_role, TABLE],
        )
        assert [row[0] for row in cursor.fetchall()] == ["changes", "details", "justification", "redacted_at"]


@only_postgresql
def test_a_role_that_could_get_round_the_guards_is_refused(app_role):
    assert app_role_problems(app_role) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]  # the tests connect as a superuser that owns the tables
    assert any("superuser" in problem for problem in app_role_problems(owner))
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} OWNER TO {app_role}")
    assert any("owns the audit table" in problem for problem in app_role_problems(app_role))
    with pytest.raises(CommandError, match="owns the audit table"):
        call_command("grant_app_role", app_role, apply=True)
    assert "no role" in app_role_problems("iom_no_such_role")[0]


def test_the_grant_command_prints_the_statements_and_checks_the_name():
    out = StringIO()
    call_command("grant_app_role", "iom_app", stdout=out)
    assert out.getvalue() == ";\n".join(app_role_grants("iom_app")) + ";\n"
    assert 'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "iom_auditevent" FROM "iom_app"' in out.getvalue()
    with pytest.raises(CommandError, match="not a role name"):
        call_command("grant_app_role", "iom_app; DROP TABLE x")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal of SQLite")
def test_applying_grants_needs_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_app_role", "iom_app", apply=True)
