"""What every demo-data command shares: a --force flag and the refusal to run on a production settings file."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class DemoCommand(BaseCommand):
    """A command that creates accounts with a published password, so it only runs with DEBUG=true (or --force)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is false. The demo accounts share a published password: never on live data.",
        )

    def execute(self, *args: Any, **options: Any):
        if not settings.DEBUG and not options.get("force"):
            raise CommandError(
                f"{self.__module__.rsplit('.', 1)[-1]} creates accounts with a published password, so it only runs "
                "with DEBUG=true. If this really is a demonstration system, run it again with --force."
            )
        return super().execute(*args, **options)
