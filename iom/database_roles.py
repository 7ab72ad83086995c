"""The PostgreSQL privileges of the application's database role: the one source of them.

Production runs migrations as the owner of the tables and the service as another role (docs/deployment.md,
"Database roles"). That role reads and writes every table, except that on the audit table it may only insert,
read and redact (the columns erasure blanks): no UPDATE of any other column, no DELETE, no TRUNCATE. Not owning
the table, it cannot disable the table's trigger; not a superuser, it cannot set ``session_replication_role``
to get round it. ``manage.py grant_app_role`` prints or applies these statements; docker-compose.yml applies them
after every migration, and tests/iom/test_database_roles.py applies them and tries each refusal.
"""

import re

from django.db import connection

from iom.models import AuditEvent

SCHEMA = "public"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# The columns erasure may blank (iom.audit.redact_events_about); the trigger checks how.
REDACTABLE = ("changes", "details", "justification", "redacted_at")


def _identifier(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise ValueError(f"{name!r} is not a role name: use lower-case letters, digits and underscores.")
    return connection.ops.quote_name(name)


def app_role_grants(role: str) -> list[str]:
    """The statements that give ``role`` the application's privileges; safe to apply again after a migration."""
    quoted, schema = _identifier(role), connection.ops.quote_name(SCHEMA)
    audit = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = [field.column for field in AuditEvent._meta.concrete_fields if field.name in REDACTABLE]
    redactable = ", ".join(connection.ops.quote_name(column) for column in columns)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
        # The audit table: insert and read only, and the redaction. (Revoking UPDATE also revokes the column
        # grants, so the redaction columns are granted again after it.)
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {quoted}",
        f"GRANT UPDATE ({redactable}) ON {audit} TO {quoted}",
        # Tables a later migration creates (as the role running this) are the application's too; the next run
        # of this command after a migration covers the audit table's exceptions.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ]


def app_role_problems(role: str) -> list[str]:
    """Why ``role`` could get round the audit table's guards anyway: it is a superuser, or it owns the table."""
    _identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            return [f"There is no role {role}: create it first (docs/deployment.md)."]
        cursor.execute(
            "SELECT pg_has_role(%s, tableowner, 'MEMBER') FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            [role, SCHEMA, AuditEvent._meta.db_table],
        )
        owner = cursor.fetchone()
    problems = []
    if found[0]:
        problems.append(f"{role} is a superuser: it could switch the audit table's trigger off.")
    if owner is not None and owner[0]:
        problems.append(f"{role} owns the audit table (or is a member of its owner): it could alter or disable it.")
    return problems


def app_role_grant(role: str) -> None:
    """Apply :func:`app_role_grants` to ``role`` on this database."""
    with connection.cursor() as cursor:
        for statement in app_role_grants(role):
            cursor.execute(statement)
