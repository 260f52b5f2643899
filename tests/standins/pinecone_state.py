"""What the LOCAL STAND-IN for Pinecone keeps, and the documented rules it enforces.

One `VectorIndexState` per index: namespaces of vectors with metadata; the limits of Pinecone's
data plane (1,000 vectors and 2 MB an upsert, 40 KB of metadata a vector, ids of 1-512 ASCII
characters, 1,000 ids a fetch or delete, top_k up to 10,000, list pages up to 100, the index's
dimension); metadata filters (`pinecone_filters.py`); and a visibility delay: a write is
accepted at once, but reads see it only `visibility_delay` seconds later, in order, as
Pinecone's eventual consistency lets them.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tests.standins.pinecone_filters import Invalid, after_token, matches, next_token

MAX_UPSERT_VECTORS = 1_000
MAX_REQUEST_BYTES = 2_000_000  # "2 MB": the stricter, decimal reading
MAX_METADATA_BYTES = 40_960
MAX_ID_CHARS = 512
MAX_IDS_PER_REQUEST = 1_000  # fetch and delete
MAX_TOP_K = 10_000
MAX_LIST_LIMIT = 100
MAX_DIMENSION = 20_000
METRICS = ("cosine", "euclidean", "dotproduct")


@dataclass
class Stored:
    values: np.ndarray
    metadata: dict[str, Any]


def check_id(ident: Any, what: str = "Vector ID") -> str:
    if not isinstance(ident, str) or not 1 <= len(ident) <= MAX_ID_CHARS:
        size = len(ident) if isinstance(ident, str) else type(ident).__name__
        raise Invalid(f"{what} must be a string of 1-{MAX_ID_CHARS} characters, got {size}")
    if not ident.isascii() or "\x00" in ident:
        raise Invalid(f"{what} must be ASCII without NUL characters: {ident[:64]!r}")
    return ident


def check_metadata(metadata: Any, ident: str) -> dict[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise Invalid(f"Metadata of vector {ident!r} must be an object")
    kept = {}
    for key, value in metadata.items():
        if value is None:
            continue  # Pinecone strips null values
        ok = isinstance(value, str | int | float) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            raise Invalid(
                "Metadata value must be a string, number, boolean or list of strings, got "
                f"'{json.dumps(value)[:80]}' for field '{key}'"
            )
        kept[key] = value
    size = len(json.dumps(kept, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise Invalid(
            f"Metadata size is {size} bytes, which exceeds the limit of {MAX_METADATA_BYTES} "
            "bytes per vector"
        )
    return kept


def check_values(values: Any, dimension: int, what: str = "Vector") -> np.ndarray:
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        raise Invalid(f"{what} values must be a list of numbers")
    if len(values) != dimension:
        raise Invalid(
            f"{what} dimension {len(values)} does not match the dimension of the index {dimension}"
        )
    array = np.asarray(values, dtype=np.float32)
    if not np.all(np.isfinite(array)):
        raise Invalid(f"{what} values must be finite numbers")
    if not np.any(array):
        raise Invalid("Dense vectors must contain at least one non-zero value")
    return array


class VectorIndexState:
    """One index's namespaces, with writes made visible to reads after a delay."""

    def __init__(self, dimension: int, metric: str, delay: Callable[[], float]) -> None:
        self.dimension = dimension
        self.metric = metric
        self._delay = delay
        self._lock = threading.Lock()
        self._spaces: dict[str, dict[str, Stored]] = {}
        self._pending: deque[tuple[float, Callable[[], None]]] = deque()

    # writes: validated now, applied (visible) after the delay, in order
    def _write(self, apply: Callable[[], None]) -> None:
        with self._lock:
            self._pending.append((time.monotonic() + self._delay(), apply))
        self._catch_up()

    def _catch_up(self) -> None:
        with self._lock:
            now = time.monotonic()
            while self._pending and self._pending[0][0] <= now:
                self._pending.popleft()[1]()

    def _space(self, namespace: str) -> dict[str, Stored]:
        """A snapshot of what reads of a namespace see now."""
        self._catch_up()
        with self._lock:
            return dict(self._spaces.get(namespace, {}))

    def upsert(self, namespace: str, vectors: Any) -> int:
        if not isinstance(vectors, list) or not vectors:
            raise Invalid("vectors must be a non-empty array")
        if len(vectors) > MAX_UPSERT_VECTORS:
            raise Invalid(
                f"Upsert of {len(vectors)} vectors exceeds the limit of {MAX_UPSERT_VECTORS} "
                "vectors per request"
            )
        rows: dict[str, Stored] = {}
        for vec in vectors:
            if not isinstance(vec, dict):
                raise Invalid("each vector must be an object")
            ident = check_id(vec.get("id"))
            values = check_values(vec.get("values"), self.dimension)
            rows[ident] = Stored(values, check_metadata(vec.get("metadata"), ident))

        def apply() -> None:
            self._spaces.setdefault(namespace, {}).update(rows)

        self._write(apply)
        return len(rows)

    def delete(self, namespace: str, ids: Any, delete_all: bool, flt: Any) -> None:
        chosen = [ids is not None, bool(delete_all), flt is not None]
        if sum(chosen) != 1:
            raise Invalid("give exactly one of ids, deleteAll and filter")
        doomed: list[str] = []
        if ids is not None:
            if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_IDS_PER_REQUEST:
                raise Invalid(f"ids must be an array of 1-{MAX_IDS_PER_REQUEST} ids")
            doomed = [check_id(i) for i in ids]
        if flt is not None and (not isinstance(flt, dict) or not flt):
            raise Invalid("Delete with empty metadata filter is not allowed")
        if flt is not None:
            matches(flt, {})  # reject a malformed filter now, not when it is applied

        def apply() -> None:
            space = self._spaces.get(namespace, {})
            if delete_all:
                space.clear()
            elif flt is not None:
                for ident in [i for i, s in space.items() if matches(flt, s.metadata)]:
                    del space[ident]
            else:
                for ident in doomed:
                    space.pop(ident, None)

        self._write(apply)

    # reads: what is visible now
    def fetch(self, namespace: str, ids: list[str]) -> dict[str, Any]:
        if not 1 <= len(ids) <= MAX_IDS_PER_REQUEST:
            raise Invalid(f"fetch takes 1-{MAX_IDS_PER_REQUEST} ids, got {len(ids)}")
        space = self._space(namespace)
        return {
            i: {"id": i, "values": space[i].values.tolist(), "metadata": space[i].metadata}
            for i in (check_id(i) for i in ids)
            if i in space
        }

    def query(self, namespace: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        top_k = body.get("topK")
        if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise Invalid(f"topK must be an integer from 1 to {MAX_TOP_K}")
        space = self._space(namespace)
        if (body.get("vector") is None) == (body.get("id") is None):
            raise Invalid("give exactly one of vector and id")
        if body.get("id") is not None:
            found = space.get(check_id(body["id"]))
            if found is None:
                return []
            q = found.values
        else:
            q = check_values(body["vector"], self.dimension, "Query vector")
        flt = body.get("filter")
        picked = [(i, s) for i, s in space.items() if flt is None or matches(flt, s.metadata)]
        scored = sorted(
            ((self._score(q, s.values), i, s) for i, s in picked),
            key=lambda t: (t[0] if self.metric == "euclidean" else -t[0], t[1]),
        )
        return [
            {
                "id": i,
                "score": score,
                "values": s.values.tolist() if body.get("includeValues") else [],
                **({"metadata": s.metadata} if body.get("includeMetadata") else {}),
            }
            for score, i, s in scored[:top_k]
        ]

    def _score(self, q: np.ndarray, v: np.ndarray) -> float:
        if self.metric == "euclidean":
            return float(np.sum((q - v) ** 2))
        dot = float(np.dot(q, v))
        if self.metric == "dotproduct":
            return dot
        norms = float(np.linalg.norm(q) * np.linalg.norm(v))
        return dot / norms if norms and not math.isnan(norms) else 0.0

    def list_ids(
        self, namespace: str, prefix: str, limit: int, token: str | None
    ) -> tuple[list[str], str | None]:
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise Invalid(f"limit must be from 1 to {MAX_LIST_LIMIT}")
        after = after_token(token) if token else None
        ids: Iterable[str] = sorted(i for i in self._space(namespace) if i.startswith(prefix))
        ids = [i for i in ids if after is None or i > after]
        page = ids[:limit]
        return page, (next_token(page[-1]) if len(ids) > limit else None)

    def stats(self) -> dict[str, Any]:
        self._catch_up()
        with self._lock:
            counts = {ns: len(space) for ns, space in self._spaces.items() if space}
        return {
            "namespaces": {ns: {"vectorCount": n} for ns, n in counts.items()},
            "dimension": self.dimension,
            "indexFullness": 0.0,
            "totalVectorCount": sum(counts.values()),
            "metric": self.metric,
            "vectorType": "dense",
        }
