"""``manage.py verify_audit``: check the audit trail's hash chain end to end (iom/audit_chain.py).

Prints how many rows were checked and redacted and where the chain ends; on a break, names the first broken
link and exits with status 1. ``--anchor ID:HASH`` also checks that an end recorded earlier (from this output or
the nightly task's log) is still in the chain, which shows rows removed from the end.
"""

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iom.audit_chain import verify

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(value: str) -> tuple[int, str]:
    match = ANCHOR.match(value.strip().lower())
    if match is None:
        raise CommandError(f"--anchor must be a row id and its 64-character hash, as ID:HASH, not {value!r}.")
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits with status 1 at a broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchor", help="ID:HASH of the chain's end recorded earlier, to check it is still there.")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = _anchor(options["anchor"]) if options["anchor"] else None
        result = verify(anchor=anchor)
        self.stdout.write(f"Checked {result.checked} audit rows ({result.redacted} redacted).")
        if result.head_id is not None:
            self.stdout.write(f"The chain ends at row {result.head_id}: {result.head_id}:{result.head_hash}")
        first = result.first_break
        if first is None:
            self.stdout.write(self.style.SUCCESS("The audit trail is intact."))
            return
        if options["verbosity"] > 1:
            for item in result.breaks:
                self.stdout.write(f"Row {item.event_id} ({item.kind}): {item.message}")
        others = result.break_count - 1
        raise CommandError(
            f"The audit trail is broken at row {first.event_id} ({first.kind}): {first.message}"
            + (f" ({others} more broken link{'s' if others != 1 else ''}; -v 2 lists them.)" if others else "")
        )
