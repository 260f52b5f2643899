"""Readers that stream raw records from a source, one at a time, with where each came from.

A reader never raises on a bad record: it yields a RawRecord whose `error` says what is
wrong, so the run goes on and the report can name the file and line (or the table and row).
A source is a path, or a URL dispatched on its scheme (`url_source`: postgresql://).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import parse_qsl, urlencode, urlsplit

from oraculum.domain.errors import OraculumError, RecordRejected

if TYPE_CHECKING:
    from oraculum.ingest.mapping import RecordMapping

Progress = Callable[[int], None]  # called with the units (bytes, or rows) read since the last call
POSTGRES_SCHEMES = ("postgresql", "postgres")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_LOCATING_PARAMS = ("host", "hostaddr", "port", "dbname")  # the rest may be secret or noise


@dataclass
class RawRecord:
    source: str
    location: str
    data: Any = None
    error: RecordRejected | None = None


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


def read_jsonl(path: Path, progress: Progress) -> Iterator[RawRecord]:
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            progress(len(raw))
            if not raw.strip():
                continue
            text, error = _decode_line(raw, path, lineno)
            location = f"line {lineno}"
            if error is not None:
                yield RawRecord(str(path), location, error=error)
                continue
            try:
                data = json.loads(text)  # type: ignore[arg-type]
            except json.JSONDecodeError as exc:
                reason = f"malformed JSON: {exc.msg} at column {exc.colno}"
                yield RawRecord(
                    str(path), location, error=RecordRejected(str(path), location, None, reason)
                )
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
