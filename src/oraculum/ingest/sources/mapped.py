"""JSON, JSONL and CSV files read through a mapping (ingest/mapping.py): each raw record is
turned into our schema by the mapping, or rejected naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oraculum.domain.errors import MappingError, RecordRejected, printable
from oraculum.ingest.mapping import RECORDS_PATH, FieldError, RecordMapping
from oraculum.ingest.sources.base import (
    BOM,
    CountingReader,
    Progress,
    RawRecord,
    Source,
    SourceError,
)
from oraculum.ingest.sources.csv_rows import csv_header, read_csv
from oraculum.ingest.sources.jsonl import read_jsonl


def _json_records(mapping: RecordMapping, path: Path, progress: Progress) -> Iterator[RawRecord]:
    import ijson  # streaming: a document larger than memory is read item by item

    match = RECORDS_PATH.match(mapping.records)
    assert match is not None
    prefix = match["path"].strip(".")
    with path.open("rb") as fh:
        if fh.read(len(BOM)) != BOM:
            fh.seek(0)
        reader = CountingReader(fh, progress)
        if match["each"] == "[*]":
            items = ijson.items(reader, f"{prefix}.item" if prefix else "item", use_float=True)
            pairs: Iterator[tuple[str | None, Any]] = ((None, item) for item in items)
        else:
            pairs = ijson.kvitems(reader, prefix, use_float=True)
        try:
            for n, (key, item) in enumerate(pairs, start=1):
                if key is not None and isinstance(item, dict):
                    item = {mapping.key_field: key, **item}
                yield RawRecord(str(path), f"record {n}", item)
        except (ijson.JSONError, ValueError, RecursionError) as exc:  # ValueError: bad UTF-8
            error = RecordRejected(str(path), "document", None, f"malformed JSON: {exc}")
            yield RawRecord(str(path), "document", error=error)


def _check_columns(mapping: RecordMapping, path: Path) -> None:
    """Refuse, before reading a row, a mapping that reads a column the CSV file lacks."""
    header = csv_header(path, mapping.csv_delimiter)
    if header is None:
        return  # an empty file, or a header that cannot be read: the rows name the problem
    for name, column in mapping.columns():
        if column not in header:
            columns = ", ".join(repr(printable(c)) for c in header) or "none"
            raise MappingError(
                f"{mapping.path}: fields.{name} reads column {column!r}, which {path} does not "
                f"have (its header row has {columns})"
            )


def mapped_source(path: Path, mapping: RecordMapping) -> Source:
    if mapping.sql is not None:
        raise SourceError(
            f"mapping {mapping.path} reads a PostgreSQL table; give a postgresql:// URL as the "
            f"source, not the file {path}"
        )
    if not path.is_file():
        raise SourceError(f"{path} does not exist or is not a file")
    if mapping.format == "csv":
        _check_columns(mapping, path)

    def records(progress: Progress) -> Iterator[RawRecord]:
        if mapping.format == "jsonl":
            raws: Iterator[RawRecord] = read_jsonl(path, progress)
        elif mapping.format == "csv":
            raws = read_csv(path, mapping.csv_delimiter, progress)
        else:
            raws = _json_records(mapping, path, progress)
        for raw in raws:
            if raw.error is None:
                data = raw.data
                try:
                    raw.data = mapping.apply(data)
                except FieldError as exc:
                    raw.error = RecordRejected(raw.source, raw.location, exc.field, exc.reason)
                else:
                    raw.notes = mapping.lacking(data, raw.data)
            yield raw

    # One file read through two mappings is two sources: --prune with one leaves the other be.
    name = f"{path.resolve()} (mapping {mapping.path.resolve()})"
    return Source(name, path.stat().st_size, records)
