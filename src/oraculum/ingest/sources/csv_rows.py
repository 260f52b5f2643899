"""CSV files, row by row, whatever the bytes: a row holding a byte that is not UTF-8 is named
by its physical line and column and the others are read; a byte order mark is skipped; a field
past csv's own limit is read up to CSV_FIELD_LIMIT and the record judged by the ingest limits."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any, TypeVar

from oraculum.domain.errors import RecordRejected
from oraculum.ingest.sources.base import Progress, RawRecord

# csv's own limit (131,072) is below what ORACULUM_MAX_RECORD_CHARS may allow: a field this
# long is read, and the record judged by the limits; a longer one rejects its row
CSV_FIELD_LIMIT = 10_000_000

_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as surrogateescape reads it


T = TypeVar("T")


def _within_limit(read: Callable[[], T]) -> T:
    """`read()` with csv's field size limit at CSV_FIELD_LIMIT (a process-wide setting of the
    csv module, so it is set around each read and put back)."""
    previous = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return read()
    finally:
        csv.field_size_limit(previous)


def _open_csv(path: Path) -> IO[str]:
    # utf-8-sig skips a byte order mark; surrogateescape keeps a byte that is not UTF-8 in its
    # line (as U+DC80..U+DCFF) instead of failing the whole read, so its row can be named
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


class _CsvLines:
    """A CSV file's physical lines, handed to csv one at a time, and the lines of the row
    being read: rows are named by their own line numbers, not csv's count of them."""

    def __init__(self, fh: IO[str], progress: Progress) -> None:
        self._fh = fh
        self._progress = progress
        self.number = 0  # physical lines read so far
        self.row: list[str] = []  # the lines of the row being read (and blank lines before it)

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = next(self._fh)
        self.number += 1
        self._progress(len(line.encode("utf-8", "surrogateescape")))
        self.row.append(line)
        return line

    def start_row(self) -> None:
        self.row = []

    @property
    def first(self) -> int:
        """The physical line the current row starts on (past blank lines)."""
        top = self.number - len(self.row) + 1
        return next((top + n for n, line in enumerate(self.row) if line.strip("\r\n")), top)

    def undecodable(self) -> tuple[int, int, int] | None:
        """(line, byte of that line, the byte) of the current row's first byte not UTF-8."""
        top = self.number - len(self.row) + 1
        for n, line in enumerate(self.row):
            found = _ESCAPED.search(line)
            if found is not None:
                column = len(line[: found.start()].encode("utf-8", "surrogateescape")) + 1
                return top + n, column, ord(found.group()) - 0xDC00
        return None


def _open_at_end(line: str, delimiter: str, inside: bool) -> bool:
    """Whether a quoted field is still open at the end of `line`, read as csv reads it: a quote
    opens a field only at the field's start, and "" inside a quoted field is one quote."""
    ends = re.compile(f"[{re.escape(delimiter)}\r\n]")
    i, at_start = 0, not inside
    while i < len(line):
        if inside:
            j = line.find('"', i)
            if j < 0:
                return True
            if line.startswith('"', j + 1):
                i = j + 2
            else:
                inside, at_start, i = False, False, j + 1
        elif at_start and line.startswith('"', i):
            inside, i = True, i + 1
        else:
            found = ends.search(line, i)
            if found is None:
                return False
            at_start, i = True, found.end()
    return inside


def _finish_row(lines: _CsvLines, delimiter: str) -> bool:
    """After csv gave up on a row part way, read on to the row's end, so that the next row is
    read from its start; False when the file ends inside the row's quoted field."""
    inside = False
    for line in lines.row:
        inside = _open_at_end(line, delimiter, inside)
    while inside:
        line = next(lines, None)
        if line is None:
            return False
        inside = _open_at_end(line, delimiter, inside)
    return True


def _rejected(path: Path, lineno: int, column: str | None, reason: str) -> RawRecord:
    where = f"line {lineno}"
    return RawRecord(str(path), where, error=RecordRejected(str(path), where, column, reason))


def _csv_reason(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"a field is over {CSV_FIELD_LIMIT:,} characters, the most a CSV field may hold"
    return f"not readable as CSV: {exc}"


def _unreadable_row(path: Path, lines: _CsvLines, delimiter: str, exc: csv.Error) -> RawRecord:
    first = lines.first
    reason = _csv_reason(exc)
    if not _finish_row(lines, delimiter):
        reason += (
            f"; the quoted field it opens is never closed, so the rest of the file (to line "
            f"{lines.number}) was not read"
        )
    elif lines.number > first:
        reason += f" (the row runs to line {lines.number})"
    return _rejected(path, first, None, reason)


def _row(path: Path, lines: _CsvLines, row: dict[str | None, Any]) -> RawRecord:
    bad = lines.undecodable()
    if bad is None:
        return RawRecord(str(path), f"line {lines.first}", dict(row))
    lineno, byte_at, byte = bad
    column = next(
        (
            "(a value past the header's columns)" if name is None else name
            for name, value in row.items()
            for text in (value if isinstance(value, list) else [value])
            if isinstance(text, str) and _ESCAPED.search(text)
        ),
        None,
    )
    reason = f"not valid UTF-8: byte 0x{byte:02x}, byte {byte_at} of the line"
    return _rejected(path, lineno, column, reason)


def read_csv(path: Path, delimiter: str, progress: Progress) -> Iterator[RawRecord]:
    """A CSV file's rows as objects keyed by its header row, each named by the line it starts
    on; a row holding a byte that is not UTF-8 by that byte's line and its column."""
    with _open_csv(path) as fh:
        lines = _CsvLines(fh, progress)
        reader = csv.DictReader(lines, delimiter=delimiter)
        try:
            header = _within_limit(lambda: reader.fieldnames)
        except csv.Error as exc:
            yield _rejected(path, lines.first, None, f"the header row: {_csv_reason(exc)}")
            return
        if header is None:
            return  # an empty file
        bad = lines.undecodable()
        if bad is not None:
            reason = (
                f"the header row is not valid UTF-8: byte 0x{bad[2]:02x}, byte {bad[1]} of the "
                "line; a mapping cannot name the column it is in"
            )
            yield _rejected(path, bad[0], None, reason)
        while True:
            lines.start_row()
            try:
                row = _within_limit(partial(next, reader, None))
            except csv.Error as exc:
                yield _unreadable_row(path, lines, delimiter, exc)
                continue
            if row is None:
                return
            yield _row(path, lines, row)


def csv_header(path: Path, delimiter: str) -> list[str] | None:
    """The column names of a CSV file's first row; None when it has none or it cannot be read
    (reading the rows then names the problem)."""
    with _open_csv(path) as fh:
        try:
            return _within_limit(partial(next, csv.reader(fh, delimiter=delimiter), None))
        except csv.Error:
            return None
