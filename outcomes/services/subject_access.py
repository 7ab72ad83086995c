"""Subject access: a manager asks for everything held about a person, and a worker gathers it into a zip.

The request is recorded (and audited as an export, with who asked and why) and its build is sent to a worker in
the same transaction (iom/background.py). The build reads every section of
:mod:`outcomes.selectors.subject_access_records`, moving the bundle's progress and heartbeat on after each, and
writes one zip through Django's default storage: a plain-language cover page (``README.html``), one JSON file
with everything, and a CSV per section (cells defused, iom/csv_export.py), with the items to review before
release listed in all three and on the bundle's page. Downloading it is the disclosure (see the selectors).

State lives in the bundle's row, not in the task, so the task takes only the row's id and is safe to run twice:
a second delivery finds the bundle claimed or finished and does nothing, and a build the reaper queues again
after its worker died writes the same file under the same name. Only the current attempt may finish a build.
"""

import datetime
import io
import json
import logging
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from iom import access, background
from iom.audit import audit_record
from iom.csv_export import csv_writer
from iom.models import AuditAction, Person, SubjectAccessExport, SubjectAccessStatus, User
from outcomes.rules import PRODUCE_SUBJECT_ACCESS
from outcomes.selectors.subject_access import subject_access_running_for
from outcomes.selectors.subject_access_records import SECTIONS, Reading, ReviewReason, Row, cell, moment, name
from outcomes.services.reaping import stale_runs_reap

logger = logging.getLogger(__name__)

BUILD_TASK = "outcomes.tasks.build_subject_access"
MAX_ATTEMPTS = 2
MAX_REASON_LENGTH = 1000
STEPS_TOTAL = len(SECTIONS) + 1  # every section, then writing the zip
FILE_NAME = "subject-access/subject-access-{pk}.zip"
ALREADY_RUNNING = (
    "A subject access bundle for this person is already being built. Wait for it to finish before asking again."
)
ABANDONED = (
    "The bundle stopped twice before it was finished (the worker building it was lost), so it was abandoned. "
    "Nothing was released. Ask for it again; if this happens again, contact the service desk."
)
FLAG_COLUMNS = ("section", "record", "reason", "detail")


def subject_access_request(*, acting_user: User, person: Person, reason: str) -> SubjectAccessExport:
    """Record a subject access request about ``person`` and send its build to a worker.

    Only IOM managers who may see the person ask (403 for the role, 404 for a person out of sight, audited);
    ``reason`` (the request's reference or how it arrived) is required, and one bundle per person is built at a
    time."""
    PRODUCE_SUBJECT_ACCESS.ensure(acting_user)
    access.ensure_can_see_person(user=acting_user, person=person, attempted="produce subject access")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the request's reference or how it arrived."})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Enter the reason in {MAX_REASON_LENGTH} characters or fewer."})
    if subject_access_running_for(person=person) is not None:
        raise ValidationError({NON_FIELD_ERRORS: ALREADY_RUNNING})
    try:
        with transaction.atomic():
            export = SubjectAccessExport.objects.create(
                person=person, requested_by=acting_user, reason=reason, steps_total=STEPS_TOTAL
            )
            audit_record(
                user=acting_user,
                action=AuditAction.EXPORT,
                obj=export,
                person=person,
                justification=reason,
                details={"subject_access_export": export.pk},
            )
            background.enqueue(BUILD_TASK, export.pk)
    except IntegrityError:  # another request for the person won the race (one running bundle per person)
        raise ValidationError({NON_FIELD_ERRORS: ALREADY_RUNNING}) from None
    return export


# --- The build (outcomes.tasks.build_subject_access) --------------------------------------------------------------


@dataclass
class _Take:
    """One attempt at building a bundle: only while it is still the current one may it write to the row."""

    export_id: int
    attempt: int

    def current(self) -> QuerySet[SubjectAccessExport]:
        return SubjectAccessExport.objects.filter(
            pk=self.export_id, attempts=self.attempt, status=SubjectAccessStatus.BUILDING
        )

    def progress(self, done: int) -> None:
        self.current().update(steps_done=done, heartbeat_at=timezone.now())


def subject_access_build(*, export_id: int) -> SubjectAccessExport | None:
    """Build a queued bundle. Idempotent: a bundle already claimed or finished is left alone; a failure is
    recorded on the bundle with a message saying what to do, and nothing is released."""
    now = timezone.now()
    claimed = SubjectAccessExport.objects.filter(pk=export_id, status=SubjectAccessStatus.QUEUED).update(
        status=SubjectAccessStatus.BUILDING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        steps_done=0,
        steps_total=STEPS_TOTAL,
        error="",
    )
    export = SubjectAccessExport.objects.select_related("person", "requested_by").filter(pk=export_id).first()
    if not claimed or export is None:
        return export
    take = _Take(export_id=export.pk, attempt=export.attempts)
    try:
        reading = Reading(person_id=export.person_id, audit_until=now)
        tables: dict[str, list[Row]] = {}
        for done, section in enumerate(SECTIONS, start=1):
            tables[section.key] = section.read(reading)
            take.progress(done)
        archive = _archive(export=export, tables=tables, reading=reading, built_at=now)
        stored = _store(export=export, take=take, archive=archive)
    except Exception as exc:  # whatever stopped it, the bundle says so (and the log has the details)
        logger.exception("Subject access bundle %s could not be built", export_id)
        take.current().update(
            status=SubjectAccessStatus.FAILED,
            error=f"The bundle could not be built ({type(exc).__name__}). Nothing was released. Ask for it again; "
            "if this happens again, contact the service desk.",
            finished_at=timezone.now(),
        )
    else:
        if stored is not None:
            take.current().update(
                status=SubjectAccessStatus.READY,
                file=stored,
                flags=[flag.as_dict() for flag in reading.flags],
                steps_done=STEPS_TOTAL,
                heartbeat_at=timezone.now(),
                finished_at=timezone.now(),
            )
    export.refresh_from_db()
    return export


def _store(*, export: SubjectAccessExport, take: _Take, archive: bytes) -> str | None:
    """Write the zip under the bundle's one name, replacing an earlier attempt's; None if this take was
    superseded (the reaper queued the bundle again while it ran), which then writes nothing."""
    if not take.current().exists():
        logger.warning("Subject access bundle %s attempt %s was superseded; it wrote nothing", export.pk, take.attempt)
        return None
    storage = export.file.storage
    name = FILE_NAME.format(pk=export.pk)
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(archive))


def _csv(columns: tuple[str, ...], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(columns)
    writer.writerows([cell(row.get(column)) for column in columns] for row in rows)
    return out.getvalue()


def _archive(
    *, export: SubjectAccessExport, tables: dict[str, list[Row]], reading: Reading, built_at: datetime.datetime
) -> bytes:
    """The zip: a cover page, one JSON file with everything, a CSV per section and one of the flags, in a folder
    named for the bundle. Entries are dated with the request, not the build."""
    folder = f"subject-access-{export.pk}"
    flags = [flag.as_dict() for flag in reading.flags]
    about = {
        "bundle": export.pk,
        "person": export.person_id,
        "requested_by": name(export.requested_by),
        "requested_at": moment(export.requested_at),
        "reason": export.reason,
        "built_at": moment(built_at),
        "audit_up_to": moment(reading.audit_until),
    }
    everything = {
        "subject_access_request": about,
        "sections": tables,
        "documents": [],
        "flags": flags,
    }
    files = [
        {"name": f"{section.key}.csv", "title": section.title, "about": section.about, "rows": len(tables[section.key])}
        for section in SECTIONS
    ]
    cover = render_to_string(
        "outcomes/subject_access_cover.html",
        {
            "export": export,
            "person_name": export.person.full_name if export.person.erased_at is None else None,
            "requested_by": about["requested_by"],
            "built_at": built_at,
            "files": files,
            "flags": [{**flag, "label": ReviewReason.LABELS[flag["reason"]]} for flag in flags],
            "advice": [
                {"label": ReviewReason.LABELS[code], "advice": text} for code, text in ReviewReason.ADVICE.items()
            ],
        },
    )
    stamp = timezone.localtime(export.requested_at).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(file_name: str, text: str) -> None:
            entry = zipfile.ZipInfo(f"{folder}/{file_name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o640 << 16
            archive.writestr(entry, text.encode("utf-8"))

        add("README.html", cover)
        add("subject-access.json", json.dumps(everything, ensure_ascii=False, indent=2))
        for section in SECTIONS:
            add(f"{section.key}.csv", _csv(section.columns, tables[section.key]))
        add("flags.csv", _csv(FLAG_COLUMNS, flags))
    return buffer.getvalue()


def subject_access_reap(*, stale_after: datetime.timedelta | None = None) -> tuple[int, int]:
    """Queue again once, or fail after a second death, the bundles whose worker died (building, with no sign of
    life for ``SUBJECT_ACCESS_STALE_MINUTES``). Returns (re-queued, failed)."""
    return stale_runs_reap(
        running=SubjectAccessExport.objects.filter(status=SubjectAccessStatus.BUILDING),
        stale_after=stale_after or datetime.timedelta(minutes=settings.SUBJECT_ACCESS_STALE_MINUTES),
        max_attempts=MAX_ATTEMPTS,
        task_name=BUILD_TASK,
        requeue={"status": SubjectAccessStatus.QUEUED, "steps_done": 0, "heartbeat_at": None},
        fail={"status": SubjectAccessStatus.FAILED, "error": ABANDONED},
    )
