"""JSONL files: one record a line, each line decoded and parsed on its own, so that a bad line
(invalid UTF-8, malformed JSON, a number or nesting past the parser) is named and skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oraculum.domain.errors import RecordRejected
from oraculum.ingest.sources.base import BOM, Progress, RawRecord, Source, SourceError


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
