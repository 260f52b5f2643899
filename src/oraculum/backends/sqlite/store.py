"""The document store on SQLite (WAL): one row per chunk, keyed by chunk id.

Safe to share between threads (the API serves requests in parallel): reads borrow a pooled
connection each, writes go one at a time through the writer (sqlite/connections.py: Connections).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oraculum.backends.sqlite import lexical
from oraculum.backends.sqlite.connections import Connections, in_batches, placeholders
from oraculum.clock import system_time
from oraculum.domain.errors import DimensionMismatch
from oraculum.domain.records import Chunk

if TYPE_CHECKING:
    from oraculum.config import Settings

log = logging.getLogger("oraculum.store")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    metadata TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'indexed'))
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source, doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL);
"""
_COLUMNS = "id, doc_id, n, kind, lang, title, section, text, content_hash, metadata, source, status"


def _row(chunk: Chunk) -> tuple[object, ...]:
    return (
        chunk.id, chunk.doc_id, chunk.n, chunk.kind, chunk.lang, chunk.title, chunk.section,
        chunk.text, chunk.content_hash, json.dumps(chunk.metadata, ensure_ascii=False),
        chunk.source, chunk.status,
    )  # fmt: skip


def _chunk(row: Sequence[Any]) -> Chunk:
    return Chunk(
        id=row[0], doc_id=row[1], n=row[2], kind=row[3], lang=row[4], title=row[5],
        section=row[6], text=row[7], content_hash=row[8], metadata=json.loads(row[9]),
        source=row[10], status=row[11],
    )  # fmt: skip


class SqliteDocumentStore:
    """`clock` (Unix seconds) decides when a meta value with an expiry has expired."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = system_time) -> None:
        self.path = path
        self.clock = clock
        self._conns = Connections(path, _SCHEMA + lexical.SCHEMA)
        self._db = self._conns.writer  # the writer; reads use the pool
        meta_columns = {row[1] for row in self._db.execute("PRAGMA table_info(meta)")}
        if "expires_at" not in meta_columns:  # a store made before cache entries expired
            self._db.execute("ALTER TABLE meta ADD COLUMN expires_at REAL")
        self.lexical = lexical.SqliteLexicalIndex(self._conns)
        self._index_older_store()

    def _index_older_store(self) -> None:
        """A store made before term search has items and no lexical rows: index them once."""
        has_rows = self._db.execute("SELECT 1 FROM lexical_rows LIMIT 1").fetchone()
        if has_rows is None and self._db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone():
            log.info("indexing the words of %s for term search (once)", self.path)
            self.lexical.rebuild(self.scan())

    # --- the model the store was built with --------------------------------------------
    @property
    def model_id(self) -> str | None:
        value = self.get_meta("model_id")
        return None if value is None else str(value)

    def claim(self, model_id: str, dim: int) -> None:
        found, found_dim = self.get_meta("model_id"), self.get_meta("dim")
        if found is None:
            self.set_meta("model_id", model_id)
            self.set_meta("dim", dim)
        elif found != model_id or found_dim != dim:
            raise DimensionMismatch(
                f"document store {self.path}", f"{model_id} ({dim}-d)", f"{found} ({found_dim}-d)"
            )

    def get_meta(self, key: str) -> Any:
        query = "SELECT value, expires_at FROM meta WHERE key=?"
        with self._conns.reading() as db:
            row = db.execute(query, (key,)).fetchone()
        if row is None or (row[1] is not None and row[1] <= self.clock()):
            return None
        return json.loads(row[0])

    def set_meta(self, key: str, value: Any, *, expires_at: float | None = None) -> None:
        with self._conns.writing() as db:
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value, expires_at) VALUES (?, ?, ?)",
                (key, json.dumps(value, ensure_ascii=False), expires_at),
            )
            if expires_at is not None:  # whoever adds to the cache clears what has expired
                db.execute("DELETE FROM meta WHERE expires_at <= ?", (self.clock(),))

    # --- writes ------------------------------------------------------------------------
    def put_many(self, chunks: Iterable[Chunk]) -> None:
        chunks = list(chunks)
        rows = [_row(c) for c in chunks]
        if not rows:
            return
        with self._conns.writing() as db:
            db.executemany(
                f"INSERT OR REPLACE INTO chunks ({_COLUMNS}) VALUES ({placeholders(12)})", rows
            )
            lexical.write(db, chunks)

    def mark_indexed(self, hashes: Mapping[str, str]) -> int:
        if not hashes:
            return 0
        with self._conns.writing() as db:
            cur = db.executemany(
                "UPDATE chunks SET status='indexed' WHERE id=? AND content_hash=?",
                list(hashes.items()),
            )
            return cur.rowcount

    def delete_many(self, ids: Sequence[str]) -> None:
        with self._conns.writing() as db:
            for part, marks in in_batches(ids):
                db.execute(f"DELETE FROM chunks WHERE id IN ({marks})", part)
            lexical.remove(db, ids)

    # --- reads -------------------------------------------------------------------------
    def get_many(self, ids: Sequence[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        with self._conns.reading() as db:
            for part, marks in in_batches(ids):
                sql = f"SELECT {_COLUMNS} FROM chunks WHERE id IN ({marks})"
                for row in db.execute(sql, part):
                    out[row[0]] = _chunk(row)
        return out

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {d: [] for d in doc_ids}
        with self._conns.reading() as db:
            for part, marks in in_batches(doc_ids):
                sql = f"SELECT doc_id, id FROM chunks WHERE doc_id IN ({marks}) ORDER BY doc_id, n"
                for doc_id, ident in db.execute(sql, part):
                    out[doc_id].append(ident)
        return out

    def doc_ids_of_source(self, source: str) -> Iterator[str]:
        sql = "SELECT DISTINCT doc_id FROM chunks WHERE source=? ORDER BY doc_id"
        with self._conns.reading() as db, closing(db.execute(sql, (source,))) as cur:
            for (doc_id,) in cur:
                yield doc_id

    def scan(self) -> Iterator[Chunk]:
        sql = f"SELECT {_COLUMNS} FROM chunks ORDER BY id"
        with self._conns.reading() as db, closing(db.execute(sql)) as cur:
            for row in cur:
                yield _chunk(row)

    def count(self) -> int:
        with self._conns.reading() as db:
            return int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def close(self) -> None:
        self._conns.close()


def from_settings(settings: Settings) -> SqliteDocumentStore:
    from oraculum.clock import timestamp

    clock = settings.clock()
    return SqliteDocumentStore(
        settings.data_dir / "documents.sqlite", clock=lambda: timestamp(clock)
    )
