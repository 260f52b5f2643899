"""What a question is about: love, work, money, health, inner life, a decision, or life in general.

Deterministic and explainable, in two steps:

1. **Keywords** (`words/focus.json`, English and Vietnamese, both always checked): the area
   with the most matches wins; a tie goes to the area listed first (love, work, money, health,
   inner). Choice markers ("should I", "có nên", "or") make the question a *decision*; a decision
   about an area keeps the area ("Should I take the job offer?" is a work question) and says
   `decision: true`.
2. Without a keyword, the **embedder** compares the question with labelled examples (the same
   file): the area whose three nearest examples are closest on average wins, `general` being
   one of the areas. No model beyond the embedder the deployment already has.

The result names the matched words or the nearest examples, so a user can see why.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from oraculum import time_budget
from oraculum.ports import Embedder

AREAS: tuple[str, ...] = ("love", "work", "money", "health", "inner")
FOCUSES: tuple[str, ...] = (*AREAS, "decision", "general")
NEAREST = 3  # examples averaged per focus when the embedder decides


@dataclass(frozen=True)
class Focus:
    focus: str  # one of FOCUSES
    decision: bool = False  # the question asks to choose
    method: str = "default"  # keywords | embedder | default
    matched: tuple[str, ...] = ()  # the keywords, or the nearest examples
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def general(self) -> bool:
        """Read by each card's general meaning and its advice (no area facet applies)."""
        return self.focus in ("general", "decision")

    def as_dict(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "decision": self.decision,
            "method": self.method,
            "matched": list(self.matched),
        }


def fold(text: str) -> str:
    """Lower case, composed Unicode, straight apostrophes, single spaces."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


@cache
def _data() -> dict[str, Any]:
    text = resources.files("oraculum.readings.words").joinpath("focus.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def word_pattern(words: list[str]) -> re.Pattern[str]:
    ordered = sorted({fold(w) for w in words if w.strip()}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@cache
def keyword_patterns() -> dict[str, re.Pattern[str]]:
    """One pattern per area (and `decision`), over the words of every language."""
    found = _data()["keywords"]
    return {
        name: word_pattern([w for lang_words in found[name].values() for w in lang_words])
        for name in (*AREAS, "decision")
    }


def matches(pattern: re.Pattern[str], text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))


def by_keywords(question: str) -> Focus | None:
    text = fold(question)
    patterns = keyword_patterns()
    decision = matches(patterns["decision"], text)
    hits = {area: matches(patterns[area], text) for area in AREAS}
    best = max(AREAS, key=lambda area: len(hits[area]))  # max keeps the first of a tie
    if hits[best]:
        return Focus(best, bool(decision), "keywords", tuple(hits[best] + decision))
    if decision:
        return Focus("decision", True, "keywords", tuple(decision))
    return None


class ExampleIndex:
    """The labelled examples, embedded once per embedder model."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[str, tuple[list[str], list[str], list[list[float]]]] = {}

    def get(self, embedder: Embedder) -> tuple[list[str], list[str], list[list[float]]]:
        with self._lock:
            found = self._built.get(embedder.model_id)
            if found is None:
                labels: list[str] = []
                texts: list[str] = []
                for focus, langs in _data()["examples"].items():
                    for examples in langs.values():
                        labels += [focus] * len(examples)
                        texts += examples
                # plain floats: the Lambda functions ship without numpy
                vectors = [[float(x) for x in row] for row in embedder.embed_documents(texts)]
                found = self._built[embedder.model_id] = (labels, texts, vectors)
            return found


EXAMPLES = ExampleIndex()


def by_examples(question: str, embedder: Embedder) -> Focus:
    time_budget.check("the question's focus")  # the embedder may be a remote model
    labels, texts, vectors = EXAMPLES.get(embedder)
    query = [float(x) for x in embedder.embed_query(question)]
    similarity = [sum(a * b for a, b in zip(row, query, strict=True)) for row in vectors]
    scores: dict[str, float] = {}
    nearest: dict[str, list[int]] = {}
    for focus in dict.fromkeys(labels):
        rows = [i for i, label in enumerate(labels) if label == focus]
        top = sorted(rows, key=lambda i: -similarity[i])[:NEAREST]
        nearest[focus] = top
        scores[focus] = sum(similarity[i] for i in top) / len(top)
    best = max(scores, key=lambda f: scores[f])
    shown = tuple(f"{texts[i]} ({similarity[i]:.2f})" for i in nearest[best][:2])
    return Focus(best, best == "decision", "embedder", shown, scores)


def classify(question: str, embedder: Embedder | None = None) -> Focus:
    """The focus of `question`: by its keywords, else by the nearest examples, else general."""
    found = by_keywords(question)
    if found is not None:
        return found
    if embedder is not None:
        return by_examples(question, embedder)
    return Focus("general")


def facet_of(focus: str) -> str:
    """The facet of a card's meaning that speaks to a focus (the base holds love, work, money,
    inner and advice for every card and orientation)."""
    return {
        "love": "love", "work": "work", "money": "money", "health": "inner", "inner": "inner",
        "decision": "advice", "general": "advice",
    }[focus]  # fmt: skip
