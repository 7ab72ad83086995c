"""Tamper evidence for the audit log: each row carries a keyed hash of itself and of the row before it.

Why: the log must show if anyone changes it (Data Protection Act 2018 s.62; OWASP ASVS 5.0 V16.4.2, "logs cannot
be modified"). The database trigger and the application's database role stop changes through the service; the
chain shows the changes made round them, by someone holding the table owner's rights.

- ``values_digest`` is an HMAC-SHA256 of the row's free values (``changes``, ``details``, ``justification``),
  so erasure can blank them (:func:`iom.audit.redact_events_about`) and the row still verifies.
- ``row_hash`` is an HMAC-SHA256 of every other column, ``values_digest`` and ``previous_hash``.
- ``previous_hash`` is the ``row_hash`` of the row before it; the first row follows :data:`GENESIS`.

There is one chain, in id order. Writers are serialised until their transaction commits: on PostgreSQL by the
advisory lock taken in ``iom_auditevent_chain_head()`` (migration 0008), which also returns the head of the
chain, so chaining costs one query per write; on SQLite by the database's single writer (the head is read in
the same transaction as the insert, so a second connection cannot continue from a head it saw before another
write). Ids are drawn while the lock is held, so walking by id is walking the chain.

The key is ``settings.AUDIT_CHAIN_KEY`` (docs/deployment.md, "The audit trail"). Without it (development and
tests only: production refuses to start) a key is derived from ``SECRET_KEY``.
"""

import datetime
import enum
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from iom.models import AuditAction, AuditEvent

GENESIS = "0" * 64
# The version of the serialisation below; a row hashed another way would carry another tag.
FORMAT = "iom-audit-v1"
HASHED_COLUMNS = (
    "occurred_at",
    "user_id",
    "username",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "person_id",
    "request_id",
    "ip_address",
)
VALUE_COLUMNS = ("changes", "details", "justification")
BATCH_SIZE = 2000
# Breaks beyond these are counted, not listed or looked into: a rewritten table must not make the check slow.
MAX_LISTED_BREAKS = 100
MAX_EXPLAINED_BREAKS = 20

RowInserter = Callable[[type[AuditEvent], Sequence[Mapping[str, Any]]], None]


def chain_key() -> bytes:
    """The HMAC key: ``AUDIT_CHAIN_KEY``, or one derived from ``SECRET_KEY`` where that is allowed (not production)."""
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"iom.audit_chain", hashlib.sha256).digest()


def _canonical_json(value: Any) -> Any:
    """``value`` as it reads back from either database: a float with no fraction comes back from PostgreSQL's
    jsonb as an integer, so it is hashed as one."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [_canonical_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _canonical_json(item) for key, item in value.items()}
    return value


def _dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def values_digest(row: Mapping[str, Any], *, key: bytes | None = None) -> str:
    """The keyed digest of a row's free values (the JSON is first read back as the database would return it)."""
    values = {
        "changes": row.get("changes") or {},
        "details": row.get("details") or {},
        "justification": row.get("justification") or "",
    }
    return _mac(key or chain_key(), _dumps([FORMAT, _canonical_json(json.loads(json.dumps(values)))]))


def _canonical_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _canonical_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:  # not an address the service would have stored: hashed as it is, so it fails to verify
        return str(value)


def row_hash(row: Mapping[str, Any], *, key: bytes | None = None) -> str:
    """The keyed hash of a row's columns, its ``values_digest`` and its ``previous_hash``."""
    user_id, person_id = row.get("user_id"), row.get("person_id")
    fields = [
        FORMAT,
        _canonical_time(row["occurred_at"]),
        None if user_id is None else int(user_id),
        row.get("username") or "",
        str(row["action"]),
        str(row.get("outcome") or ""),
        row.get("object_type") or "",
        str(row.get("object_id") or ""),
        None if person_id is None else int(person_id),
        row.get("request_id") or "",
        _canonical_ip(row.get("ip_address")),
        row["values_digest"],
        row["previous_hash"],
    ]
    return _mac(key or chain_key(), _dumps(fields))


def _head_while_locked() -> str:
    """Take the chain's write lock (held until commit) and return the ``row_hash`` of its last row."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT iom_auditevent_chain_head()")
            head = cursor.fetchone()[0]
    else:
        head = AuditEvent.objects.order_by("-pk").values_list("row_hash", flat=True).first()
    return head if head is not None else GENESIS


def chained(rows: Sequence[Mapping[str, Any]], *, previous: str, now: datetime.datetime) -> list[dict[str, Any]]:
    """``rows`` with their time, digest and hashes, each following the one before, the first following
    ``previous``."""
    key = chain_key()
    out = []
    for row in rows:
        full = {**row, "occurred_at": now}
        full["values_digest"] = values_digest(full, key=key)
        full["previous_hash"] = previous
        full["row_hash"] = previous = row_hash(full, key=key)
        out.append(full)
    return out


def append(rows: Sequence[Mapping[str, Any]], *, insert: RowInserter | None = None) -> list[AuditEvent]:
    """Save ``rows`` (from :func:`iom.audit.audit_values`) at the end of the chain, in the caller's transaction.

    ``insert`` writes many rows faster than the ORM (the imports' COPY); it must insert them in the order given.
    Returns the saved events, or nothing when ``insert`` wrote them.
    """
    if not rows:
        return []
    with transaction.atomic(savepoint=False):
        values = chained(rows, previous=_head_while_locked(), now=timezone.now())
        if insert is not None:
            insert(AuditEvent, values)
            return []
        events = [AuditEvent(**row) for row in values]
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)
        return events


# --- Verification ---------------------------------------------------------------------------------------------


class BreakKind(enum.StrEnum):
    CHANGED = "changed"
    UNHASHED = "unhashed"
    MISSING = "missing"
    OUT_OF_ORDER = "out_of_order"
    FORKED = "forked"
    REDACTION = "redaction"


@dataclass(frozen=True)
class Break:
    """One broken link: the row where the chain stops holding, and what is wrong there."""

    event_id: int
    kind: BreakKind
    message: str


@dataclass
class Verification:
    checked: int = 0
    redacted: int = 0
    break_count: int = 0
    breaks: list[Break] = field(default_factory=list)  # the first MAX_LISTED_BREAKS, in id order
    head_id: int | None = None
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return self.break_count == 0

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


_READ = ("pk", *HASHED_COLUMNS, *VALUE_COLUMNS, "values_digest", "previous_hash", "row_hash", "redacted_at")


def _rows() -> Iterator[dict[str, Any]]:
    """Every row in id order, a batch at a time (memory stays flat however long the log)."""
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk").values(*_READ)[:BATCH_SIZE])
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        last = batch[-1]["pk"]


def _content_break(row: dict[str, Any], key: bytes) -> Break | None:
    event_id = row["pk"]
    if not row["row_hash"] or not row["values_digest"] or not row["previous_hash"]:
        return Break(
            event_id, BreakKind.UNHASHED, f"Audit row {event_id} has no hash: it was not written by the service."
        )
    if row["redacted_at"] is not None:
        if row["changes"] or row["details"] or row["justification"]:
            return Break(
                event_id,
                BreakKind.CHANGED,
                f"Audit row {event_id} is marked redacted but holds values: they were written after the redaction.",
            )
    elif not hmac.compare_digest(values_digest(row, key=key), row["values_digest"]):
        return Break(
            event_id,
            BreakKind.CHANGED,
            f"Audit row {event_id} was changed: its changes, details or justification are not those it was "
            "written with.",
        )
    try:
        expected = row_hash(row, key=key)
    except (TypeError, ValueError, AttributeError):  # a column set to something the service never writes
        expected = ""
    if not hmac.compare_digest(expected, row["row_hash"]):
        return Break(
            event_id,
            BreakKind.CHANGED,
            f"Audit row {event_id} was changed, or was not written by the service: its columns do not match its hash.",
        )
    return None


def _link_break(row: dict[str, Any], previous_id: int | None, *, explain: bool) -> Break:
    """Why ``row`` does not follow the row before it (``previous_id``; None for the first row)."""
    event_id, wanted = row["pk"], row["previous_hash"]
    after = f"row {previous_id}" if previous_id is not None else "the start of the log"
    if not explain:
        return Break(event_id, BreakKind.MISSING, f"Audit row {event_id} does not follow {after}.")
    if wanted == GENESIS:
        predecessor = None
    else:
        predecessor = AuditEvent.objects.filter(row_hash=wanted).values_list("pk", flat=True).first()
        if predecessor is None:
            return Break(
                event_id,
                BreakKind.MISSING,
                f"Audit rows are missing between {after} and row {event_id}: the row it follows was deleted.",
            )
    if predecessor is not None and predecessor > event_id:
        return Break(
            event_id,
            BreakKind.OUT_OF_ORDER,
            f"Audit row {event_id} is out of order: it follows row {predecessor}, which comes after it.",
        )
    sibling = AuditEvent.objects.filter(previous_hash=wanted).exclude(pk=event_id).values_list("pk", flat=True).first()
    origin = f"row {predecessor}" if predecessor is not None else "the start of the log"
    if sibling is not None:
        return Break(
            event_id,
            BreakKind.FORKED,
            f"The audit chain forks at {origin}: rows {min(sibling, event_id)} and {max(sibling, event_id)} "
            "both follow it.",
        )
    return Break(
        event_id,
        BreakKind.OUT_OF_ORDER,
        f"Audit row {event_id} is out of order: it follows {origin}, not {after}.",
    )


def _erased_people(person_ids: set[int]) -> set[int]:
    """Of ``person_ids``, those whose erasure is itself recorded in the (verified) log."""
    found: set[int] = set()
    ids = sorted(person_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        found.update(
            AuditEvent.objects.filter(action=AuditAction.ERASE, person_id__in=ids[start : start + BATCH_SIZE])
            .values_list("person_id", flat=True)
            .distinct()
        )
    return found


def verify(*, anchor: tuple[int, str] | None = None) -> Verification:
    """Walk the whole chain in id order and report every broken link, the first first.

    A redacted row is checked without its values (their digest is kept and is still in the row's hash), and
    must be about a person whose erasure is recorded. ``anchor`` is a head recorded earlier (id, hash): rows
    removed from the end of the log leave an intact but shorter chain, which only such an outside record shows.
    """
    key = chain_key()
    result = Verification()
    breaks: list[Break] = []
    explained = 0
    previous_id: int | None = None
    previous_hash = GENESIS
    first_redacted: dict[int | None, int] = {}  # person id to the first redacted row about them

    def found(item: Break) -> None:
        result.break_count += 1
        if len(breaks) < MAX_LISTED_BREAKS:
            breaks.append(item)

    for row in _rows():
        result.checked += 1
        if row["redacted_at"] is not None:
            result.redacted += 1
            first_redacted.setdefault(row["person_id"], row["pk"])
        content = _content_break(row, key)
        if content is not None:
            found(content)
        elif row["previous_hash"] != previous_hash:
            explained += 1
            found(_link_break(row, previous_id, explain=explained <= MAX_EXPLAINED_BREAKS))
        previous_id, previous_hash = row["pk"], row["row_hash"]
    result.head_id, result.head_hash = previous_id, previous_hash

    erased = _erased_people({person for person in first_redacted if person is not None})
    for person_id, event_id in first_redacted.items():
        if person_id not in erased:
            about = f"person {person_id}" if person_id is not None else "no person"
            found(
                Break(
                    event_id,
                    BreakKind.REDACTION,
                    f"Audit row {event_id} was redacted, but it is about {about}, whose erasure is not recorded.",
                )
            )
    if anchor is not None:
        anchor_id, anchor_hash = anchor
        stored = AuditEvent.objects.filter(pk=anchor_id).values_list("row_hash", flat=True).first()
        if stored != anchor_hash:
            found(
                Break(
                    anchor_id,
                    BreakKind.MISSING if stored is None else BreakKind.CHANGED,
                    f"Audit row {anchor_id}, recorded earlier as the end of the chain, is "
                    + ("gone: rows were removed from the log." if stored is None else "not the row recorded."),
                )
            )
    result.breaks = sorted(breaks, key=lambda item: item.event_id)
    return result
