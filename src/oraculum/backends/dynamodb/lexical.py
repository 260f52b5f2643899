"""Term search for a deployment on DynamoDB: a BM25 shard kept in the table's meta items.

DynamoDB has no term search, and this base (a few thousand chunks, about a megabyte of
postings) is far too small to justify a search cluster beside it; Pinecone's sparse vectors
would need a second index with the dot-product metric. So the index is derived data
(docs/retrieval.md): `rebuild` makes a Bm25Shard from the indexed chunks after each ingest
(and in `repair`), saves it as parts under `~meta#lexical/<generation>/<i>` and then points
`~meta#lexical/head` at it, so a reader sees the old shard or the new one, never a mixture.
A reader loads the shard whole, once per generation (about 35 ms for a megabyte), and asks
the head again at most every `recheck_s` seconds. Parts of a replaced generation are emptied
and left to the table's time to live.

A writer notes each batch of item writes first (`~meta#lexical/stale`, a fresh token), and a
rebuild clears the note only if it is still the one it read before it scanned the items, so
an ingest that changed nothing can skip the scan and the build (`up_to_date`) without
trusting an index that a crashed or concurrent writer left behind. (The read and the clear
are two calls: a writer whose last batch lands between them and then dies before its own
rebuild leaves drift that `verify` reports and `repair` mends.)
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from oraculum.backends.local.bm25 import Bm25Shard
from oraculum.domain.records import Chunk, VectorHit
from oraculum.ports import Filter

if TYPE_CHECKING:
    from oraculum.backends.dynamodb.store import DynamoDocumentStore
    from oraculum.ports import DocumentStore

HEAD = "lexical/head"
STALE = "lexical/stale"
PART_CHARS = 300_000  # base64 characters a part: under DynamoDB's 400 KB item with room
STALE_PARTS_TTL_S = 3_600


def _part_key(generation: str, i: int) -> str:
    return f"lexical/{generation}/{i}"


class DynamoLexicalIndex:
    """The BM25 shard of one DynamoDB document store, read and written through its meta items."""

    follows_writes = False

    def __init__(
        self, documents: DocumentStore, clock: Callable[[], float], *, recheck_s: float = 10.0
    ) -> None:
        """`clock` (Unix seconds, the store's) dates when replaced parts expire."""
        self._documents = documents
        self._clock = clock
        self._recheck_s = recheck_s
        self._lock = threading.Lock()
        self._loaded: tuple[str, Bm25Shard] | None = None
        self._checked_at = float("-inf")

    # --- reads -------------------------------------------------------------------------------
    def _head(self) -> dict[str, Any] | None:
        head = self._documents.get_meta(HEAD)
        return head if isinstance(head, dict) else None

    def _shard(self, *, fresh: bool = False) -> Bm25Shard | None:
        with self._lock:
            if not fresh and self._loaded and time.monotonic() - self._checked_at < self._recheck_s:
                return self._loaded[1]
            for _ in range(2):  # a head replaced while its parts were read: read it again
                head = self._head()
                self._checked_at = time.monotonic()
                if head is None:
                    self._loaded = None
                    return None
                if self._loaded and self._loaded[0] == head["generation"]:
                    return self._loaded[1]
                parts = [
                    self._documents.get_meta(_part_key(head["generation"], i))
                    for i in range(int(head["parts"]))
                ]
                if all(isinstance(p, str) for p in parts):
                    blob = base64.b64decode("".join(parts))
                    self._loaded = (head["generation"], Bm25Shard.from_bytes(blob))
                    return self._loaded[1]
            raise RuntimeError("the lexical index changed twice while it was read")

    def query(self, text: str, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        shard = self._shard()
        return [] if shard is None else shard.query(text, top_k, where)

    def entries(self) -> dict[str, str]:
        shard = self._shard(fresh=True)
        return {} if shard is None else shard.entries()

    def up_to_date(self) -> bool:
        return self._head() is not None and self._documents.get_meta(STALE) is None

    # --- writes ------------------------------------------------------------------------------
    def note_writes(self) -> None:
        self._documents.set_meta(STALE, uuid.uuid4().hex)

    def rebuild(self, chunks: Iterable[Chunk]) -> int:
        """`chunks` is read here, after the stale note: pass a lazy scan, not a list made
        before the call, or a write noted in between is cleared unseen."""
        noted = self._documents.get_meta(STALE)
        held = self._write(Bm25Shard.build(chunks))
        if noted is not None and self._documents.get_meta(STALE) == noted:
            self._documents.set_meta(STALE, None)
        return held

    def _write(self, shard: Bm25Shard) -> int:
        text = base64.b64encode(shard.to_bytes()).decode("ascii")
        generation = hashlib.sha256(text.encode()).hexdigest()[:16]
        old = self._head()
        if old is not None and old.get("generation") == generation:
            return len(shard.ids)  # the same index: nothing to write
        parts = [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]
        for i, part in enumerate(parts):
            self._documents.set_meta(_part_key(generation, i), part)
        head = {"generation": generation, "parts": len(parts), "chunks": len(shard.ids)}
        self._documents.set_meta(HEAD, head)
        if old is not None:
            for i in range(int(old.get("parts", 0))):
                key = _part_key(str(old["generation"]), i)
                self._documents.set_meta(key, None, expires_at=self._clock() + STALE_PARTS_TTL_S)
        with self._lock:
            self._loaded, self._checked_at = (generation, shard), time.monotonic()
        return len(shard.ids)


def from_store(documents: DynamoDocumentStore) -> DynamoLexicalIndex:
    return DynamoLexicalIndex(documents, documents.clock)
