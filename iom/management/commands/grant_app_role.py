"""``manage.py grant_app_role ROLE``: the application database role's privileges (iom/database_roles.py).

Prints the GRANT and REVOKE statements; with ``--apply``, runs them as the connected role (the tables' owner,
after ``migrate``) and refuses a role that could get round the audit table's guards anyway.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from iom.database_roles import app_role_grant, app_role_grants, app_role_problems


class Command(BaseCommand):
    help = "Print, or with --apply grant, the privileges of the application's PostgreSQL role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The role the service connects as, e.g. iom_app.")
        parser.add_argument("--apply", action="store_true", help="Run the statements on the database.")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        try:
            statements = app_role_grants(role)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not options["apply"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's: with SQLite there is nothing to grant.")
        problems = app_role_problems(role)
        if problems:
            raise CommandError(" ".join(problems))
        with transaction.atomic():
            app_role_grant(role)
        self.stdout.write(self.style.SUCCESS(f"Granted the application's privileges to {role}."))
