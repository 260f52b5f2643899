"""Vectors and their metadata in SQLite: the durable half of the embedded vector indexes.

The ANN structure (usearch) is rebuilt from this table whenever its saved copy is older than
the table, so a process killed between the two never leaves the index out of step.

Threads: the table reads with a pooled connection each and writes one at a time
(sqlite/connections.py: Connections); an index over it lets its searches run together and its writes
run alone (`TableBackedIndex.lock`, a ReadWriteLock).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt

from oraculum.backends.sqlite.connections import Connections, in_batches, placeholders
from oraculum.domain.errors import DimensionMismatch
from oraculum.domain.records import Metadata
from oraculum.ports import Filter, Vector

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    vector BLOB NOT NULL,
    kind TEXT, lang TEXT, doc_id TEXT,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS vectors_kind_lang ON vectors(kind, lang);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_COLUMNS = ("kind", "lang", "doc_id")
Keys = npt.NDArray[np.int64]


def _where(where: Filter | None) -> tuple[str, list[str]]:
    if not where:
        return "", []
    clauses, params = [], []
    for name, want in where.items():
        column = name if name in _COLUMNS else f"json_extract(metadata, '$.{name}')"
        values = [want] if isinstance(want, str) else list(want)
        clauses.append(f"{column} IN ({placeholders(len(values))})")
        params.extend(values)
    return " WHERE " + " AND ".join(clauses), params


class VectorTable:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conns = Connections(path, _SCHEMA)
        self.written_generation = -1  # the generation our last write made

    # --- the model the table was built with -------------------------------------------
    def meta(self, key: str) -> str | None:
        with self._conns.reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def claim(self, model_id: str, dim: int) -> None:
        found_model, found_dim = self.meta("model_id"), self.meta("dim")
        if found_model is None:
            with self._conns.writing() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [("model_id", model_id), ("dim", str(dim))],
                )
            return
        if found_model != model_id or int(found_dim or 0) != dim:
            raise DimensionMismatch(
                f"vector index {self.path}",
                f"{model_id} ({dim}-d)",
                f"{found_model} ({found_dim}-d)",
            )

    @property
    def dim(self) -> int:
        return int(self.meta("dim") or 0)

    @property
    def generation(self) -> int:
        return int(self.meta("generation") or 0)

    def _bump(self, db: sqlite3.Connection) -> None:
        """Count a write; `written_generation` is then the generation it made (another
        process's writes between two of ours show as a gap)."""
        db.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
        found = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        self.written_generation = int(found[0])

    # --- writes ------------------------------------------------------------------------
    def upsert(
        self, ids: Sequence[str], vectors: Vector, metadata: Sequence[Metadata]
    ) -> tuple[Keys, Keys]:
        """Replace or add rows; returns (keys removed, keys added) for the ANN structure."""
        removed = self._keys_of(ids)
        rows = [
            (
                ident,
                np.asarray(vec, dtype=np.float32).tobytes(),
                meta.get("kind"),
                meta.get("lang"),
                meta.get("doc_id"),
                json.dumps(meta, ensure_ascii=False, sort_keys=True),
            )
            for ident, vec, meta in zip(ids, vectors, metadata, strict=True)
        ]
        with self._conns.writing() as db:
            self._delete_ids(db, ids)
            db.executemany(
                "INSERT INTO vectors (id, vector, kind, lang, doc_id, metadata) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._bump(db)
        return removed, self._keys_of(ids)

    def delete(self, ids: Sequence[str]) -> Keys:
        removed = self._keys_of(ids)
        with self._conns.writing() as db:
            self._delete_ids(db, ids)
            self._bump(db)
        return removed

    @staticmethod
    def _delete_ids(db: sqlite3.Connection, ids: Sequence[str]) -> None:
        for part, marks in in_batches(ids):
            db.execute(f"DELETE FROM vectors WHERE id IN ({marks})", part)

    # --- reads -------------------------------------------------------------------------
    def _keys_of(self, ids: Sequence[str]) -> Keys:
        keys: list[int] = []
        with self._conns.reading() as db:
            for part, marks in in_batches(ids):
                sql = f"SELECT key FROM vectors WHERE id IN ({marks})"
                keys.extend(row[0] for row in db.execute(sql, part))
        return np.asarray(keys, dtype=np.int64)

    def rows_for_keys(self, keys: Sequence[int]) -> dict[int, tuple[str, Metadata]]:
        out: dict[int, tuple[str, Metadata]] = {}
        with self._conns.reading() as db:
            for part, marks in in_batches([int(k) for k in keys]):
                where = f"key IN ({marks})"
                for key, ident, meta in db.execute(
                    f"SELECT key, id, metadata FROM vectors WHERE {where}", part
                ):
                    out[key] = (ident, json.loads(meta))
        return out

    def matching_count(self, where: Filter | None) -> int:
        clause, params = _where(where)
        with self._conns.reading() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM vectors{clause}", params).fetchone()[0])

    def matching_keys(self, where: Filter | None) -> set[int]:
        clause, params = _where(where)
        with self._conns.reading() as db:
            return {row[0] for row in db.execute(f"SELECT key FROM vectors{clause}", params)}

    def vectors(self, where: Filter | None = None) -> tuple[Keys, Vector]:
        clause, params = _where(where)
        keys: list[int] = []
        blobs: list[bytes] = []
        sql = f"SELECT key, vector FROM vectors{clause}"
        with self._conns.reading() as db, closing(db.execute(sql, params)) as cur:
            for key, blob in cur:
                keys.append(key)
                blobs.append(blob)
        dim = self.dim
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32)
        matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(keys), dim)
        return np.asarray(keys, dtype=np.int64), matrix

    def list_ids(self) -> Iterator[str]:
        sql = "SELECT id FROM vectors ORDER BY id"
        with self._conns.reading() as db, closing(db.execute(sql)) as cur:
            for (ident,) in cur:
                yield ident

    def fetch_metadata(self, ids: Sequence[str]) -> dict[str, Metadata]:
        out: dict[str, Metadata] = {}
        with self._conns.reading() as db:
            for part, marks in in_batches(ids):
                sql = f"SELECT id, metadata FROM vectors WHERE id IN ({marks})"
                for ident, meta in db.execute(sql, part):
                    out[ident] = json.loads(meta)
        return out

    def count(self) -> int:
        with self._conns.reading() as db:
            return int(db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self._conns.close()


class ReadWriteLock:
    """Any number of readers at once, or one writer alone; a waiting writer goes first.

    Not reentrant: a holder must not take it again (a reader that waited for a reader
    behind a waiting writer would wait for ever).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class TableBackedIndex:
    """What the embedded indexes share: the table does storage, subclasses do search.

    `lock` lets searches (`query`, under `lock.reading()`) run together and keeps writes
    (`upsert`, `delete`, `flush`, `close`, under `lock.writing()`) apart from them and from
    each other; the table's own reads need no lock.
    """

    def __init__(self, path: Path) -> None:
        self._table = VectorTable(path)
        self.lock = ReadWriteLock()

    @property
    def dim(self) -> int:
        return self._table.dim

    @property
    def model_id(self) -> str | None:
        return self._table.meta("model_id")

    def claim(self, model_id: str, dim: int) -> None:
        self._table.claim(model_id, dim)

    def list_ids(self) -> Iterator[str]:
        return self._table.list_ids()

    def fetch_metadata(self, ids: Sequence[str]) -> dict[str, Metadata]:
        return self._table.fetch_metadata(ids)

    def count(self) -> int:
        return self._table.count()

    def close(self) -> None:
        """Waits for the searches in flight, saves what `flush` saves, closes the table."""
        with self.lock.writing():
            self._flush()
            self._table.close()

    def flush(self) -> None:
        with self.lock.writing():
            self._flush()

    def _flush(self) -> None:
        """The table is durable at every commit; subclasses with derived state override
        this (called under `lock.writing()`)."""


def unit(vector: Vector) -> Vector:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def table_path(data_dir: Path) -> Path:
    """Where an embedded index keeps its vectors in a data directory."""
    return data_dir / "vectors.sqlite"
