"""``manage.py import_data {cohorts,people,memberships,offences} FILE.csv [--dry-run]``.

The same service as the upload page and ``POST /api/v1/imports/``, run in this process so the terminal shows the
progress; the run is recorded like the others. Exits non-zero, printing the errors, when the file has any.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from iom.models import Role, User
from outcomes.models import ImportKind, ImportState
from outcomes.services.imports import import_run_execute, import_run_start


class TerminalProgress:
    """A bar on a terminal; nothing when the output is a file or a pipe."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        width = 30
        filled = width * done // total
        self.stream.write(f"\rChecking rows [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a CSV file of cohorts, people, memberships or offence records (docs/data-formats.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument("--user", help="Record the import as this IOM manager's (default: the operator).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], role=Role.IOM_MANAGER, is_active=True).first()
            if user is None:
                raise CommandError(f"No active IOM manager is called {options['user']!r}.")
        try:
            run = import_run_start(
                acting_user=user,
                kind=options["kind"],
                content=content,
                filename=path.name,
                dry_run=options["dry_run"],
                via="command",
                enqueue=False,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finished = import_run_execute(run_id=run.pk, progress=TerminalProgress(sys.stderr))
        if finished is None:  # deleted while it ran
            raise CommandError(f"Import run {run.pk} is gone: nothing more to report.")
        run = finished
        verb = "would be" if run.dry_run else "were"
        summary = (
            f"{run.rows_total or 0} rows: {run.created} {verb} created, {run.updated} {verb} updated, "
            f"{run.unchanged} unchanged."
        )
        if run.state != ImportState.SUCCEEDED:
            for message in run.errors:
                self.stderr.write(message)
            shown = len(run.errors)
            more = f" (the first {shown} are shown)" if run.error_count > shown else ""
            noun = "error" if run.error_count == 1 else "errors"
            raise CommandError(f"{run.error_count} {noun}{more}: nothing was written from {path.name}.")
        prefix = "Dry run, nothing written. " if run.dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{run.get_kind_display()} from {path.name}: {summary}"))
