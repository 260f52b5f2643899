"""The reranker that keeps the order it is given: `ORACULUM_RERANKER=none`.

A real Reranker, not a mock (Canopy's "transparent" reranker plays the same part): where no
reranking model runs (embedded, offline, or reranking switched off to save its price and
latency), the retriever's own order stands. The scores only restate that order, best first
(1, 1/2, 1/3, ...); they say nothing about relevance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oraculum.config import Settings

MODEL_ID = "none"


class NoopReranker:
    """The Reranker port that reorders nothing."""

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def rerank(self, query: str, texts: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        """The first `top_n` texts as they came, scored by their position (1 / (1 + i))."""
        return [(i, 1.0 / (1 + i)) for i in range(max(0, min(top_n, len(texts))))]


def from_settings(settings: Settings) -> NoopReranker:
    return NoopReranker()
