"""Placement passages answer questions that name both of their parts.

A planet-in-sign or planet-in-house record ("Saturn in the Tenth House", "Sao Thổ ở nhà 10")
is about a house or a sign as much as the house's own entry is, and about its planet as much as
the planet's entry is, so by words and by meaning it competes with both, ten or twelve to one.
Asked "What is the tenth house about?", the house's entry is the answer; asked "What is
Saturn's role?", the planet's; "Saturn in the tenth house" is the answer only to a question that
names Saturn and the tenth house. So a placement whose planet, or whose sign or house, the
question does not name keeps only a share of its score.

The names come from the entries themselves, in both languages, read from the store once and
kept: a planet's and a sign's titles ("Saturn", "Sao Thổ"; "Scorpio", "Bọ Cạp (Thiên Yết)": each
part of a title is a name), a house's title and its keywords that hold its number ("The Tenth
House", "10th house", "house 10"; "Nhà thứ Mười", "nhà 10"), with "the", "house" and "thứ"
left out. "Nhà" stays: a Vietnamese ordinal alone is an everyday word ("hai" is in "Hải Vương",
"năm" is a year), and "the tenth" alone is not.
"""

from __future__ import annotations

import re
import threading

from oraculum.domain.records import Chunk, SearchHit
from oraculum.domain.terms import folded
from oraculum.ports import DocumentStore

PLACEMENT_KINDS = frozenset({"planet_in_sign", "planet_in_house"})
LANGS = ("en", "vi")
# each part of a placement: its metadata field and the kind of entry that names it
PARTS = {"planet": "planet", "sign": "zodiac-sign", "house": "house"}
SHARED_WORDS = frozenset({"the", "house", "thu"})

Names = list[frozenset[str]]  # each name as its folded words


class Placements:
    def __init__(self, documents: DocumentStore) -> None:
        self._documents = documents
        self._names: dict[tuple[str, str], Names] = {}  # (part, key) -> its names
        self._lock = threading.Lock()

    def demote_unnamed(self, hits: list[SearchHit], question: str, keep: float) -> list[SearchHit]:
        """The hits, placements the question does not name in full at `keep` of their
        score, best first."""
        wanted = {part for h in hits if h.chunk.kind in PLACEMENT_KINDS for part in _parts(h.chunk)}
        if not wanted:
            return hits
        names = self._names_of(wanted)
        asked = set(folded(question).split())

        def named(part: tuple[str, str]) -> bool:
            known = names.get(part)
            return not known or any(words <= asked for words in known)  # unknown: not judged

        out = [
            h if h.chunk.kind not in PLACEMENT_KINDS or all(map(named, _parts(h.chunk)))
            else SearchHit(h.chunk, h.score * keep, h.shown_for)
            for h in hits
        ]  # fmt: skip
        return sorted(out, key=lambda h: -h.score)

    def _names_of(self, parts: set[tuple[str, str]]) -> dict[tuple[str, str], Names]:
        with self._lock:
            missing = sorted(p for p in parts if p not in self._names)
        if missing:
            ids = {p: [f"{PARTS[p[0]]}/{p[1]}/{lang}#0" for lang in LANGS] for p in missing}
            found = self._documents.get_many([i for each in ids.values() for i in each])
            with self._lock:
                for part, own in ids.items():
                    entries = [found[i] for i in own if i in found]
                    self._names[part] = [n for e in entries for n in _names_in(e, part[0])]
        with self._lock:
            return {p: self._names.get(p, []) for p in parts}


def _parts(chunk: Chunk) -> list[tuple[str, str]]:
    """A placement's parts, as (field, key): ("planet", "saturn"), ("house", "10")."""
    meta = chunk.metadata
    return [(f, str(meta[f])) for f in PARTS if meta.get(f) not in (None, "")]


def _names_in(entry: Chunk, part: str) -> Names:
    texts = [t for t in re.split(r"[()]", entry.title) if t.strip()]
    if part == "house":  # "10th house", "nhà thứ 10": the keywords that hold its number
        keywords = entry.metadata.get("keywords") or []
        texts += [k for k in keywords if isinstance(k, str) and any(c.isdigit() for c in k)]
    out: Names = []
    for text in texts:
        words = frozenset(folded(text).split()) - SHARED_WORDS
        if words and words not in out:
            out.append(words)
    return out
