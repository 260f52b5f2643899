"""What every source shares: the raw record with where it came from, the source as a stream
of them, and the error for a source that cannot be read at all.

A reader never raises on a bad record: it yields a RawRecord whose `error` says what is
wrong, so the run goes on and the report can name the file and line (or the table and row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from oraculum.domain.errors import OraculumError, RecordRejected

Progress = Callable[[int], None]  # called with the units (bytes, or rows) read since the last call

BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, which some editors put first: skipped


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


class CountingReader:
    """Wraps a binary file and reports bytes read, for streaming parsers."""

    def __init__(self, fh: BinaryIO, progress: Progress) -> None:
        self._fh = fh
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._progress(len(data))
        return data


def chain_sources(sources: Sequence[Source]) -> Source:
    """Several sources read one after the other as one (the mappings of one mapping file)."""
    if len(sources) == 1:
        return sources[0]

    def records(progress: Progress) -> Iterator[RawRecord]:
        for source in sources:
            yield from source.records(progress)

    total = sum(source.total_bytes for source in sources)
    return Source(sources[0].name, total, records, unit=sources[0].unit)
