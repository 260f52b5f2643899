"""Placement passages answer questions about their planet.

A planet-in-sign or planet-in-house record ("Saturn in the Tenth House", "Sao Thổ ở nhà 10")
is about a house or a sign as much as the house's own entry is, so by words and by meaning it
competes with that entry, ten planets to one. Asked "What is the tenth house about?", the
house's entry is the answer; "Saturn in the tenth house" is the answer only to a question that
names Saturn. So a placement whose planet the question does not name keeps only a share of its
score. Its record names the planet (`metadata.planet`), and the planet's own entries give its
names in both languages ("Saturn", "Sao Thổ"), read from the store once and kept.
"""

from __future__ import annotations

import threading

from oraculum.domain.records import SearchHit
from oraculum.domain.terms import folded
from oraculum.ports import DocumentStore

PLACEMENT_KINDS = frozenset({"planet_in_sign", "planet_in_house"})
LANGS = ("en", "vi")


class Placements:
    def __init__(self, documents: DocumentStore) -> None:
        self._documents = documents
        self._names: dict[str, list[set[str]]] = {}  # planet -> its names' folded words
        self._lock = threading.Lock()

    def demote_unnamed(self, hits: list[SearchHit], question: str, keep: float) -> list[SearchHit]:
        """The hits, placements whose planet the question does not name at `keep` of their
        score, best first."""
        planets = {
            str(h.chunk.metadata["planet"])
            for h in hits
            if h.chunk.kind in PLACEMENT_KINDS and h.chunk.metadata.get("planet")
        }
        if not planets:
            return hits
        names = self._names_of(planets)
        asked = set(folded(question).split())
        named = {p for p in planets if any(words <= asked for words in names.get(p, []))}
        out = [
            h if h.chunk.kind not in PLACEMENT_KINDS
            or h.chunk.metadata.get("planet") in named
            or not names.get(str(h.chunk.metadata.get("planet")))
            else SearchHit(h.chunk, h.score * keep, h.shown_for)
            for h in hits
        ]  # fmt: skip
        return sorted(out, key=lambda h: -h.score)

    def _names_of(self, planets: set[str]) -> dict[str, list[set[str]]]:
        with self._lock:
            missing = sorted(p for p in planets if p not in self._names)
        if missing:
            ids = [f"planet/{p}/{lang}#0" for p in missing for lang in LANGS]
            found = self._documents.get_many(ids)
            with self._lock:
                for p in missing:
                    titles = [
                        found[i].title for i in ids if i.startswith(f"planet/{p}/") and i in found
                    ]
                    self._names[p] = [set(folded(t).split()) for t in titles if folded(t)]
        with self._lock:
            return {p: self._names.get(p, []) for p in planets}
