"""Readers that stream raw records from a source, one at a time, with where each came from.

A reader never raises on a bad record: it yields a RawRecord whose `error` says what is
wrong, so the run goes on and the report can name the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from oraculum.domain.errors import OraculumError, RecordRejected

Progress = Callable[[int], None]  # called with the number of bytes read since the last call


@dataclass
class RawRecord:
    source: str
    location: str
    data: Any = None
    error: RecordRejected | None = None


@dataclass
class Source:
    """A stream of raw records and the number of bytes it will read (for a progress bar)."""

    name: str
    total_bytes: int
    records: Callable[[Progress], Iterator[RawRecord]] = field(repr=False)


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
