"""``manage.py flush``, as Django's, but able to empty the audit table on SQLite.

Flushing empties every table on purpose (the test suite does it after each test that commits). On PostgreSQL it
is a TRUNCATE, which the audit table's row trigger does not see and only the tables' owner may run. On SQLite
it is a DELETE per table, which the audit table's trigger refuses (migration 0008): there the triggers are
lifted for the flush and put back in the same transaction.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from iom.models import AuditEvent


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEvent._meta.db_table],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            super().handle(**options)
            for _name, sql in triggers:
                cursor.execute(sql)
