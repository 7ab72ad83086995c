"""Reading an import file: encoding, header, cells and the errors that name row and column.

Errors read ``row N, column C: what was expected`` with the header as row 1 (docs/data-formats.md). Every error
is counted; the first :data:`MAX_REPORTED` are kept as sentences for the person who uploaded the file.
"""

import csv
import datetime
import heapq
import io
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from iom.dates import ISO_DATE

MAX_REPORTED = 100


@dataclass
class ImportErrors:
    """Every error counted; the first :data:`MAX_REPORTED` in file order kept (checks that look across rows
    run after the per-row ones, so the kept errors are the smallest by row, not the earliest found)."""

    count: int = 0
    _kept: list[tuple[int, int, str]] = field(default_factory=list)  # a max-heap by (row, order) as negatives

    def add(self, row: int, column: str, expected: str) -> None:
        self.count += 1
        entry = (-row, -self.count, f"row {row}, column {column}: {expected}")
        if len(self._kept) < MAX_REPORTED:
            heapq.heappush(self._kept, entry)
        elif entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    @property
    def messages(self) -> list[str]:
        return [message for _row, _order, message in sorted(self._kept, reverse=True)]

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Columns:
    """The columns of one kind of file: which are required, and all that are allowed, in docs/data-formats.md order."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.required + self.optional


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


class Row:
    """One data row's cells by column name (trimmed; empty = ``None``), with parsers that record errors."""

    __slots__ = ("cells", "errors", "number")

    def __init__(self, number: int, cells: dict[str, str | None], errors: ImportErrors) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors

    def has(self, column: str) -> bool:
        """Whether the file has this column at all (a missing optional column leaves stored values alone)."""
        return column in self.cells

    def error(self, column: str, expected: str) -> None:
        self.errors.add(self.number, column, expected)

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str | None:
        value = self.cells.get(column)
        if value is None:
            if required:
                self.error(column, "a value is required")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(column, f"at most {max_length} characters (found {len(value)})")
            return None
        return value

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        if ISO_DATE.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(column, f"a date as YYYY-MM-DD (found {_show(value)})")
        return None

    def code(self, column: str, codes: Sequence[str], *, required: bool = False) -> str | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        if value not in codes:
            self.error(column, f"one of {', '.join(codes)} (found {_show(value)})")
            return None
        return value


@dataclass
class CsvFile:
    header: list[str]
    rows: list[Row]
    progress: Callable[[int, int], None] | None = None

    def tracked(self) -> Iterator[Row]:
        """The rows, telling ``progress`` every thousand of them (the check of each row is the long part)."""
        total = len(self.rows)
        for done, row in enumerate(self.rows, 1):
            if self.progress is not None and done % 1000 == 0:
                self.progress(done, total)
            yield row


def decode(content: bytes) -> tuple[str | None, str | None]:
    """``content`` as text, or ``None`` and what was expected: ``a UTF-8 text file (byte 7 is not UTF-8)``.

    A NUL character is refused too: no CSV text holds one (it is the mark of a binary file), and PostgreSQL cannot
    store one in a text column, so it would otherwise fail the import only when its rows are written.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"a UTF-8 text file (byte {exc.start + 1} is not UTF-8)"
    nul = content.find(b"\0")
    if nul >= 0:
        return None, f"a UTF-8 text file (byte {nul + 1} is a NUL character, found only in binary files)"
    return text, None


def read_csv(content: bytes, columns: Columns, errors: ImportErrors) -> CsvFile | None:
    """Decode and parse ``content``; header problems are reported and stop the reading (``None``)."""
    text, problem = decode(content)
    if text is None:
        errors.add(1, "(file)", problem or "a UTF-8 text file")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        errors.add(1, "(header)", f"a header row naming the columns: {', '.join(columns.allowed)}")
        return None
    except csv.Error as exc:
        errors.add(1, "(header)", f"a readable CSV header row ({exc})")
        return None
    _check_header(header, columns, errors)
    if errors:
        return None
    rows = []
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is not a record
            if len(cells) != len(header):
                errors.add(
                    number,
                    header[min(len(cells), len(header) - 1)] if len(cells) < len(header) else str(len(header) + 1),
                    f"{len(header)} cells, one per header column (found {len(cells)})",
                )
                continue
            values = {name: (cell.strip() or None) for name, cell in zip(header, cells, strict=True)}
            rows.append(Row(number, values, errors))
    except csv.Error as exc:
        errors.add(number + 1, "(row)", f"well-formed CSV ({exc})")
        return None
    return CsvFile(header=header, rows=rows)


def _check_header(header: list[str], columns: Columns, errors: ImportErrors) -> None:
    seen: set[str] = set()
    for name in header:
        if name not in columns.allowed:
            errors.add(1, name or "(blank)", f"a known column name: {', '.join(columns.allowed)}")
        elif name in seen:
            errors.add(1, name, "each column once (this one is repeated)")
        seen.add(name)
    for name in columns.required:
        if name not in seen:
            errors.add(1, name, "this required column (it is missing)")


def repeated_keys(rows: Sequence[Row], key_of: Callable[[Row], Hashable | None], key_column: str) -> set[Hashable]:
    """Report each row whose key an earlier row of the file already used; return the keys seen once or more."""
    first_row: dict[Hashable, int] = {}
    for row in rows:
        key = key_of(row)
        if key is None:
            continue
        if key in first_row:
            row.error(key_column, f"a key not already used in this file (row {first_row[key]} has the same)")
        else:
            first_row[key] = row.number
    return set(first_row)


def changed_fields(stored: Mapping[str, object], new: Mapping[str, object]) -> dict[str, list[object]]:
    """``{field: [old, new]}`` for the fields of ``new`` that differ from ``stored``."""
    return {name: [stored.get(name), value] for name, value in new.items() if stored.get(name) != value}
