"""Retrieval: find candidates by meaning (vectors), by words (BM25) or both, fetch the
documents, keep only what agrees, and let a reranker order them when one is configured.

A hit is trusted only when its item exists, is `indexed`, and has the content hash every
index that found it holds (DESIGN.md). Anything else is dropped, logged and counted as a
ContextMismatch, so a wrong passage never reaches the model.

Hybrid search fuses the two ranked lists by reciprocal rank fusion: a candidate scores
w / (k + rank) in each list that has it, summed. It needs no calibration between cosine
similarities and BM25 scores, which live on different scales (docs/retrieval.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from oraculum import time_budget
from oraculum.domain.errors import BackendUnavailable
from oraculum.domain.records import SearchHit, VectorHit
from oraculum.ports import DocumentStore, Embedder, Filter, LexicalIndex, Reranker, VectorIndex
from oraculum.rag.placements import Placements

log = logging.getLogger("oraculum.rag")

Mode = Literal["dense", "lexical", "hybrid"]
MODES: tuple[Mode, ...] = ("dense", "lexical", "hybrid")


class NoLexicalIndex(ValueError):
    """Term search was asked of stores that have no lexical index."""


@dataclass(frozen=True)
class Fusion:
    """Reciprocal rank fusion: a candidate at rank r (from 1) of a list scores w / (k + r)."""

    k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    candidates: int = 30  # how deep each list is read before fusing
    # A document scores its best passage's fused score plus this share of its second, the
    # share squared of its third, ...: a card whose several passages each match a question
    # outranks one that matches it once (docs/retrieval.md); 0 ranks passages alone.
    passage_share: float = 0.0
    # What a placement passage (a planet in a sign or a house) keeps of its score when the
    # question does not name both its planet and its sign or house: asked about the tenth
    # house, the house's own entry comes before "Saturn in the Tenth House" (placements.py);
    # 1: no demotion.
    unnamed_placement: float = 0.5


@dataclass
class Retrieval:
    hits: list[SearchHit]
    dropped: list[str] = field(default_factory=list)
    mode: str = "dense"
    embed_ms: float = 0.0
    search_ms: float = 0.0
    lexical_ms: float = 0.0
    fetch_ms: float = 0.0
    rerank_ms: float = 0.0
    reranked: bool = False
    rerank_failed: str | None = None  # why the reranker did not answer (the fused order stood)

    def timings(self) -> dict[str, float]:
        spent = {
            "embed": self.embed_ms,
            "search": self.search_ms,
            "lexical": self.lexical_ms,
            "fetch": self.fetch_ms,
            "rerank": self.rerank_ms,
        }
        return {name: round(ms, 2) for name, ms in spent.items() if ms}


def fuse(ranked: list[tuple[list[VectorHit], float]], k: int) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of ranked lists, each with its weight: (id, fused score), best
    first; ties keep the order of first appearance."""
    scores: dict[str, float] = {}
    for hits, weight in ranked:
        for rank, hit in enumerate(hits, start=1):
            scores[hit.id] = scores.get(hit.id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def by_document(hits: list[SearchHit], share: float) -> list[SearchHit]:
    """One hit a document, its best passage, ranked by the document's score: the best
    passage's plus `share` of the next, `share`² of the one after, ..."""
    passages: dict[str, list[SearchHit]] = {}
    for hit in sorted(hits, key=lambda h: -h.score):
        passages.setdefault(hit.chunk.doc_id, []).append(hit)
    scored = [
        SearchHit(found[0].chunk, sum(h.score * share**i for i, h in enumerate(found)))
        for found in passages.values()
    ]
    return sorted(scored, key=lambda h: -h.score)


class Retriever:
    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex,
        documents: DocumentStore,
        *,
        lexical: LexicalIndex | None = None,
        reranker: Reranker | None = None,
        mode: Mode = "dense",
        fusion: Fusion | None = None,
        rerank_candidates: int = 20,
        on_mismatch: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.embedder = embedder
        self.index = index
        self.documents = documents
        self.lexical = lexical
        self.reranker = reranker
        self.mode: Mode = mode if lexical is not None else "dense"
        self.fusion = fusion or Fusion()
        self.rerank_candidates = rerank_candidates
        self.on_mismatch = on_mismatch
        self.placements = Placements(documents)

    def search(
        self,
        text: str,
        *,
        top_k: int = 5,
        kind: str | None = None,
        lang: str | None = None,
        mode: Mode | None = None,
        one_per_document: bool = False,
    ) -> Retrieval:
        """The top_k checked hits. `one_per_document` keeps each document's best passage
        only (a search a person reads); a reading's context keeps several passages of one
        card when they are the best."""
        mode = mode or self.mode
        if mode not in MODES:
            raise ValueError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
        if mode != "dense" and self.lexical is None:
            raise NoLexicalIndex(f"mode {mode}: these stores have no lexical index")
        where: Filter | None = {k: v for k, v in (("kind", kind), ("lang", lang)) if v} or None
        # Ask for a few more than needed, so that a dropped hit does not shorten the answer.
        want = top_k + max(2, top_k // 2)
        if self.reranker is not None:
            want = max(want, self.rerank_candidates)
        result = Retrieval([], mode=mode)
        lists: list[tuple[list[VectorHit], float]] = []
        # fused lists, and hits a document at a time, need candidates deeper than top_k
        deep = mode != "dense" or one_per_document
        depth = max(want, self.fusion.candidates) if deep else want
        if mode in ("dense", "hybrid"):
            lists.append((self._dense(text, depth, where, result), self.fusion.dense_weight))
        if mode in ("lexical", "hybrid"):
            lists.append((self._lexical(text, depth, where, result), self.fusion.lexical_weight))
        fused = len(lists) > 1
        candidates = self._fused(lists) if fused else lists[0][0]
        t0 = time.perf_counter()
        hits, result.dropped = self.check(candidates if deep else candidates[:want], also=lists)
        result.fetch_ms = (time.perf_counter() - t0) * 1e3
        if fused and self.fusion.unnamed_placement < 1:
            hits = self.placements.demote_unnamed(hits, text, self.fusion.unnamed_placement)
        if one_per_document or (fused and self.fusion.passage_share > 0):
            hits = by_document(hits, self.fusion.passage_share if fused else 0.0)
        if self.reranker is not None and len(hits) > 1:
            hits = self._reranked(text, hits, top_k, result)
        result.hits = hits[:top_k]
        return result

    # --- the candidate lists ---------------------------------------------------------------
    def _dense(
        self, text: str, depth: int, where: Filter | None, out: Retrieval
    ) -> list[VectorHit]:
        t0 = time.perf_counter()
        time_budget.check("the query embedding")
        vector = self.embedder.embed_query(text)
        t1 = time.perf_counter()
        time_budget.check("the vector search")
        found = self.index.query(vector, depth, where)
        out.embed_ms, out.search_ms = (t1 - t0) * 1e3, (time.perf_counter() - t1) * 1e3
        return found

    def _lexical(
        self, text: str, depth: int, where: Filter | None, out: Retrieval
    ) -> list[VectorHit]:
        assert self.lexical is not None
        t0 = time.perf_counter()
        time_budget.check("the term search")
        found = self.lexical.query(text, depth, where)
        out.lexical_ms = (time.perf_counter() - t0) * 1e3
        return found

    def _fused(self, lists: list[tuple[list[VectorHit], float]]) -> list[VectorHit]:
        first: dict[str, VectorHit] = {}
        for hits, _ in lists:
            for hit in hits:
                first.setdefault(hit.id, hit)
        return [
            VectorHit(ident, score, first[ident].metadata)
            for ident, score in fuse(lists, self.fusion.k)
        ]

    def _reranked(
        self, text: str, hits: list[SearchHit], top_k: int, out: Retrieval
    ) -> list[SearchHit]:
        assert self.reranker is not None
        t0 = time.perf_counter()
        time_budget.check("the reranking")
        texts = [f"{h.chunk.title}\n{h.chunk.text}" for h in hits]
        try:
            order = self.reranker.rerank(text, texts, min(top_k, len(hits)))
        except BackendUnavailable as exc:  # the fused order still answers; say so
            log.warning("reranker unavailable, fused order kept: %s", exc)
            out.rerank_ms, out.rerank_failed = (time.perf_counter() - t0) * 1e3, str(exc)
            return hits
        out.rerank_ms, out.reranked = (time.perf_counter() - t0) * 1e3, True
        return [SearchHit(hits[i].chunk, score) for i, score in order]

    # --- the consistency check ---------------------------------------------------------------
    def check(
        self,
        candidates: list[VectorHit],
        *,
        also: Sequence[tuple[list[VectorHit], float]] = (),
    ) -> tuple[list[SearchHit], list[str]]:
        """Keep the candidates whose item is indexed and holds the hash of every index that
        found it (`also`: the lists a fused candidate came from)."""
        time_budget.check("the document fetch")
        held: dict[str, set[object]] = {}
        for hits, _ in also:
            for hit in hits:
                held.setdefault(hit.id, set()).add(hit.metadata.get("content_hash"))
        items = self.documents.get_many([c.id for c in candidates])
        hits: list[SearchHit] = []
        dropped: list[str] = []
        for cand in candidates:
            item = items.get(cand.id)
            hashes = held.get(cand.id) or {cand.metadata.get("content_hash")}
            if item is None:
                reason = "no document"
            elif item.status != "indexed":
                reason = f"document is {item.status}"
            elif hashes != {item.content_hash}:
                reason = "content hash differs"
            else:
                hits.append(SearchHit(item, cand.score))
                continue
            dropped.append(cand.id)
            log.warning("context mismatch: dropped %s (%s)", cand.id, reason)
        if dropped:
            self.on_mismatch(len(dropped))
        return hits, dropped
