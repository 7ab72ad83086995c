"""Writing many rows in a fixed number of statements, whatever the file's size.

``bulk_create`` splits a large list into batches (one INSERT each), so its query count grows with the rows. Here
new rows go in one ``executemany`` (SQLite; psycopg pipelines it) or one ``COPY`` (PostgreSQL), and changed rows
in one ``executemany`` UPDATE. Values are adapted once per column type, not through a model instance per row.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

Adapter = Callable[[Any], Any]


def _adapter(field: models.Field) -> Adapter:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_value(value, connection)
    return lambda value: value


def _prepared(model: type[models.Model], names: Sequence[str]) -> tuple[list[str], list[Adapter]]:
    columns, adapters = [], []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise ValueError(f"{model.__name__}.{name} is not a column: only concrete fields are written here.")
        columns.append(connection.ops.quote_name(field.column))
        adapters.append(_adapter(field))
    return columns, adapters


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (field name to value); every other concrete field takes its default, and
    ``auto_now``/``auto_now_add`` fields the current time. Runs inside the caller's transaction."""
    if not rows:
        return
    now = timezone.now()
    given = list(rows[0])
    defaults: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in given or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.name] = now
        else:
            defaults[field.name] = field.get_default()
    names = given + list(defaults)
    columns, adapters = _prepared(model, names)
    default_values = list(defaults.values())
    values = (
        [adapt(value) for adapt, value in zip(adapters, [*(row[name] for name in given), *default_values], strict=True)]
        for row in rows
    )
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: COPY is its API, not the DB-API's
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 (names only)
            # Django takes any iterable of rows here (its SQLite cursor peeks a generator); the stubs ask for a
            # Sequence, and a list would hold every row of a large file twice.
            cursor.executemany(sql, values)  # type: ignore[arg-type]


def update_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    touch: bool = True,
) -> int:
    """Set ``names`` on each ``(pk, values)``; every row gives a value for every name.

    ``updated_at`` (when the model has one) is set to now and ``version`` (when it has one) goes up by one, so an
    edit opened before the import is refused as stale instead of overwriting it; ``touch=False`` leaves both
    alone (a first pass that the real update follows in the same transaction).
    """
    rows = list(rows)
    if not rows:
        return 0
    field_names = {field.name for field in model._meta.concrete_fields}
    columns, adapters = _prepared(model, names)
    assignments = [f"{column} = %s" for column in columns]
    extra: list[Any] = []
    if touch and "updated_at" in field_names:
        assignments.append(f"{connection.ops.quote_name('updated_at')} = %s")
        extra.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    if touch and "version" in field_names:
        version = connection.ops.quote_name("version")
        assignments.append(f"{version} = {version} + 1")
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET {', '.join(assignments)} WHERE {pk} = %s"  # noqa: S608 (names only)
    params = [
        [adapt(values[name]) for adapt, name in zip(adapters, names, strict=True)] + extra + [key]
        for key, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(rows)
