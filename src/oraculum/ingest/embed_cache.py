"""Vectors already computed, keyed by (model id, content hash): nothing is embedded twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from oraculum.backends.sqlite.connections import MAX_PARAMS, connect, placeholders
from oraculum.domain.records import Chunk
from oraculum.ingest.chunking import chunk_embedding_text
from oraculum.ports import Embedder, Vector


class EmbeddingCache:
    def __init__(self, path: Path, model_id: str, dim: int) -> None:
        self._db = connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model_id TEXT NOT NULL, "
            "content_hash TEXT NOT NULL, vector BLOB NOT NULL, "
            "PRIMARY KEY (model_id, content_hash)) WITHOUT ROWID"
        )
        self._model_id = model_id
        self._dim = dim

    def get_many(self, hashes: Sequence[str]) -> dict[str, Vector]:
        out: dict[str, Vector] = {}
        for start in range(0, len(hashes), MAX_PARAMS):
            part = list(hashes[start : start + MAX_PARAMS])
            sql = (
                "SELECT content_hash, vector FROM embeddings WHERE model_id=? "
                f"AND content_hash IN ({placeholders(len(part))})"
            )
            for h, blob in self._db.execute(sql, [self._model_id, *part]):
                out[h] = np.frombuffer(blob, dtype=np.float32).reshape(self._dim)
        return out

    def put_many(self, vectors: Mapping[str, Vector]) -> None:
        rows = [
            (self._model_id, h, np.asarray(v, dtype=np.float32).tobytes())
            for h, v in vectors.items()
        ]
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()

    def vectors_for(self, chunks: Sequence[Chunk], embedder: Embedder) -> tuple[Vector, int]:
        """One vector per chunk, in order, embedding only what the cache lacks.

        Returns the (len(chunks), dim) matrix and how many chunks were embedded.
        """
        if not chunks:
            return np.zeros((0, embedder.dim), dtype=np.float32), 0
        found = self.get_many([c.content_hash for c in chunks])
        missing = {c.content_hash: c for c in chunks if c.content_hash not in found}
        if missing:
            texts = [chunk_embedding_text(c) for c in missing.values()]
            fresh = dict(zip(missing, embedder.embed_documents(texts), strict=True))
            self.put_many(fresh)
            found.update(fresh)
        matrix = np.stack([found[c.content_hash] for c in chunks]).astype(np.float32)
        return matrix, len(missing)
