"""The ingest run: stream, validate, chunk, embed what changed, write both stores safely.

Writes follow DESIGN.md's protocol per batch: (1) items `pending`, (2) vectors, (3) items
`indexed` where the hash still matches. Deletions go vectors first, items second, so a kill
between the two leaves an item that the next run (or `--prune`) deletes again, never an
orphan vector that nothing knows of.

A sharded run (`IngestOptions.shard`, with a `run_id`) keeps only the records its shard owns
(shards.py), never prunes and never rebuilds a derived lexical index: it records the ids it saw
in the run's manifest (manifest.py), and the finish step (finish.py) prunes from the union of
every shard's, rebuilds the lexical index once and verifies.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from oraculum.config import Settings, Stores
from oraculum.domain.errors import ConfigError, RecordRejected, printable
from oraculum.domain.records import Chunk, Record
from oraculum.ingest import failpoints
from oraculum.ingest.chunking import chunk_record
from oraculum.ingest.embed_cache import EmbeddingCache
from oraculum.ingest.lexical_sync import note_writes
from oraculum.ingest.manifest import ShardSummary, check_run_id, write_shard
from oraculum.ingest.normalize import Limits, build_record, probable_id
from oraculum.ingest.settle import settle
from oraculum.ingest.shards import Shard
from oraculum.ingest.sources import RawRecord, Source
from oraculum.ports import Vector

PRUNE_BATCH = 100


@dataclass
class IngestOptions:
    prune: bool = False
    dry_run: bool = False
    strict: bool = False
    shard: Shard | None = None  # a sharded run: this shard's records only, and a manifest
    run_id: str | None = None  # the sharded run this shard belongs to
    # Asked after each batch: True stops the run there, incomplete (no prune, no manifest),
    # to be run again (a Lambda worker near its timeout).
    should_stop: Callable[[], bool] | None = None

    def check(self) -> None:
        """ConfigError for options that contradict each other."""
        if self.shard is None:
            if self.run_id is not None:
                raise ConfigError("a run id belongs to a sharded run: give --shard I/N too")
            return
        if self.prune:
            raise ConfigError(
                "--prune cannot be given with --shard: one shard sees only its share of the "
                "source, so it would delete the others'. Prune once, after every shard, with "
                "`oraculum ingest-finish SOURCE --run RUN --shards N`"
            )
        if self.run_id is None:
            raise ConfigError(
                "--shard needs --run RUN: the id every shard of one run shares (the finish "
                "step reads their manifests by it)"
            )
        check_run_id(self.run_id)


@dataclass
class IngestReport:
    source: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: list[RecordRejected] = field(default_factory=list)
    chunks_written: int = 0
    chunks_embedded: int = 0
    cache_hits: int = 0
    dry_run: bool = False
    prune_skipped: str | None = None
    shard: str | None = None  # "I/N" of a sharded run
    run: str | None = None
    elsewhere: int = 0  # records left to the other shards
    manifest_parts: int = 0
    complete: bool = True  # False: stopped early (should_stop); run it again
    lexical: int | None = None  # chunks in a derived lexical index made again by this run

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "shard": self.shard,
            "run": self.run,
            "elsewhere": self.elsewhere,
            "manifest_parts": self.manifest_parts,
            "complete": self.complete,
            "read": self.read,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "rejected": len(self.rejected),
            "rejections": [r.as_dict() for r in self.rejected],
            "chunks_written": self.chunks_written,
            "chunks_embedded": self.chunks_embedded,
            "cache_hits": self.cache_hits,
            "dry_run": self.dry_run,
            "prune_skipped": self.prune_skipped,
            "lexical_rebuilt": self.lexical,
        }


def _same_item(old: Chunk, new: Chunk) -> bool:
    return (
        old.content_hash == new.content_hash
        and old.text == new.text
        and old.title == new.title
        and old.section == new.section
        and old.metadata == new.metadata
        and old.source == new.source
        and old.kind == new.kind
        and old.lang == new.lang
    )


def _vector_current(old: Chunk, new: Chunk) -> bool:
    """The stored vector (and its metadata) is still right for `new`."""
    return old.status == "indexed" and old.vector_metadata() == new.vector_metadata()


class Ingest:
    def __init__(
        self,
        settings: Settings,
        stores: Stores,
        options: IngestOptions,
        *,
        source_name: str,
        on_progress: Callable[[int], None] = lambda n: None,
    ) -> None:
        options.check()
        self.source_name = source_name
        self.settings = settings
        self.stores = stores
        self.options = options
        self.on_progress = on_progress
        self.limits = Limits(
            settings.max_record_chars, settings.max_title_chars, settings.max_metadata_bytes
        )
        self.cache = EmbeddingCache(
            settings.data_dir / "embed-cache.sqlite", stores.embedder.model_id, stores.embedder.dim
        )
        self._seen: dict[str, str] = {}  # doc id -> where it was first read
        self._wrote = False  # any item written or deleted by this run
        self._unknown_rejects = 0

    # --- the run ---------------------------------------------------------------------------
    def run(self, source: Source) -> IngestReport:
        shard = self.options.shard
        report = IngestReport(
            self.source_name, dry_run=self.options.dry_run,
            shard=None if shard is None else str(shard), run=self.options.run_id,
        )  # fmt: skip
        try:
            records = self._records(source, report)
            stop = self.options.should_stop
            while batch := list(islice(records, self.settings.ingest_batch_size)):
                self._load(batch, report)
                if stop is not None and stop():
                    report.complete = False
                    break
            if self.options.prune and report.complete:
                self._prune(report)
            if not self.options.dry_run:
                self.stores.index.flush()
                if shard is None:
                    report.lexical = settle(self.stores, changed=self._wrote)
                elif report.complete:  # the finish step rebuilds the lexical index, once
                    self._write_manifest(shard, report)
        finally:
            self.cache.close()
        return report

    def _write_manifest(self, shard: Shard, report: IngestReport) -> None:
        assert self.options.run_id is not None  # checked by IngestOptions.check
        summary = ShardSummary(report.read, len(report.rejected), self._unknown_rejects)
        now = self.settings.clock().now().timestamp()
        report.manifest_parts = write_shard(
            self.stores.documents, self.source_name, self.options.run_id, shard, self._seen,
            summary, now=now,
        )  # fmt: skip

    def _records(self, source: Source, report: IngestReport) -> Iterator[Record]:
        for raw in source.records(self.on_progress):
            try:
                record = self._validate(raw)
            except RecordRejected as rejected:
                report.read += 1
                report.rejected.append(rejected)
                if self.options.strict:
                    raise
                continue
            if record is None:
                report.elsewhere += 1
                continue
            report.read += 1
            yield record

    def _ours(self, ident: str | None) -> bool:
        shard = self.options.shard
        return shard is None or shard.owns(ident)

    def _validate(self, raw: RawRecord) -> Record | None:
        """The record, None when it is another shard's, or RecordRejected (if it is ours)."""
        if raw.error is not None:
            if not self._ours(None):
                return None
            self._unknown_rejects += 1
            raise raw.error
        try:
            record = build_record(
                raw.data, source=self.source_name, location=raw.location, limits=self.limits
            )
        except RecordRejected as exc:
            # A rejected record that was stored before must survive --prune.
            ident = probable_id(raw.data)
            if not self._ours(ident):
                return None
            if ident is None:
                self._unknown_rejects += 1
            else:
                self._seen.setdefault(ident, "a rejected record")
            note = raw.notes.get(exc.field or "")
            reason = exc.reason if note is None else f"{exc.reason} ({note})"
            raise RecordRejected(raw.source, raw.location, exc.field, reason) from None
        if not self._ours(record.id):
            return None
        first = self._seen.get(record.id)
        if first is not None:
            raise RecordRejected(
                raw.source, raw.location, "id", f"{record.id!r} was already read at {first}"
            )
        self._seen[record.id] = f"{raw.source}:{raw.location}"
        return record

    # --- one batch -------------------------------------------------------------------------
    def _load(self, records: list[Record], report: IngestReport) -> None:
        embedder = self.stores.embedder
        docs = self.stores.documents
        chunks_of = {
            r.id: chunk_record(r, model_id=embedder.model_id, limit=self.settings.chunk_chars)
            for r in records
        }
        before = docs.chunk_ids_of(list(chunks_of))
        old = docs.get_many([cid for ids in before.values() for cid in ids])
        to_index: list[Chunk] = []
        item_only: list[Chunk] = []
        stale: list[str] = []
        for doc_id, chunks in chunks_of.items():
            new_ids = {c.id for c in chunks}
            gone = [cid for cid in before[doc_id] if cid not in new_ids]
            stale.extend(gone)
            changed = bool(gone)
            for chunk in chunks:
                prior = old.get(chunk.id)
                if prior is not None and _same_item(prior, chunk) and prior.status == "indexed":
                    continue
                changed = True
                if prior is not None and _vector_current(prior, chunk):
                    item_only.append(chunk.with_status("indexed"))
                else:
                    to_index.append(chunk)
            if not before[doc_id]:
                report.new += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
        if self.options.dry_run:
            return
        if to_index or item_only or stale:
            note_writes(self.stores)
            self._wrote = True
        vectors = self._vectors(to_index, report)
        if to_index:
            docs.put_many(to_index)
            failpoints.hit("after-pending")
            self.stores.index.upsert(
                [c.id for c in to_index], vectors, [c.vector_metadata() for c in to_index]
            )
            failpoints.hit("after-vector")
            failpoints.hit("before-indexed")
            docs.mark_indexed({c.id: c.content_hash for c in to_index})
        if item_only:
            docs.put_many(item_only)
        if stale:
            self.stores.index.delete(stale)
            failpoints.hit("mid-stale")
            docs.delete_many(stale)
        report.chunks_written += len(to_index) + len(item_only)

    def _vectors(self, chunks: list[Chunk], report: IngestReport) -> Vector:
        matrix, embedded = self.cache.vectors_for(chunks, self.stores.embedder)
        report.chunks_embedded += embedded
        report.cache_hits += len(chunks) - embedded
        return matrix

    # --- prune -----------------------------------------------------------------------------
    def _prune(self, report: IngestReport) -> None:
        if self._unknown_rejects:
            report.prune_skipped = (
                f"{self._unknown_rejects} record(s) could not be read far enough to know their "
                "id; pruning could delete their stored versions, so nothing was pruned"
            )
            return
        report.deleted = prune_source(
            self.stores, self.source_name, self._seen, dry_run=self.options.dry_run
        )
        self._wrote = self._wrote or report.deleted > 0


def prune_source(
    stores: Stores, source_name: str, keep: Container[str], *, dry_run: bool = False
) -> int:
    """Delete the documents of `source_name` whose ids are not in `keep`, vectors first;
    returns how many (with `dry_run`, how many would be)."""
    docs = stores.documents
    doomed = [d for d in docs.doc_ids_of_source(source_name) if d not in keep]
    if dry_run or not doomed:
        return len(doomed)
    note_writes(stores)
    for start in range(0, len(doomed), PRUNE_BATCH):
        part = doomed[start : start + PRUNE_BATCH]
        ids = [cid for ids in docs.chunk_ids_of(part).values() for cid in ids]
        stores.index.delete(ids)
        failpoints.hit("mid-prune")
        docs.delete_many(ids)
    return len(doomed)


def ingest(
    settings: Settings,
    stores: Stores,
    source: Source,
    options: IngestOptions,
    *,
    source_name: str | None = None,
    on_progress: Callable[[int], None] = lambda n: None,
) -> IngestReport:
    name = printable(source_name or source.name)  # stored with every chunk: UTF-8 must hold it
    return Ingest(settings, stores, options, source_name=name, on_progress=on_progress).run(source)
