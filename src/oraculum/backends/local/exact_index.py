"""Exact cosine search with numpy over every stored vector: simple, right, O(n) a query.

The honest baseline for the ANN index, and a fine choice for a few thousand chunks. Searches
run together and writes alone (the index's ReadWriteLock, vector_table.py); the matrix held
for the table's generation is replaced whole, never changed in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from oraculum.backends.sqlite.vector_table import Keys, TableBackedIndex, table_path, unit
from oraculum.domain.records import Metadata, VectorHit
from oraculum.ports import Filter, Vector

if TYPE_CHECKING:
    from oraculum.config import Settings


class ExactIndex(TableBackedIndex):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._cache: tuple[int, Keys, Vector] | None = None

    def _matrix(self) -> tuple[Keys, Vector]:
        generation = self._table.generation
        cached = self._cache  # read once: another search may replace it meanwhile
        if cached is None or cached[0] != generation:
            cached = (generation, *self._table.vectors())
            self._cache = cached
        return cached[1], cached[2]

    def upsert(self, ids: Sequence[str], vectors: Vector, metadata: Sequence[Metadata]) -> None:
        with self.lock.writing():
            self._table.upsert(ids, vectors, metadata)

    def delete(self, ids: Sequence[str]) -> None:
        with self.lock.writing():
            self._table.delete(ids)

    def query(self, vector: Vector, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        with self.lock.reading():
            keys, matrix = self._matrix()
            if where:
                allowed = self._table.matching_keys(where)
                mask = np.fromiter((k in allowed for k in keys), dtype=bool, count=len(keys))
                keys, matrix = keys[mask], matrix[mask]
            return exact_top_k(self._table, keys, matrix, unit(vector), top_k)


def exact_top_k(
    table: object, keys: Keys, matrix: Vector, q: Vector, top_k: int
) -> list[VectorHit]:
    if len(keys) == 0 or top_k <= 0:
        return []
    scores = matrix @ q
    k = min(top_k, len(keys))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    rows = table.rows_for_keys([int(keys[i]) for i in best])  # type: ignore[attr-defined]
    return [
        VectorHit(rows[int(keys[i])][0], float(scores[i]), rows[int(keys[i])][1])
        for i in best
        if int(keys[i]) in rows
    ]


def from_settings(settings: Settings) -> ExactIndex:
    return ExactIndex(table_path(settings.data_dir))
