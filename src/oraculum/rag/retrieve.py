"""Retrieval: embed the query, search the index, fetch the documents, keep only what agrees.

A hit is trusted only when its item exists, is `indexed`, and has the vector's content hash
(DESIGN.md). Anything else is dropped, logged and counted as a ContextMismatch, so a wrong
passage never reaches the model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from oraculum import time_budget
from oraculum.domain.records import SearchHit, VectorHit
from oraculum.ports import DocumentStore, Embedder, VectorIndex

log = logging.getLogger("oraculum.rag")


@dataclass
class Retrieval:
    hits: list[SearchHit]
    dropped: list[str] = field(default_factory=list)
    embed_ms: float = 0.0
    search_ms: float = 0.0
    fetch_ms: float = 0.0


class Retriever:
    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex,
        documents: DocumentStore,
        *,
        on_mismatch: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.embedder = embedder
        self.index = index
        self.documents = documents
        self.on_mismatch = on_mismatch

    def search(
        self, text: str, *, top_k: int = 5, kind: str | None = None, lang: str | None = None
    ) -> Retrieval:
        t0 = time.perf_counter()
        time_budget.check("the query embedding")
        vector = self.embedder.embed_query(text)
        t1 = time.perf_counter()
        where = {k: v for k, v in (("kind", kind), ("lang", lang)) if v}
        # Ask for a few more than needed, so that a dropped hit does not shorten the answer.
        time_budget.check("the vector search")
        candidates = self.index.query(vector, top_k + max(2, top_k // 2), where or None)
        t2 = time.perf_counter()
        hits, dropped = self.check(candidates)
        t3 = time.perf_counter()
        return Retrieval(
            hits[:top_k],
            dropped,
            embed_ms=(t1 - t0) * 1e3,
            search_ms=(t2 - t1) * 1e3,
            fetch_ms=(t3 - t2) * 1e3,
        )

    def check(self, candidates: list[VectorHit]) -> tuple[list[SearchHit], list[str]]:
        time_budget.check("the document fetch")
        items = self.documents.get_many([c.id for c in candidates])
        hits: list[SearchHit] = []
        dropped: list[str] = []
        for cand in candidates:
            item = items.get(cand.id)
            if item is None:
                reason = "no document"
            elif item.status != "indexed":
                reason = f"document is {item.status}"
            elif item.content_hash != cand.metadata.get("content_hash"):
                reason = "content hash differs"
            else:
                hits.append(SearchHit(item, cand.score))
                continue
            dropped.append(cand.id)
            log.warning("context mismatch: dropped %s (%s)", cand.id, reason)
        if dropped:
            self.on_mismatch(len(dropped))
        return hits, dropped
