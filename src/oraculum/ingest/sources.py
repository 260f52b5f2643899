"""Readers that stream raw records from a source, one at a time, with where each came from.

A reader never raises on a bad record: it yields a RawRecord whose `error` says what is
wrong, so the run goes on and the report can name the file and line (or the table and row).
Whatever the bytes (invalid UTF-8, a byte order mark, a huge field, a broken escape), a
reader either yields the record or names it. A source is a path, or a URL dispatched on its
scheme (`url_source`: postgresql://).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from oraculum.domain.errors import OraculumError, RecordRejected

if TYPE_CHECKING:
    from oraculum.ingest.mapping import RecordMapping

Progress = Callable[[int], None]  # called with the units (bytes, or rows) read since the last call
POSTGRES_SCHEMES = ("postgresql", "postgres")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_LOCATING_PARAMS = ("host", "hostaddr", "port", "dbname")  # the rest may be secret or noise
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, which some editors put first: skipped
# csv's own limit (131,072) is below what ORACULUM_MAX_RECORD_CHARS may allow: a field this
# long is read, and the record judged by the limits; a longer one rejects its row
CSV_FIELD_LIMIT = 10_000_000
_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as surrogateescape reads it


@dataclass
class RawRecord:
    source: str
    location: str
    data: Any = None
    error: RecordRejected | None = None
    # field -> why it came out empty (a mapping's keys this record lacks), for the rejection
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class Source:
    """A stream of raw records and how much it will read (for a progress bar).

    `total_bytes` counts `unit`s: bytes for files; for a database, rows (an estimate).
    """

    name: str
    total_bytes: int
    records: Callable[[Progress], Iterator[RawRecord]] = field(repr=False)
    unit: str = "bytes"


class SourceError(OraculumError):
    """The source itself cannot be read (missing file, unknown format)."""


def _decode_line(raw: bytes, path: Path, lineno: int) -> tuple[str | None, RecordRejected | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        reason = f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}"
        return None, RecordRejected(str(path), f"line {lineno}", None, reason)


def _parse_json(text: str) -> tuple[Any, str | None]:
    """(the value, None), or (None, why not): never raises, whatever the text."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON: {exc.msg} at column {exc.colno}"
    except ValueError:  # an integer longer than int() reads (sys.get_int_max_str_digits)
        return None, "malformed JSON: a number of more digits than can be read (4,300)"
    except RecursionError:
        return None, "malformed JSON: nested too deeply"


def read_jsonl(path: Path, progress: Progress) -> Iterator[RawRecord]:
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            progress(len(raw))
            if lineno == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if not raw.strip():
                continue
            text, error = _decode_line(raw, path, lineno)
            location = f"line {lineno}"
            if error is not None:
                yield RawRecord(str(path), location, error=error)
                continue
            data, reason = _parse_json(text)  # type: ignore[arg-type]
            if reason is not None:
                error = RecordRejected(str(path), location, None, reason)
                yield RawRecord(str(path), location, error=error)
                continue
            yield RawRecord(str(path), location, data)


def jsonl_source(path: Path) -> Source:
    """A JSONL file, or a folder whose `*.jsonl` files are read in name order."""
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise SourceError(f"{path} holds no *.jsonl file")
    elif path.is_file():
        files = [path]
    else:
        raise SourceError(f"{path} does not exist")

    def records(progress: Progress) -> Iterator[RawRecord]:
        for file in files:
            yield from read_jsonl(file, progress)

    return Source(str(path.resolve()), sum(f.stat().st_size for f in files), records)


class CountingReader:
    """Wraps a binary file and reports bytes read, for streaming parsers."""

    def __init__(self, fh: BinaryIO, progress: Progress) -> None:
        self._fh = fh
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._progress(len(data))
        return data


# --- CSV -------------------------------------------------------------------------------------
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


def is_url(source: str) -> bool:
    return _URL.match(source) is not None


def split_userinfo(url: str) -> tuple[str, str, str]:
    """(scheme, user:password, the rest), split the way libpq splits a connection URL.

    The credentials end at the first '@' that comes before any '/'. An '@' left in the rest's
    hosts or path means a password with an unencoded '/' or '@': libpq would read its tail as a
    host or database name (and print it), so callers treat such a URL as malformed.
    """
    scheme, _, tail = url.partition("://")
    at, slash = tail.find("@"), tail.find("/")
    if at >= 0 and (slash < 0 or at < slash):
        return scheme, tail[:at], tail[at + 1 :]
    return scheme, "", tail


def is_malformed_url(url: str) -> bool:
    return "@" in split_userinfo(url)[2].partition("?")[0]


def redact_url(url: str) -> str:
    """The URL without user, password and options: safe to print and to store as a name.

    Keeps what locates the data (scheme, hosts, ports, database, a `host=` socket directory),
    so that it still names the source for --prune; both PostgreSQL schemes read as postgresql.
    """
    scheme, _, rest = split_userinfo(url)
    scheme = "postgresql" if scheme.lower() in POSTGRES_SCHEMES else scheme.lower()
    if is_malformed_url(url):
        return f"{scheme}://(a malformed URL)"
    parts = urlsplit(f"{scheme}://{rest}")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k in _LOCATING_PARAMS])
    return f"{scheme}://{parts.netloc}{parts.path}" + (f"?{query}" if query else "")


def url_source(url: str, mappings: Sequence[RecordMapping]) -> Source:
    """A source named by a URL, by its scheme: today postgresql:// (and postgres://)."""
    match = _URL.match(url)
    scheme = match["scheme"].lower() if match else ""
    if scheme not in POSTGRES_SCHEMES:
        raise SourceError(
            f"{redact_url(url)}: cannot read {scheme}:// sources; ingest reads a JSONL file, a "
            "folder of them, a JSON/CSV file with --mapping, or a postgresql:// URL with --mapping"
        )
    if not mappings:
        raise SourceError(
            f"{redact_url(url)}: a database is read through a mapping: give --mapping FILE whose "
            "mapping names a table: or query: (docs/mapping.md)"
        )
    try:
        from oraculum.ingest.postgres_source import postgres_source
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("psycopg"):
            raise
        raise SourceError(
            "reading PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'"
        ) from None
    return chain_sources([postgres_source(url, mapping) for mapping in mappings])


def chain_sources(sources: Sequence[Source]) -> Source:
    """Several sources read one after the other as one (the mappings of one mapping file)."""
    if len(sources) == 1:
        return sources[0]

    def records(progress: Progress) -> Iterator[RawRecord]:
        for source in sources:
            yield from source.records(progress)

    total = sum(source.total_bytes for source in sources)
    return Source(sources[0].name, total, records, unit=sources[0].unit)
