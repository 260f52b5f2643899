"""A deterministic feature-hashing embedder: no model, same vector on every machine.

It is a real Embedder (selected by `ORACULUM_EMBEDDER=hashing`), not a mock: lexical overlap
makes similar texts close, which is enough for tests with many records and for the pipeline
benches, where the real model would make every run model-bound.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from oraculum.domain.ids import slug
from oraculum.ports import Vector

if TYPE_CHECKING:
    from oraculum.config import Settings

_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    def __init__(self, dim: int = 384) -> None:
        if dim < 8:
            raise ValueError("the hashing embedder needs at least 8 dimensions")
        self._dim = dim

    @property
    def model_id(self) -> str:
        return f"oraculum/hashing-v1-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _features(self, text: str) -> list[str]:
        words = _WORD.findall(slug(text).replace("-", " "))
        grams = [w[i : i + 4] for w in words if len(w) > 4 for i in range(len(w) - 3)]
        return words + grams

    def _embed(self, text: str) -> Vector:
        vec = np.zeros(self._dim, dtype=np.float32)
        for feature in self._features(text):
            h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
            vec[h % self._dim] += 1.0 if (h >> 63) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._embed(t) for t in texts])

    def embed_query(self, text: str) -> Vector:
        return self._embed(text)


def from_settings(settings: Settings) -> HashingEmbedder:
    return HashingEmbedder(dim=settings.hashing_dim)
