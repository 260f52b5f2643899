"""A BM25 index small enough to keep as a few blobs and load in a function's cold start.

Where the store has no term search of its own (DynamoDB), the lexical index is this: built
from the indexed chunks after an ingest, saved as bytes, loaded whole by a reader and
queried in memory. Each chunk is indexed by its words as written (diacritics kept) and folded
to ASCII, as the SQLite FTS5 index does; the title and keywords weigh more than the body
(BM25F: the field weights scale the term frequency before saturation).

The saved form: zlib over a JSON header (the chunks, the terms and where their postings
start) and two arrays, chunk numbers (uint32) and weighted term frequencies (uint16, in
tenths). For this base's ~3,500 chunks it is about a megabyte.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from oraculum.domain.records import Chunk, VectorHit
from oraculum.domain.terms import folded, keywords_text, query_words, words
from oraculum.ports import Filter

K1 = 1.2
B = 0.75
TITLE, BODY, KEYWORDS = 4.0, 1.0, 2.0  # the field weights of sqlite/lexical.py, as written
FOLDED = 0.5  # a folded match says less than an exact one
_MAGIC = b"BM25\x01"


def _weighted_terms(chunk: Chunk) -> Counter[str]:
    """Each term of the chunk with its field-weighted frequency; folded terms start with '~'."""
    tf: Counter[str] = Counter()
    body = f"{chunk.section} {chunk.text}"
    for text, weight in (
        (chunk.title, TITLE),
        (body, BODY),
        (keywords_text(chunk.metadata), KEYWORDS),
    ):
        for word in words(text):
            tf[word] += weight
        for word in folded(text).split():
            tf["~" + word] += weight * FOLDED
    return tf


@dataclass
class Bm25Shard:
    ids: list[str]
    hashes: list[str]
    kinds: list[str]
    langs: list[str]
    lengths: list[float]
    terms: dict[str, tuple[int, int]]  # term -> (first posting, how many)
    docs: array  # type: ignore[type-arg]  # uint32 chunk numbers
    freqs: array  # type: ignore[type-arg]  # uint16 weighted frequency, in tenths

    @classmethod
    def build(cls, chunks: Iterable[Chunk]) -> Bm25Shard:
        ids: list[str] = []
        hashes: list[str] = []
        kinds: list[str] = []
        langs: list[str] = []
        lengths: list[float] = []
        postings: dict[str, list[tuple[int, float]]] = {}
        for n, chunk in enumerate(sorted(chunks, key=lambda c: c.id)):
            tf = _weighted_terms(chunk)
            ids.append(chunk.id)
            hashes.append(chunk.content_hash)
            kinds.append(chunk.kind)
            langs.append(chunk.lang)
            lengths.append(sum(v for t, v in tf.items() if not t.startswith("~")))
            for term, value in tf.items():
                postings.setdefault(term, []).append((n, value))
        terms: dict[str, tuple[int, int]] = {}
        docs, freqs = array("I"), array("H")
        for term in sorted(postings):
            terms[term] = (len(docs), len(postings[term]))
            for n, value in postings[term]:
                docs.append(n)
                freqs.append(min(65_535, round(value * 10)))
        return cls(ids, hashes, kinds, langs, lengths, terms, docs, freqs)

    # --- the saved form --------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        header = json.dumps(
            {
                "ids": self.ids, "hashes": self.hashes, "kinds": self.kinds,
                "langs": self.langs, "lengths": self.lengths, "terms": self.terms,
            },
            ensure_ascii=False, separators=(",", ":"),
        ).encode()  # fmt: skip
        body = self.docs.tobytes() + self.freqs.tobytes()
        return _MAGIC + zlib.compress(
            struct.pack("<II", len(header), len(self.docs)) + header + body, 6
        )

    @classmethod
    def from_bytes(cls, blob: bytes) -> Bm25Shard:
        if not blob.startswith(_MAGIC):
            raise ValueError("not a BM25 shard (or one of another version)")
        raw = zlib.decompress(blob[len(_MAGIC) :])
        head_len, n = struct.unpack_from("<II", raw)
        start = 8 + head_len
        head = json.loads(raw[8:start])
        docs, freqs = array("I"), array("H")
        docs.frombytes(raw[start : start + 4 * n])
        freqs.frombytes(raw[start + 4 * n : start + 6 * n])
        terms = {t: (int(a), int(b)) for t, (a, b) in head["terms"].items()}
        return cls(
            head["ids"], head["hashes"], head["kinds"], head["langs"], head["lengths"],
            terms, docs, freqs,
        )  # fmt: skip

    # --- search ----------------------------------------------------------------------------
    def query(self, text: str, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        asked = query_words(text)
        terms = asked + ["~" + f for f in dict.fromkeys(folded(w) for w in asked) if f]
        n_docs = len(self.ids)
        if not n_docs or not terms:
            return []
        average = sum(self.lengths) / n_docs or 1.0
        scores: dict[int, float] = {}
        for term in terms:
            found = self.terms.get(term)
            if found is None:
                continue
            first, df = found
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            for i in range(first, first + df):
                n = self.docs[i]
                tf = self.freqs[i] / 10
                norm = K1 * (1 - B + B * self.lengths[n] / average)
                scores[n] = scores.get(n, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
        allowed = _allowed(self, where)
        ranked = sorted((n for n in scores if allowed(n)), key=lambda n: -scores[n])[:top_k]
        return [
            VectorHit(
                self.ids[n], scores[n],
                {"kind": self.kinds[n], "lang": self.langs[n], "content_hash": self.hashes[n]},
            )
            for n in ranked
        ]  # fmt: skip

    def entries(self) -> dict[str, str]:
        return dict(zip(self.ids, self.hashes, strict=True))


def _allowed(shard: Bm25Shard, where: Filter | None) -> Callable[[int], bool]:
    checks: list[tuple[list[str], set[str]]] = []
    for column, wanted in (where or {}).items():
        if column not in ("kind", "lang"):
            raise ValueError(f"the lexical index filters on kind and lang, not {column!r}")
        values = {wanted} if isinstance(wanted, str) else set(wanted)
        checks.append((shard.kinds if column == "kind" else shard.langs, values))
    return lambda n: all(column[n] in values for column, values in checks)
