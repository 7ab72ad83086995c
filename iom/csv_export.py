"""Every CSV the service writes goes through ``csv_writer``: cells a spreadsheet would run as a formula are defused.

OWASP ASVS 5.0 V1.2.10 (CSV and formula injection) and OWASP's "CSV Injection" advice: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a NUL is written with a single quote (``'``) before it, so
Excel, LibreOffice and Sheets show it as text instead of evaluating it (``=HYPERLINK(...)`` comes out as
``'=HYPERLINK(...)``). The one exception is a plain number, so figures stay figures: an optional minus sign, one or
more digits, and optionally a point followed by one or more digits (``-3.2``, ``-12``, ``0.5``); nothing else
(``+3``, ``-1e5``, ``-3.2+1``, ``- 3``) counts as one. Quoting, separators and line breaks inside cells follow RFC 4180
(the ``csv`` module's minimal quoting with CRLF line ends).

The rule looks at the text written, whatever the value was, so a figure typed as text and a real number agree. The
CSVs that are only ever read back by our own importer (demo seeds, benchmarks) are not exports and do not use it.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def neutralise_cell(value: Any) -> str:
    """``value`` as CSV cell text: empty for None, a leading ``'`` if a spreadsheet would treat it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCsvWriter:
    """``csv.writer`` (RFC 4180, CRLF) whose rows pass through ``neutralise_cell``; the only way we write CSV."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable) -> SafeCsvWriter:
    return SafeCsvWriter(out)
