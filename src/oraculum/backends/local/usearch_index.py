"""HNSW search with usearch (f16), over the SQLite vector table.

The HNSW graph is saved beside the table at `flush()` with the generation of the table it
holds. On open, a graph whose generation differs (a process killed mid-ingest, say) is rebuilt
from the table. Another process may write the table meanwhile (shards of one ingest, an ingest
beside `oraculum serve`): a write of ours that does not make the next generation shows it, the
graph is then no longer saved as current, and a search first rebuilds it from the table.

Threads: searches run together (usearch's search only reads the graph), writes alone, under
the index's ReadWriteLock (vector_table.py). The graph is loaded once, on first use, under its
own lock; the filters' held keys and rows are shared under a third.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from oraculum.backends.local.exact_index import exact_top_k
from oraculum.backends.sqlite.vector_table import TableBackedIndex, table_path, unit
from oraculum.domain.records import Metadata, VectorHit
from oraculum.ports import Filter, Vector

if TYPE_CHECKING:
    from oraculum.config import Settings

# Up to this many matching rows a filtered query is answered exactly, from that filter's rows
# held in memory for the table's generation: the HNSW graph cannot be told to skip
# non-matching nodes, and over-fetching for a rare filter (6 % of 100k chunks: 1.27 ms)
# costs more than a scan of its rows (0.40 ms; bench/search_bench.py).
EXACT_BELOW = 16_384
SUBSET_CACHE_BYTES = 64 * 2**20  # the filters' matrices held at once, at most


class UsearchIndex(TableBackedIndex):
    def __init__(self, path: Path, *, expansion_search: int = 64) -> None:
        super().__init__(path)
        self._graph_path = path.with_suffix(".usearch")
        self._stamp_path = path.with_suffix(".usearch.json")
        self._expansion_search = expansion_search
        self._graph: object | None = None
        self._graph_generation = -1  # the table's generation the graph holds; -1: unknown
        self._graph_lock = threading.Lock()  # the first search loads the graph, once
        self._dirty = False
        # Allowed keys per filter, valid for one generation of the table: reading them from
        # SQLite took 28 ms a query at 100k chunks (bench/search_bench.py), held here 0.4 ms.
        self._allowed: dict[tuple[object, ...], tuple[int, set[int]]] = {}
        # The rows of small filters, (generation, keys, matrix), oldest first.
        self._subsets: dict[tuple[object, ...], tuple[int, np.ndarray, np.ndarray]] = {}
        self._held_lock = threading.Lock()  # guards _allowed and _subsets

    def _new_graph(self) -> object:
        from usearch.index import Index

        return Index(
            ndim=self.dim, metric="cos", dtype="f16", expansion_search=self._expansion_search
        )

    def _ensure_graph(self, *, current: bool = False) -> object:
        """The graph, loaded or built on first use; with `current`, made again first when the
        table has moved on without it (another process wrote)."""
        graph = self._graph
        if graph is not None and not (current and self._stale()):
            return graph
        with self._graph_lock:
            if self._graph is not None and not (current and self._stale()):
                return self._graph  # another thread loaded it meanwhile
            graph = self._new_graph()
            generation = self._table.generation  # before the rows: they hold at least this
            if self._saved_generation() == generation and self._graph_path.exists():
                graph.load(str(self._graph_path))  # type: ignore[attr-defined]
            else:
                keys, matrix = self._table.vectors()
                if len(keys):
                    graph.add(keys, matrix)  # type: ignore[attr-defined]
                self._dirty = True
            self._graph, self._graph_generation = graph, generation
            return graph

    def held(self) -> int:
        """How many vectors the HNSW graph holds, made current first: the table's count when
        the graph is whole."""
        with self.lock.reading():
            return len(self._ensure_graph(current=True))  # type: ignore[arg-type]

    def _stale(self) -> bool:
        return self._graph_generation != self._table.generation

    def _wrote(self) -> None:
        """After a write of ours: the graph still holds the table exactly only when ours made
        the very next generation."""
        made = self._table.written_generation
        following = self._graph_generation >= 0 and made == self._graph_generation + 1
        self._graph_generation = made if following else -1
        self._dirty = True

    def _saved_generation(self) -> int:
        try:
            return int(json.loads(self._stamp_path.read_text())["generation"])
        except (OSError, ValueError, KeyError):
            return -1

    def upsert(self, ids: Sequence[str], vectors: Vector, metadata: Sequence[Metadata]) -> None:
        with self.lock.writing():
            graph = self._ensure_graph()
            removed, added = self._table.upsert(ids, vectors, metadata)
            if len(removed):
                graph.remove(removed)  # type: ignore[attr-defined]
            order = self._table.rows_for_keys(added.tolist())
            by_id = {ident: key for key, (ident, _) in order.items()}
            keys = np.asarray([by_id[i] for i in ids], dtype=np.int64)
            graph.add(keys, np.asarray(vectors, dtype=np.float32))  # type: ignore[attr-defined]
            self._wrote()

    def delete(self, ids: Sequence[str]) -> None:
        with self.lock.writing():
            graph = self._ensure_graph()
            removed = self._table.delete(ids)
            if len(removed):
                graph.remove(removed)  # type: ignore[attr-defined]
            self._wrote()

    def query(self, vector: Vector, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        with self.lock.reading():
            return self._query(unit(vector), top_k, where)

    def _query(self, q: Vector, top_k: int, where: Filter | None) -> list[VectorHit]:
        allowed = self._allowed_keys(where) if where else None
        if where and allowed is not None and len(allowed) <= EXACT_BELOW:
            keys, matrix = self._subset(where)
            return exact_top_k(self._table, keys, matrix, q, top_k)
        graph = self._ensure_graph(current=True)
        total = len(graph)  # type: ignore[arg-type]
        if total == 0 or top_k <= 0:
            return []
        want = top_k
        if allowed is not None:  # enough candidates that about 2 × top_k pass the filter
            share = max(len(allowed), 1) / total
            want = max(top_k * 4, int(top_k * 2 / share))
        while True:
            # one query, one thread: the server's requests are the parallelism
            matches = graph.search(q, min(want, total), threads=1)  # type: ignore[attr-defined]
            keys = [int(k) for k in matches.keys]
            dists = [float(d) for d in matches.distances]
            picked = [
                (k, d) for k, d in zip(keys, dists, strict=True) if allowed is None or k in allowed
            ]
            if len(picked) >= top_k or want >= total:
                break
            want *= 4
        picked = picked[:top_k]
        rows = self._table.rows_for_keys([k for k, _ in picked])
        return [VectorHit(rows[k][0], 1.0 - d, rows[k][1]) for k, d in picked if k in rows]

    def _subset(self, where: Filter) -> tuple[np.ndarray, np.ndarray]:
        """The keys and unit vectors a filter matches, kept while the table is unchanged."""
        token = _token(where)
        generation = self._table.generation
        with self._held_lock:
            cached = self._subsets.get(token)
        if cached is not None and cached[0] == generation:
            return cached[1], cached[2]
        keys, matrix = self._table.vectors(where)  # read outside the lock: searches go on
        with self._held_lock:
            self._subsets.pop(token, None)
            held = sum(m.nbytes for _, _, m in self._subsets.values())
            while self._subsets and held + matrix.nbytes > SUBSET_CACHE_BYTES:
                oldest = next(iter(self._subsets))
                held -= self._subsets.pop(oldest)[2].nbytes
            if matrix.nbytes <= SUBSET_CACHE_BYTES:
                self._subsets[token] = (generation, keys, matrix)
        return keys, matrix

    def _allowed_keys(self, where: Filter) -> set[int]:
        token = _token(where)
        generation = self._table.generation
        with self._held_lock:
            cached = self._allowed.get(token)
        if cached is not None and cached[0] == generation:
            return cached[1]
        keys = self._table.matching_keys(where)
        with self._held_lock:
            if len(self._allowed) >= 64:
                self._allowed.clear()
            self._allowed[token] = (generation, keys)
        return keys

    def _flush(self) -> None:
        if self._graph is None or not self._dirty:
            return
        if self._graph_generation < 0:  # others wrote too: the next to open rebuilds it
            self._stamp_path.unlink(missing_ok=True)
            self._dirty = False
            return
        tmp = self._graph_path.with_suffix(".usearch.tmp")
        self._graph.save(str(tmp))  # type: ignore[attr-defined]
        os.replace(tmp, self._graph_path)
        self._stamp_path.write_text(json.dumps({"generation": self._graph_generation}))
        self._dirty = False


def _token(where: Filter) -> tuple[object, ...]:
    return tuple(sorted((k, v if isinstance(v, str) else tuple(v)) for k, v in where.items()))


def from_settings(settings: Settings) -> UsearchIndex:
    return UsearchIndex(table_path(settings.data_dir))
