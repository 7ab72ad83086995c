"""Audited writes: a record's old and new values go into its audit row, in the same transaction as the write.

Every change service does the same three steps: read the fields it is about to write, write them, then record
the difference (s.62). They are written once, here. :func:`update_audited` is the usual case, an edit under
the optimistic lock (iom/locking.py). :func:`audited_change` is for a write the lock does not cover, such as a
membership's exit, which is guarded on its own column. :func:`create_audited` is the same for a new record:
save it, then record what it was created with.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction

from iom.audit import audit_record, field_changes, snapshot
from iom.locking import update_with_version
from iom.models import AuditAction, Person, User


def create_audited(
    *,
    acting_user: User,
    instance: models.Model,
    fields: Iterable[str] = (),
    person: Person | int | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Save the new ``instance`` and write its *create* row in the same transaction.

    The row records the saved values of ``fields`` (leave them out for content the log must not hold, such as
    a note's text, and name the record in ``details`` instead). A save that raises writes nothing and is not
    audited.
    """
    with transaction.atomic():
        instance.save(force_insert=True)
        audit_record(
            user=acting_user,
            action=AuditAction.CREATE,
            obj=instance,
            person=person,
            changes=field_changes({}, snapshot(instance, fields)),
            details=details,
        )


@contextmanager
def audited_change(
    *,
    acting_user: User,
    instance: models.Model,
    fields: Iterable[str],
    person: Person | int | None = None,
    details: Mapping[str, Any] | None = None,
    justification: str = "",
) -> Iterator[None]:
    """Audit what the ``with`` block changes on ``instance``: ``fields`` are read before and after the block,
    and one *change* row records the fields that differ (with ``justification``, the reason given, if any).

    The block and the audit row share one transaction, so a block that raises writes nothing and is not
    audited. The block must leave ``instance`` holding what it wrote (refresh it after a queryset update).
    """
    fields = list(fields)
    with transaction.atomic():
        before = snapshot(instance, fields)
        yield
        audit_record(
            user=acting_user,
            action=AuditAction.CHANGE,
            obj=instance,
            person=person,
            changes=field_changes(before, snapshot(instance, fields)),
            details=details,
            justification=justification,
        )


def update_audited(
    *,
    acting_user: User,
    instance: models.Model,
    version: int,
    values: Mapping[str, Any],
    person: Person | int | None = None,
    details: Mapping[str, Any] | None = None,
    justification: str = "",
) -> None:
    """Write ``values`` to ``instance`` if it is still at ``version``, and audit its old and new values (and the
    ``justification`` given for the change: a correction's reason).

    A stale ``version`` raises ConflictError (iom/locking.py) and nothing is written or audited. Many-to-many
    fields in ``values`` (a person's flags) are set after the locked write and audited with the rest, since the
    lock's single ``UPDATE`` cannot write them. On success ``instance`` holds the new values and version.
    """
    opts = instance._meta
    columns = {name: value for name, value in values.items() if not opts.get_field(name).many_to_many}
    related = {name: value for name, value in values.items() if opts.get_field(name).many_to_many}
    with audited_change(
        acting_user=acting_user,
        instance=instance,
        fields=values,
        person=person,
        details=details,
        justification=justification,
    ):
        update_with_version(instance=instance, version=version, values=columns)
        for name, objects in related.items():
            getattr(instance, name).set(objects)
