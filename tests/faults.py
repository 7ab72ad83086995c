"""A real fault for the tests of what the service does when its database is unreachable.

``database_unavailable()`` swaps Django's default connection for a new one of the same backend pointed where no
database is (SQLite: a file in a directory that does not exist; PostgreSQL: a closed port on this machine), so
every query in the block fails to connect with the driver's own ``OperationalError``; the test database's own
connection is put back untouched afterwards. Nothing of ours is mocked.
"""

import contextlib
from collections.abc import Iterator

from django.db import connections
from django.utils.module_loading import import_string


@contextlib.contextmanager
def database_unavailable() -> Iterator[None]:
    original = connections["default"]
    settings = {**original.settings_dict}
    if original.vendor == "sqlite":
        settings["NAME"] = "/nonexistent-directory-for-tests/db.sqlite3"
    else:
        settings.update(HOST="127.0.0.1", PORT="1", OPTIONS={**settings.get("OPTIONS", {}), "connect_timeout": 2})
    wrapper_class = import_string(f"{settings['ENGINE']}.base.DatabaseWrapper")
    connections["default"] = wrapper_class(settings, alias="default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original
