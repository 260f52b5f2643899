"""Pinecone's documented operation limits, and the pure logic that keeps requests inside them.

No I/O here: the adapter (`index.py`) checks every vector of a call with `wire_vector`
before it sends any of them, then splits the call with `upsert_batches`, `fetch_batches` and
`id_batches`. The numbers are Pinecone's (docs.pinecone.io, "Database limits"); where the
documentation is vague ("2 MB") the stricter reading is taken.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import orjson  # what the pinecone SDK encodes request bodies with, so sizes measured here match

from oraculum.domain.errors import RecordRejected
from oraculum.ports import Filter

T = TypeVar("T")

MAX_UPSERT_VECTORS = 1_000  # records per upsert request
MAX_UPSERT_BYTES = 2_000_000  # "2 MB" per upsert request, read as decimal megabytes
MAX_METADATA_BYTES = 40_960  # 40 KB per vector, as the server reports it ("limit of 40960 bytes")
MAX_ID_CHARS = 512  # ASCII characters
MAX_IDS_PER_DELETE = 1_000
MAX_IDS_PER_FETCH = 1_000
# Fetch carries its ids in the URL (`?ids=a&ids=b`), and 8 KiB is a common default limit of a
# request line in proxies: a fetch is also cut where its query string would pass this.
MAX_FETCH_QUERY_BYTES = 8_000
LIST_PAGE_SIZE = 100  # the largest page `GET /vectors/list` serves
MAX_TOP_K = 10_000

_ENVELOPE = len(b'{"vectors":[],"namespace":}')


def metadata_bytes(metadata: Mapping[str, Any]) -> int:
    """The size Pinecone's 40 KB limit applies to, measured as compact UTF-8 JSON."""
    text = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8"))


def _shown(ident: str, width: int = 80) -> str:
    return ident if len(ident) <= width else f"{ident[:width]}… ({len(ident)} chars)"


def _metadata_problem(metadata: Mapping[str, Any]) -> str | None:
    for key, value in metadata.items():
        if isinstance(value, str | bool | int | float) or value is None:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            continue
        return (
            f"metadata field {key!r} is a {type(value).__name__}; Pinecone takes only strings, "
            "numbers, booleans and lists of strings"
        )
    size = metadata_bytes(metadata)
    if size > MAX_METADATA_BYTES:
        return (
            f"metadata is {size:,} bytes, over Pinecone's limit of {MAX_METADATA_BYTES:,} bytes "
            "a vector (keep long text in the document store)"
        )
    return None


def wire_vector(
    ident: str, values: Iterable[float], metadata: Mapping[str, Any], *, index: str
) -> dict[str, Any]:
    """One vector as the upsert request carries it; RecordRejected names the id if it cannot go."""
    source = f"pinecone index {index!r}"

    def reject(field: str, reason: str) -> RecordRejected:
        return RecordRejected(source, _shown(ident), field, reason)

    if not ident or len(ident) > MAX_ID_CHARS:
        raise reject("id", f"ids are 1-{MAX_ID_CHARS} characters, this one has {len(ident)}")
    if not ident.isascii() or "\x00" in ident:
        raise reject("id", "Pinecone ids are ASCII without NUL characters")
    floats = [float(v) for v in values]
    if not all(math.isfinite(v) for v in floats):
        raise reject("values", "the vector holds NaN or infinite values")
    if not any(floats):
        raise reject("values", "Pinecone refuses a vector whose values are all zero")
    problem = _metadata_problem(metadata)
    if problem:
        raise reject("metadata", problem)
    return {"id": ident, "values": floats, "metadata": dict(metadata)}


def _packed(
    items: Iterable[T], size_of: Callable[[T], int], max_count: int, max_bytes: int
) -> Iterator[list[T]]:
    """Consecutive runs of items, each at most `max_count` long and `max_bytes` in size."""
    batch: list[T] = []
    used = 0
    for item in items:
        size = size_of(item)
        if batch and (len(batch) >= max_count or used + size > max_bytes):
            yield batch
            batch, used = [], 0
        batch.append(item)
        used += size
    if batch:
        yield batch


def upsert_batches(
    items: Sequence[dict[str, Any]], namespace: str
) -> Iterator[list[dict[str, Any]]]:
    """Consecutive runs of items, each at most 1,000 vectors and 2 MB as one request body."""
    budget = MAX_UPSERT_BYTES - _ENVELOPE - len(orjson.dumps(namespace))

    def size(item: dict[str, Any]) -> int:
        return len(orjson.dumps(item)) + 1  # and the comma before it

    return _packed(items, size, MAX_UPSERT_VECTORS, budget)


def id_batches(ids: Sequence[str], size: int = MAX_IDS_PER_DELETE) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def fetch_batches(ids: Sequence[str]) -> Iterator[list[str]]:
    """Runs of ids that fit one fetch: at most 1,000, and a query string under 8 KB."""

    def size(ident: str) -> int:
        return len("&ids=") + len(quote(ident, safe=""))

    return _packed(ids, size, MAX_IDS_PER_FETCH, MAX_FETCH_QUERY_BYTES)


def to_filter(where: Filter | None) -> dict[str, Any] | None:
    """Our `where` (equality, or any-of for a sequence) in Pinecone's filter language."""
    if not where:
        return None
    return {
        name: {"$eq": want} if isinstance(want, str) else {"$in": list(want)}
        for name, want in where.items()
    }


def unsatisfiable(where: Filter | None) -> bool:
    """True when some field must be one of no values: nothing can match, nothing to ask."""
    return bool(where) and any(
        not isinstance(want, str) and len(want) == 0 for want in (where or {}).values()
    )
