"""Static files that production's collectstatic can process: every source map a file names exists.

With DEBUG off, collectstatic uses whitenoise's manifest storage, which fails on a
``sourceMappingURL`` naming a missing file (a vendor script copied without its ``.map``), and
the production image cannot be built. ``make check-production`` runs the real thing; this
catches the usual cause in the suite, without building anything.
"""

import os
import posixpath
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

# collectstatic's default ignore patterns.
IGNORE_PATTERNS = ["CVS", ".*", "*~"]
# Anywhere in a line: browsers follow the comment at the end of a minified line too, even where
# Django's manifest storage (which wants it at the start of a line) does not look.
# Not after an escaped newline ("\n" in the file): that is a script's text inside a string, such as the worker
# ReDoc would make from a blob: address (its search, which is off), never fetched from this file's address.
SOURCE_MAP = re.compile(rb"(?<!\\n//)[#@][ \t]*sourceMappingURL=([^\s*'\"]+)")


def _css_and_js():
    for finder in finders.get_finders():
        for path, storage in finder.list(IGNORE_PATTERNS):
            if path.endswith((".css", ".js", ".mjs")):
                yield path, storage


def _missing_source_maps():
    for path, storage in _css_and_js():
        with storage.open(path) as file:
            content = file.read()
        for match in SOURCE_MAP.finditer(content):
            reference = match.group(1).decode()
            if reference.startswith(("data:", "http:", "https:", "//")):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), reference))
            if finders.find(target) is None:
                yield f"{path} names {reference!r}, not found"


def test_every_source_map_named_by_a_static_file_exists():
    if not (settings.BASE_DIR / "static" / "build").is_dir():
        # CI builds the assets before the tests (.ci/run sets REQUIRE_ASSETS), so there this cannot pass unseen.
        if os.environ.get("REQUIRE_ASSETS"):
            pytest.fail("static/build/ is missing: CI must build the page assets (make assets) before the tests")
        pytest.skip("page assets not built (make assets)")
    assert list(_missing_source_maps()) == []
