"""Readers that stream raw records from a source, one at a time, with where each came from.

Whatever the bytes (invalid UTF-8, a byte order mark, a huge field, a broken escape), a reader
either yields the record or names it. A source is a path (`jsonl_source`, or `mapped_source`
for JSON/CSV/JSONL through a mapping), or a URL dispatched on its scheme (`url_source`:
postgresql://, read by `postgres.py`).
"""

from oraculum.ingest.sources.base import (
    BOM,
    CountingReader,
    Progress,
    RawRecord,
    Source,
    SourceError,
    chain_sources,
)
from oraculum.ingest.sources.jsonl import jsonl_source, read_jsonl
from oraculum.ingest.sources.mapped import mapped_source
from oraculum.ingest.sources.urls import is_url, redact_url, url_source

__all__ = [
    "BOM",
    "CountingReader",
    "Progress",
    "RawRecord",
    "Source",
    "SourceError",
    "chain_sources",
    "is_url",
    "jsonl_source",
    "mapped_source",
    "read_jsonl",
    "redact_url",
    "url_source",
]
