"""Make the audit table append-only in PostgreSQL itself, not just in the ORM.

Row-level UPDATE and DELETE raise. TRUNCATE is left to the table owner
(test database flushes need it); production roles are not the owner.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION iom_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'iom_auditevent is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER iom_auditevent_append_only
    BEFORE UPDATE OR DELETE ON iom_auditevent
    FOR EACH ROW EXECUTE FUNCTION iom_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS iom_auditevent_append_only ON iom_auditevent;
DROP FUNCTION IF EXISTS iom_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("iom", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
