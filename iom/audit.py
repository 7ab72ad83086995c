"""Writing the s.62 audit log: one function every app calls, in the same transaction as the change.

Reads are audited too (a *view* per person/case detail, a *list* per search
with its query), because s.62 covers consultation as well as alteration.

Every row is added to the log's hash chain as it is written (iom/audit_chain.py): :func:`audit_record` writes
one, :func:`audit_record_rows` many, and nothing else may write one.
"""

import datetime
import decimal
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from iom import audit_chain, request_context
from iom.models import AuditAction, AuditEvent, AuditOutcome, Person, User

_SECRET_FIELDS = {"password", "key", "token", "secret"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(item) for item in value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return value


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value differs; secrets are never recorded."""
    changes: dict[str, list[Any]] = {}
    for name, new in after.items():
        if name in _SECRET_FIELDS:
            continue
        old = _jsonable(before.get(name))
        new = _jsonable(new)
        if old != new:
            changes[name] = [old, new]
    return changes


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``obj`` (foreign keys as ids), for :func:`field_changes`."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        elif isinstance(field, models.Field) and field.is_relation:  # a foreign key: its id, not the object
            values[name] = getattr(obj, field.attname)
        else:
            values[name] = getattr(obj, name)
    return values


def audit_values(
    *,
    user: User | None,
    action: AuditAction | str,
    object_type: str = "",
    object_id: str = "",
    person_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    outcome: AuditOutcome | str = AuditOutcome.DONE,
    justification: str = "",
    username: str = "",
) -> dict[str, Any]:
    """The field values of one audit row; :func:`audit_record` saves one, :func:`audit_record_rows` many."""
    context = request_context.current()
    real_user = user if user is not None and getattr(user, "is_authenticated", False) else None
    return {
        "user_id": real_user.pk if real_user is not None else None,
        "username": (real_user.get_username() if real_user is not None else username)[:150],
        "action": str(action),
        "outcome": str(outcome),
        "object_type": object_type,
        "object_id": object_id,
        "person_id": person_id,
        "changes": _jsonable(dict(changes or {})),
        "details": {key: _jsonable(value) for key, value in (details or {}).items()},
        "request_id": context.request_id,
        "ip_address": context.ip_address,
        "justification": justification,
    }


def audit_record(
    *,
    user: User | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    person: Person | int | None = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    outcome: AuditOutcome | str = AuditOutcome.DONE,
    justification: str = "",
    username: str = "",
) -> AuditEvent:
    person_id = person.pk if isinstance(person, Person) else person
    if person_id is None and isinstance(obj, Person):
        person_id = obj.pk
    values = audit_values(
        user=user,
        action=action,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        person_id=person_id,
        changes=changes,
        details=details,
        outcome=outcome,
        justification=justification,
        username=username,
    )
    return audit_chain.append([values])[0]


def audit_record_rows(rows: Sequence[Mapping[str, Any]], *, insert: audit_chain.RowInserter | None = None) -> None:
    """Save many rows made by :func:`audit_values` (a list's disclosures, an import's changes), chained in the
    order given. ``insert`` is a faster writer for very many rows (the imports' COPY)."""
    audit_chain.append(rows, insert=insert)


def redact_events_about(person_id: int) -> int:
    """Erasure: blank the changes, details and justification of every audit row about the person and mark them
    redacted. Returns how many rows were redacted (rows already redacted are left alone).

    The rows keep who did what to which object, and when, and stay verifiable: their values' digest is kept.
    Call it in the transaction that erases the person and writes the *erase* audit row about them (``person``
    set): ``manage.py verify_audit`` reports a redacted row whose person has no such row.
    """
    with transaction.atomic(savepoint=False):
        return AuditEvent.objects.filter(person_id=person_id).redact(at=timezone.now())


def audit_refused_request(*, user: User, method: str, path: str, rule: str) -> None:
    """A write a rule refused before it reached a service (pages and API alike): who tried what, and where."""
    audit_record(
        user=user,
        action=AuditAction.CREATE if method == "POST" else AuditAction.CHANGE,
        outcome=AuditOutcome.REFUSED,
        details={"attempted": f"{method} {path[:200]}", "rule": rule},
    )
