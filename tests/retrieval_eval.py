"""The retrieval eval: questions as readers ask them, in English and Vietnamese, each naming the
entity (a doc id without its language, docs/architecture.md) a good search puts first.

The questions live in `tests/retrieval_questions.json`, one object each: `lang`, `question`,
`kind` (the kind of the expected entity, every kind of data/knowledge covered) and `expected`.
Run by the test suite (hit@3, searching within the expected kind), by
`bench/retrieval_bench.py` (hit@1, hit@3 and MRR@10 per mode, no kind filter), and by
`python -m tests.retrieval_eval` against an ingested data directory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oraculum.rag.retrieve import Retriever

QUESTIONS_FILE = Path(__file__).with_name("retrieval_questions.json")


@dataclass(frozen=True)
class Question:
    lang: str
    question: str
    kind: str
    expected: str


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    return [Question(**row) for row in json.loads(path.read_text(encoding="utf-8"))]


# (lang, question, kind, expected entity), the shape the suite has always read
QUESTIONS: list[tuple[str, str, str, str]] = [
    (q.lang, q.question, q.kind, q.expected) for q in load_questions()
]


def entities(hits: Iterable[Any]) -> list[str]:
    """The distinct entities of ranked hits, best first (a card's sections count once)."""
    found: list[str] = []
    for hit in hits:
        entity = hit.chunk.metadata.get("entity", hit.chunk.doc_id)
        if entity not in found:
            found.append(entity)
    return found


@dataclass
class EvalResult:
    hits: dict[str, int]
    totals: dict[str, int]
    misses: list[tuple[str, str, list[str]]]

    def hit_at_3(self, lang: str) -> float:
        return self.hits[lang] / self.totals[lang]


def run_eval(
    retriever: Retriever, *, top_k: int = 3, by_kind: bool = True, **search: Any
) -> EvalResult:
    """How many questions find their entity among the first `top_k` entities. `by_kind` searches
    within the expected kind (as a reading does); `search` goes to `Retriever.search` (mode)."""
    hits = {"en": 0, "vi": 0}
    totals = {"en": 0, "vi": 0}
    misses = []
    for lang, question, kind, expected in QUESTIONS:
        kind_filter = kind if by_kind else None
        found = entities(retriever.search(question, top_k=10, kind=kind_filter, **search).hits)
        totals[lang] += 1
        if expected in found[:top_k]:
            hits[lang] += 1
        else:
            misses.append((question, expected, found[:top_k]))
    return EvalResult(hits, totals, misses)


if __name__ == "__main__":
    from oraculum.config import Settings, build_retriever, open_stores

    settings = Settings()
    stores = open_stores(settings)
    result = run_eval(build_retriever(settings, stores), by_kind=False)
    for lang in ("en", "vi"):
        print(
            f"hit@3 {lang}: {result.hit_at_3(lang):.2f} ({result.hits[lang]}/{result.totals[lang]})"
        )
    for miss in result.misses:
        print("miss:", miss)
    stores.close()
