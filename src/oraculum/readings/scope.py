"""Whether a question is one Oraculum should read, and with what care.

Rules, in order, over the words in `words/scope.json` (English and Vietnamese, both always
checked):

1. **harmful** — it asks how to hurt someone or oneself (self-harm, violence, poisoning,
   weapons): refused, with a pointer to help, and nothing is drawn or retrieved.
2. **sensitive** — medical, legal or financial decisions: read, with the usual caution first.
3. **off-topic** — trivia, maths, code (an off-topic marker and no word of tarot or astrology),
   or a factual question ("what is the…", "who invented…", "bao nhiêu…") that names neither the
   asker's life, a life area, nor tarot or astrology: a short note of what Oraculum does, no
   cards. A question that names nothing and asks nothing factual ("Will it work out?") is read.
4. Otherwise **in-scope**.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from oraculum.readings.focus import fold, keyword_patterns, matches, word_pattern

IN_SCOPE, OFF_TOPIC, HARMFUL, SENSITIVE = "in-scope", "off-topic", "harmful", "sensitive"


@dataclass(frozen=True)
class Scope:
    scope: str  # in-scope | off-topic | harmful | sensitive
    category: str | None = (
        None  # self-harm, violence, poisoning, weapons; medical, legal, financial
    )
    matched: tuple[str, ...] = ()

    @property
    def declined(self) -> bool:
        """Nothing is drawn or retrieved for it."""
        return self.scope in (OFF_TOPIC, HARMFUL)

    def as_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "category": self.category, "matched": list(self.matched)}


@cache
def _patterns() -> dict[str, dict[str, Any]]:
    text = resources.files("oraculum.readings.words").joinpath("scope.json").read_text("utf-8")
    data = json.loads(text)

    def union(by_lang: dict[str, list[str]]) -> Any:
        return word_pattern([w for words in by_lang.values() for w in words])

    return {
        HARMFUL: {cat: union(langs) for cat, langs in data[HARMFUL].items()},
        SENSITIVE: {cat: union(langs) for cat, langs in data[SENSITIVE].items()},
        "marks": {
            name: union(data[name]) for name in ("personal", "domain", "off_topic", "factual")
        },
    }


def assess(question: str) -> Scope:
    text = fold(question)
    patterns = _patterns()
    for group in (HARMFUL, SENSITIVE):
        for category, pattern in patterns[group].items():
            found = matches(pattern, text)
            if found:
                return Scope(group, category, tuple(found))
    marks = patterns["marks"]
    domain = matches(marks["domain"], text)
    if domain:
        return Scope(IN_SCOPE, None, tuple(domain))
    off = matches(marks["off_topic"], text)
    if off:
        return Scope(OFF_TOPIC, None, tuple(off))
    personal = matches(marks["personal"], text)
    areas = [w for p in keyword_patterns().values() for w in matches(p, text)]
    if personal or areas or not matches(marks["factual"], text):
        # "Will it work out?" names nothing, and is the oldest question put to the cards
        return Scope(IN_SCOPE, None, tuple(personal + areas))
    return Scope(OFF_TOPIC, None, tuple(matches(marks["factual"], text)))
