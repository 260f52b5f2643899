"""Compare both stores in full (verify) and fix each class of drift (repair).

An index that is eventually consistent (Pinecone) says so with a `grace_s` attribute: a
vector just written may be missing from its listing, or a deleted one still listed, for a
short while. verify then looks again, with growing pauses, for up to that long before it
calls orphan, missing or stale vectors drift; the report says how long it waited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from oraculum import knowledge_version
from oraculum.config import Settings, Stores
from oraculum.ingest.embed_cache import EmbeddingCache
from oraculum.ingest.lexical_sync import note_writes

FETCH_BATCH = 500
Tick = Callable[[int], None]


@dataclass
class DriftReport:
    documents: int = 0
    vectors: int = 0
    orphan_vectors: list[str] = field(default_factory=list)
    missing_vectors: list[str] = field(default_factory=list)
    stale_hashes: list[str] = field(default_factory=list)
    stuck_pending: list[str] = field(default_factory=list)
    dimension_mismatch: list[str] = field(default_factory=list)
    # the lexical index against the items it should hold: every item when it is written with
    # them (SQLite), the indexed ones when it is derived from them (DynamoDB)
    lexical: int | None = None  # entries it holds; None: the stores have no lexical index
    lexical_missing: list[str] = field(default_factory=list)
    lexical_orphan: list[str] = field(default_factory=list)
    lexical_stale: list[str] = field(default_factory=list)
    waited_s: float = 0.0

    @property
    def clean(self) -> bool:
        return not (
            self.orphan_vectors
            or self.missing_vectors
            or self.stale_hashes
            or self.stuck_pending
            or self.dimension_mismatch
            or self.lexical_drift
        )

    @property
    def lexical_drift(self) -> bool:
        return bool(self.lexical_missing or self.lexical_orphan or self.lexical_stale)

    def counts(self) -> dict[str, int]:
        return {
            "orphan_vectors": len(self.orphan_vectors),
            "missing_vectors": len(self.missing_vectors),
            "stale_hashes": len(self.stale_hashes),
            "stuck_pending": len(self.stuck_pending),
            "dimension_mismatch": len(self.dimension_mismatch),
            "lexical_missing": len(self.lexical_missing),
            "lexical_orphan": len(self.lexical_orphan),
            "lexical_stale": len(self.lexical_stale),
        }

    def as_dict(self, examples: int = 20) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "documents": self.documents,
            "vectors": self.vectors,
            "counts": self.counts(),
            "examples": {
                "orphan_vectors": self.orphan_vectors[:examples],
                "missing_vectors": self.missing_vectors[:examples],
                "stale_hashes": self.stale_hashes[:examples],
                "stuck_pending": self.stuck_pending[:examples],
                "lexical_missing": self.lexical_missing[:examples],
                "lexical_orphan": self.lexical_orphan[:examples],
                "lexical_stale": self.lexical_stale[:examples],
            },
            "lexical": self.lexical,
            "dimension_mismatch": self.dimension_mismatch,
            "waited_s": round(self.waited_s, 2),
        }

    @property
    def index_lag_could_explain(self) -> bool:
        """Drift of the kinds an eventually consistent index shows for a while."""
        lagging = self.orphan_vectors or self.missing_vectors or self.stale_hashes
        return bool(lagging) and not self.dimension_mismatch


def _dimension_problems(stores: Stores) -> list[str]:
    want_model, want_dim = stores.embedder.model_id, stores.embedder.dim
    problems = []
    if stores.index.model_id not in (None, want_model) or stores.index.dim not in (0, want_dim):
        problems.append(
            f"vector index holds {stores.index.model_id} ({stores.index.dim}-d); "
            f"the embedder is {want_model} ({want_dim}-d)"
        )
    if stores.documents.model_id not in (None, want_model):
        problems.append(
            f"document store was built with {stores.documents.model_id}; "
            f"the embedder is {want_model}"
        )
    return problems


def verify(
    stores: Stores,
    *,
    tick: Tick = lambda n: None,
    grace_s: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DriftReport:
    """Both stores compared in full; drift an index's lag explains is looked at again for up
    to `grace_s` (default: the index's own `grace_s`, 0 for the embedded indexes)."""
    grace = float(getattr(stores.index, "grace_s", 0.0)) if grace_s is None else grace_s
    report = _verify_once(stores, tick)
    waited, pause = 0.0, 0.5
    while report.index_lag_could_explain and waited < grace:
        step = min(pause, grace - waited)
        sleep(step)
        waited += step
        pause *= 2
        report = _verify_once(stores, lambda n: None)
    report.waited_s = waited
    return report


def _verify_once(stores: Stores, tick: Tick) -> DriftReport:
    report = DriftReport(dimension_mismatch=_dimension_problems(stores))
    items: dict[str, tuple[str, str]] = {}
    for chunk in stores.documents.scan():
        items[chunk.id] = (chunk.content_hash, chunk.status)
        tick(1)
    report.documents = len(items)
    seen: set[str] = set()
    ids = stores.index.list_ids()
    while batch := list(islice(ids, FETCH_BATCH)):
        metadata = stores.index.fetch_metadata(batch)
        for vid in batch:
            seen.add(vid)
            item = items.get(vid)
            if item is None:
                report.orphan_vectors.append(vid)
            elif item[1] == "indexed" and metadata.get(vid, {}).get("content_hash") != item[0]:
                report.stale_hashes.append(vid)
        tick(len(batch))
    report.vectors = len(seen)
    for cid, (_, status) in items.items():
        if status == "pending":
            report.stuck_pending.append(cid)
        elif cid not in seen:
            report.missing_vectors.append(cid)
    for bucket in (report.orphan_vectors, report.missing_vectors, report.stale_hashes):
        bucket.sort()
    _verify_lexical(stores, items, report)
    return report


def _verify_lexical(stores: Stores, items: dict[str, tuple[str, str]], out: DriftReport) -> None:
    lexical = stores.lexical
    if lexical is None:
        return
    held = lexical.entries()
    out.lexical = len(held)
    expected = {
        cid: digest
        for cid, (digest, status) in items.items()
        if lexical.follows_writes or status == "indexed"
    }
    out.lexical_missing = sorted(cid for cid in expected if cid not in held)
    out.lexical_orphan = sorted(cid for cid in held if cid not in expected)
    out.lexical_stale = sorted(
        cid for cid, digest in expected.items() if cid in held and held[cid] != digest
    )


@dataclass
class RepairReport:
    orphans_deleted: int = 0
    vectors_written: int = 0
    chunks_embedded: int = 0
    lexical_rebuilt: int | None = None  # entries of a lexical index made again
    unrepairable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def repair(
    settings: Settings, stores: Stores, drift: DriftReport, *, tick: Tick = lambda n: None
) -> RepairReport:
    """Orphans are deleted; missing, stale and pending chunks get a vector from their item."""
    out = RepairReport(unrepairable=list(drift.dimension_mismatch))
    if drift.dimension_mismatch:
        return out
    for start in range(0, len(drift.orphan_vectors), FETCH_BATCH):
        part = drift.orphan_vectors[start : start + FETCH_BATCH]
        stores.index.delete(part)
        out.orphans_deleted += len(part)
        tick(len(part))
    todo = drift.missing_vectors + drift.stale_hashes + drift.stuck_pending
    if todo:
        note_writes(stores)  # items turn indexed: the derived lexical index follows below
    cache = EmbeddingCache(
        settings.data_dir / "embed-cache.sqlite", stores.embedder.model_id, stores.embedder.dim
    )
    try:
        step = settings.ingest_batch_size
        for start in range(0, len(todo), step):
            chunks = list(stores.documents.get_many(todo[start : start + step]).values())
            matrix, embedded = cache.vectors_for(chunks, stores.embedder)
            stores.index.upsert(
                [c.id for c in chunks], matrix, [c.vector_metadata() for c in chunks]
            )
            stores.documents.mark_indexed({c.id: c.content_hash for c in chunks})
            out.chunks_embedded += embedded
            out.vectors_written += len(chunks)
            tick(len(chunks))
    finally:
        cache.close()
    stores.index.flush()
    lexical = stores.lexical
    if lexical is not None and (drift.lexical_drift or (todo and not lexical.follows_writes)):
        # made again in full from the items: the index is small next to the vectors, and a
        # rebuild cannot leave a class of drift behind
        every = lexical.follows_writes
        out.lexical_rebuilt = lexical.rebuild(
            c for c in stores.documents.scan() if every or c.status == "indexed"
        )
    if todo or drift.orphan_vectors:
        knowledge_version.bump(stores.documents)  # what retrieval finds has changed
    return out
