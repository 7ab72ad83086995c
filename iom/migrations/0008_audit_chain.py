"""The audit log's hash chain (iom/audit_chain.py): hash the rows written so far, and guard the table anew.

- Existing rows are hashed in id order with the current ``AUDIT_CHAIN_KEY`` (production sets it before this
  runs: docs/deployment.md).
- A row without a hash is refused (check constraint).
- PostgreSQL: ``iom_auditevent_chain_head()`` takes the chain's write lock until commit and returns the last
  row's hash; the trigger of 0002 is replaced by one that refuses DELETE and every UPDATE except a redaction
  (``changes``, ``details`` and ``justification`` emptied and ``redacted_at`` set from empty, nothing else).
- SQLite: the same refusals as triggers. A later migration that rebuilds this table on SQLite drops them and
  must create them again (tests/iom/test_audit_chain.py fails if they are gone).
"""

import django.utils.timezone
from django.db import migrations, models

# The chain's own functions: a row hashed here must verify exactly as one the service writes.
from iom.audit_chain import BATCH_SIZE, GENESIS, HASHED_COLUMNS, VALUE_COLUMNS, row_hash, values_digest

# pg_advisory_xact_lock's key for the chain: b"iomaudit" read as a big-endian 64-bit integer.
CHAIN_LOCK = int.from_bytes(b"iomaudit", "big")
REDACTED = ("changes", "details", "justification", "redacted_at")

OLD_POSTGRESQL_GUARD = """
CREATE OR REPLACE FUNCTION iom_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'iom_auditevent is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER iom_auditevent_append_only
    BEFORE UPDATE OR DELETE ON iom_auditevent
    FOR EACH ROW EXECUTE FUNCTION iom_auditevent_append_only();
"""
DROP_POSTGRESQL_GUARD = """
DROP TRIGGER IF EXISTS iom_auditevent_append_only ON iom_auditevent;
DROP FUNCTION IF EXISTS iom_auditevent_append_only();
"""
POSTGRESQL_GUARD = f"""
CREATE OR REPLACE FUNCTION iom_auditevent_chain_head() RETURNS varchar AS $$
DECLARE
    head varchar;
BEGIN
    -- Held until the transaction ends; the SELECT below, a new statement, then sees every chained row committed.
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
    SELECT row_hash INTO head FROM iom_auditevent ORDER BY id DESC LIMIT 1;
    RETURN head;
END;
$$ LANGUAGE plpgsql VOLATILE;
CREATE OR REPLACE FUNCTION iom_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
        AND NEW.changes = '{{}}'::jsonb AND NEW.details = '{{}}'::jsonb AND NEW.justification = ''
        AND to_jsonb(NEW) - ARRAY['changes', 'details', 'justification', 'redacted_at']
            = to_jsonb(OLD) - ARRAY['changes', 'details', 'justification', 'redacted_at']
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'iom_auditevent is append-only: % refused (only the redaction of its values is allowed)',
        TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER iom_auditevent_append_only
    BEFORE UPDATE OR DELETE ON iom_auditevent
    FOR EACH ROW EXECUTE FUNCTION iom_auditevent_append_only();
"""
DROP_NEW_POSTGRESQL_GUARD = DROP_POSTGRESQL_GUARD + "DROP FUNCTION IF EXISTS iom_auditevent_chain_head();\n"

SQLITE_NO_DELETE = """
CREATE TRIGGER iom_auditevent_no_delete BEFORE DELETE ON iom_auditevent
BEGIN
    SELECT RAISE(ABORT, 'iom_auditevent is append-only: DELETE refused');
END
"""
SQLITE_ONLY_REDACTION = """
CREATE TRIGGER iom_auditevent_only_redaction BEFORE UPDATE ON iom_auditevent
WHEN NOT (
    OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
    AND NEW.changes = '{{}}' AND NEW.details = '{{}}' AND NEW.justification = ''
    AND {unchanged}
)
BEGIN
    SELECT RAISE(ABORT, 'iom_auditevent is append-only: UPDATE refused (only the redaction of its values is allowed)');
END
"""
DROP_SQLITE_GUARD = (
    "DROP TRIGGER IF EXISTS iom_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS iom_auditevent_only_redaction",
)


def hash_existing_rows(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(DROP_POSTGRESQL_GUARD, params=None)
    AuditEvent = apps.get_model("iom", "AuditEvent")
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    update = f"UPDATE {table} SET values_digest = %s, previous_hash = %s, row_hash = %s WHERE id = %s"  # noqa: S608
    previous, last = GENESIS, 0
    while True:
        batch = list(
            AuditEvent._default_manager.using(connection.alias)
            .filter(pk__gt=last)
            .order_by("pk")
            .values("pk", *HASHED_COLUMNS, *VALUE_COLUMNS)[:BATCH_SIZE]
        )
        params = []
        for row in batch:
            row["values_digest"] = values_digest(row)
            row["previous_hash"] = previous
            previous = row_hash(row)
            params.append((row["values_digest"], row["previous_hash"], previous, row["pk"]))
        with connection.cursor() as cursor:
            cursor.executemany(update, params)
        if len(batch) < BATCH_SIZE:
            return
        last = batch[-1]["pk"]


def unhash_rows(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name(apps.get_model("iom", "AuditEvent")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET values_digest = '', previous_hash = '', row_hash = ''")  # noqa: S608
    if connection.vendor == "postgresql":
        schema_editor.execute(OLD_POSTGRESQL_GUARD, params=None)


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_GUARD, params=None)
    elif vendor == "sqlite":
        columns = [
            field.column
            for field in apps.get_model("iom", "AuditEvent")._meta.concrete_fields
            if field.name not in REDACTED
        ]
        unchanged = " AND ".join(f'NEW."{column}" IS OLD."{column}"' for column in columns)
        schema_editor.execute(SQLITE_NO_DELETE, params=None)
        schema_editor.execute(SQLITE_ONLY_REDACTION.format(unchanged=unchanged), params=None)


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(DROP_NEW_POSTGRESQL_GUARD, params=None)
    elif vendor == "sqlite":
        for statement in DROP_SQLITE_GUARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("iom", "0007_requests_and_audit_actions")]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"base_manager_name": "objects", "ordering": ["-occurred_at", "-pk"]},
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="occurred_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(hash_existing_rows, unhash_rows, elidable=False),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(condition=~models.Q(row_hash=""), name="auditevent_chained"),
        ),
        migrations.RunPython(create_guards, drop_guards, elidable=False),
    ]
