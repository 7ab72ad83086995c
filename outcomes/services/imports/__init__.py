"""The one import service behind ``manage.py import_data``, the managers' upload page and ``POST /api/v1/imports/``.

A file is read and every row checked before anything is written; a file with any error writes nothing. A clean
file is written in one transaction with a fixed number of statements (see ``bulk``), so the same file imported
twice changes nothing the second time and a changed row is an audited update. Runs are recorded as
:class:`~outcomes.models.ImportRun` so the page and the API can show progress while a worker does the work.

A run survives its worker dying: the rows and the run's "imported" state are committed in one transaction, so
a worker killed before that commit has written nothing and one killed after it has finished the run. A run left
checking or saving with no sign of life for ``IMPORT_STALE_MINUTES`` is re-queued once by
:func:`import_runs_reap` and marked failed after a second death. Each take of a run has its own attempt number,
and only the current attempt may write, so a slow worker the reaper gave up on cannot write the file twice.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from iom import background
from iom.audit import audit_record_rows, audit_values
from iom.models import AuditAction, User
from outcomes.models import FINISHED_STATES, RUNNING_STATES, ImportKind, ImportRun, ImportState
from outcomes.selectors.imports import may_import
from outcomes.services.imports import cohorts, memberships, offences, people
from outcomes.services.imports.bulk import insert_rows, update_rows
from outcomes.services.imports.plan import ImportPlan
from outcomes.services.imports.reader import ImportErrors, decode, read_csv
from outcomes.services.reaping import stale_runs_reap

logger = logging.getLogger(__name__)

KINDS: dict[str, ModuleType] = {
    ImportKind.COHORTS: cohorts,
    ImportKind.PEOPLE: people,
    ImportKind.MEMBERSHIPS: memberships,
    ImportKind.OFFENCES: offences,
}
MAX_FILE_BYTES = 200 * 1024 * 1024
# What a browser or client may call a CSV file: CSV or plain text, the name Windows gives a .csv file when Excel is
# installed, or nothing in particular. Any other type (an image, a PDF, a workbook, a zip) is not a CSV file.
CSV_CONTENT_TYPES = frozenset(
    {
        "",
        "text/csv",
        "text/plain",
        "text/comma-separated-values",
        "text/x-csv",
        "application/csv",
        "application/x-csv",
        "application/vnd.ms-excel",
        "application/octet-stream",
    }
)
COMMAND_USERNAME = "import_data (command)"
Progress = Callable[[int, int], None]
MAX_ATTEMPTS = 2
ABANDONED = (
    "The import stopped twice before it finished (the worker running it was lost), so it was abandoned and "
    "nothing from this file was written. Upload the file again; if this happens again, contact the service desk."
)


class ImportSuperseded(Exception):
    """This take of a run is no longer the current one: the reaper re-queued the run while it was still going."""


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def ensure_may_import(*, user: User | None) -> None:
    """IOM managers import (people are personal data); ``None`` is the operator running the command."""
    if user is not None and not may_import(user):
        raise PermissionDenied("Only IOM managers import data.")


def import_csv(
    *,
    acting_user: User | None,
    kind: str,
    content: bytes,
    dry_run: bool = False,
    progress: Progress | None = None,
    run_id: int | None = None,
    attempt: int | None = None,
) -> ImportResult:
    """Check every row of ``content`` as a ``kind`` file, then (unless ``dry_run`` or any error) write it.

    For a run (``run_id``), the write also marks the run imported in the same transaction, and only while
    ``attempt`` is still the run's current one (otherwise :class:`ImportSuperseded`, and nothing is written)."""
    ensure_may_import(user=acting_user)
    module = KINDS.get(kind)
    if module is None:
        raise ValidationError({"kind": f"Choose one of: {', '.join(ImportKind.values)}."})
    errors = ImportErrors()
    result = ImportResult(kind=kind, dry_run=dry_run)
    csv = read_csv(content, module.COLUMNS, errors)
    if csv is not None:
        result.rows = len(csv.rows)
        csv.progress = progress
        if progress:
            progress(0, result.rows)
        plan = module.plan(csv)
        if progress:
            progress(result.rows, result.rows)
        if not errors:
            result.created, result.updated, result.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
            if not dry_run:
                if run_id is not None:
                    current = ImportRun.objects.filter(pk=run_id).exclude(state__in=FINISHED_STATES)
                    if attempt is not None:
                        current = current.filter(attempts=attempt)
                    current.update(state=ImportState.WRITING, heartbeat_at=timezone.now())
                _write(acting_user=acting_user, module=module, plan=plan, result=result, run_id=run_id, attempt=attempt)
    result.errors, result.error_count = errors.messages, errors.count
    return result


def _write(
    *,
    acting_user: User | None,
    module: ModuleType,
    plan: ImportPlan,
    result: ImportResult,
    run_id: int | None,
    attempt: int | None = None,
) -> None:
    model = module.MODEL
    object_type = model._meta.model_name
    username = "" if acting_user is not None else COMMAND_USERNAME
    details = {"import": run_id, "kind": result.kind}
    audit_rows = [
        audit_values(
            user=acting_user,
            action=AuditAction.CHANGE,
            object_type=object_type,
            object_id=str(change.pk),
            person_id=change.person_id,
            changes=change.changes,
            details=details,
            username=username,
        )
        for change in plan.updates
    ]
    # One summary row for what the file added: an offence file adds up to millions of records, and the
    # records themselves can be traced back to the import by their creation time and this row.
    audit_rows.append(
        audit_values(
            user=acting_user,
            action=AuditAction.CREATE,
            object_type="importrun",
            object_id=str(run_id or ""),
            details={**details, "created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            username=username,
        )
    )
    # Updates go first: a file may record the exit of a stored membership and a new adoption, or move a CRN
    # from a stored person to a new one. A unique value moving between stored rows (two people swapping CRNs)
    # is first cleared on the rows that change it, so no statement sees it held twice.
    moving = [name for name in plan.update_fields if (field := model._meta.get_field(name)).unique and field.null]
    with transaction.atomic():
        if run_id is not None and attempt is not None:
            # Lock the run: the reaper's re-queue and this write cannot both happen.
            current = ImportRun.objects.select_for_update().filter(
                pk=run_id, attempts=attempt, state=ImportState.WRITING
            )
            if not current.exists():
                raise ImportSuperseded(f"Import {run_id} attempt {attempt} was superseded")
        for name in moving:
            freed = [(change.pk, {name: None}) for change in plan.updates if name in change.changes]
            update_rows(model, (name,), freed, touch=False)
        update_rows(model, plan.update_fields, [(change.pk, change.values) for change in plan.updates])
        insert_rows(model, plan.creates)
        audit_record_rows(audit_rows, insert=insert_rows)
        if run_id is not None:
            # Finished in the same commit as the rows: a worker dying after it leaves nothing to redo.
            ImportRun.objects.filter(pk=run_id).update(**_finished_fields(result))


# --- Runs: the same service, recorded so its progress can be watched ---------------------------------------


def size_text(size: int) -> str:
    """A size in bytes as people read it: ``200 MB``, ``1.5 MB``, ``512 KB``, ``10 bytes``."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} byte{'' if size == 1 else 's'}"


def import_upload_problem(*, size: int, content_type: str = "") -> str | None:
    """What makes an upload unimportable before it is read, as a sentence naming the limit, or None.

    The pages and the API ask this with the size and type the upload declares, so an oversized file is refused
    before it is read into memory; ``import_run_start`` asks again of the bytes it is given.
    """
    if size > MAX_FILE_BYTES:
        limit = size_text(MAX_FILE_BYTES)
        return f"The file is larger than {limit}, the most one import takes: split it and import each part."
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in CSV_CONTENT_TYPES:
        return f"The file is {media_type}, not a CSV file: save it as CSV (comma-separated values) and upload that."
    return None


def import_run_start(
    *,
    acting_user: User | None,
    kind: str,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    via: str = "api",
    enqueue: bool = True,
    content_type: str = "",
) -> ImportRun:
    """Record an upload and hand it to a worker once the upload is committed (eagerly when there is no broker).

    A file the worker could never read (too large, not a CSV file by its type, not UTF-8 text) is refused here, with
    nothing recorded, rather than queued to fail later.
    """
    ensure_may_import(user=acting_user)
    errors = {}
    if kind not in KINDS:
        errors["kind"] = f"Choose one of: {', '.join(ImportKind.values)}."
    problem = import_upload_problem(size=len(content), content_type=content_type)
    if problem is None and not content:
        problem = "Choose a CSV file that is not empty."
    if problem is None and (unreadable := decode(content)[1]) is not None:
        problem = f"Choose a CSV file saved as UTF-8: the import needs {unreadable}."
    if problem is not None:
        errors["file"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind,
            filename=(filename or "")[:255],
            dry_run=dry_run,
            uploaded_by=acting_user,
            via=via,
            content=content,
        )
        if enqueue:
            background.enqueue("outcomes.tasks.run_import", run.pk)
    return run


class _RunProgress:
    """Writes rows checked to the run at most once a second, so watching costs little whatever the file's size."""

    def __init__(self, run_id: int, also: Progress | None) -> None:
        self.run_id = run_id
        self.also = also
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done in (0, total) or now - self.last >= 1:
            self.last = now
            ImportRun.objects.filter(pk=self.run_id).update(
                rows_processed=done, rows_total=total, heartbeat_at=timezone.now()
            )
        if self.also:
            self.also(done, total)


def _finished_fields(result: ImportResult) -> dict:
    return {
        "state": ImportState.SUCCEEDED if result.ok else ImportState.FAILED,
        "rows_total": result.rows,
        "rows_processed": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": result.errors,
        "error_count": result.error_count,
        "finished_at": timezone.now(),
        "content": b"",
    }


def import_run_execute(*, run_id: int, progress: Progress | None = None) -> ImportRun | None:
    """Do the work of a queued run. Idempotent: a run already claimed or finished is left alone, and a take
    the reaper has since replaced writes nothing (see the module's docstring)."""
    now = timezone.now()
    claimed = ImportRun.objects.filter(pk=run_id, state=ImportState.QUEUED).update(
        state=ImportState.VALIDATING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    run = ImportRun.objects.select_related("uploaded_by").filter(pk=run_id).first()
    if not claimed or run is None:
        return run
    attempt = run.attempts
    try:
        result = import_csv(
            acting_user=run.uploaded_by,
            kind=run.kind,
            content=bytes(run.content),
            dry_run=run.dry_run,
            progress=_RunProgress(run.pk, progress),
            run_id=run.pk,
            attempt=attempt,
        )
    except ImportSuperseded:
        logger.warning("Import %s attempt %s was superseded by a later attempt; it wrote nothing", run_id, attempt)
        run.refresh_from_db()
        return run
    except (DatabaseError, ValidationError, PermissionDenied) as exc:
        logger.exception("Import %s stopped", run_id)
        result = ImportResult(
            kind=run.kind,
            dry_run=run.dry_run,
            errors=[f"The import stopped before it finished and nothing was written ({exc}). Try it again."],
            error_count=1,
        )
    ImportRun.objects.filter(pk=run.pk, attempts=attempt).exclude(state__in=FINISHED_STATES).update(
        **_finished_fields(result)
    )
    run.refresh_from_db()
    return run


def import_runs_reap(*, stale_after: datetime.timedelta | None = None) -> tuple[int, int]:
    """Find runs whose worker died (checking or saving, with no sign of life for ``stale_after`` (default
    ``IMPORT_STALE_MINUTES``)) and re-queue each once, or mark it failed with a clear message after a second
    death. Returns (re-queued, failed). Idempotent: each change is conditional on the state it found."""
    return stale_runs_reap(
        running=ImportRun.objects.filter(state__in=RUNNING_STATES),
        stale_after=stale_after or datetime.timedelta(minutes=settings.IMPORT_STALE_MINUTES),
        max_attempts=MAX_ATTEMPTS,
        task_name="outcomes.tasks.run_import",
        requeue={"state": ImportState.QUEUED, "rows_processed": 0, "heartbeat_at": None},
        fail={"state": ImportState.FAILED, "errors": [ABANDONED], "error_count": 1, "content": b""},
    )


__all__ = [
    "KINDS",
    "ImportResult",
    "ensure_may_import",
    "import_csv",
    "import_run_execute",
    "import_run_start",
    "import_runs_reap",
    "import_upload_problem",
]
