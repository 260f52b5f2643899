"""Hits shown in the reader's language: a passage found in English is shown as its
Vietnamese twin when the base has one, and the other way round.

Twins share their entity (the document id without its language, `house/7`); a translation
also names its twin in `metadata.translation_of`. Chunking may cut twins differently, so the
twin of chunk n is the twin document's chunk n when it has one, else its first chunk. Two
hits that become the same passage are shown once, at the better rank.
"""

from __future__ import annotations

from dataclasses import replace

from oraculum.domain.records import Chunk, SearchHit
from oraculum.ports import DocumentStore


def twin_doc_id(chunk: Chunk, lang: str) -> str:
    """The id the document would have in `lang` (the same id when it is in `lang`)."""
    named = chunk.metadata.get("translation_of")
    if isinstance(named, str) and named.endswith(f"/{lang}"):
        return named
    entity, _, own = chunk.doc_id.rpartition("/")
    return f"{entity}/{lang}" if entity and own == chunk.lang else chunk.doc_id


def in_language(hits: list[SearchHit], lang: str, documents: DocumentStore) -> list[SearchHit]:
    """Each hit in `lang` where a twin exists (marked `shown_for` the hit found), else as it
    was found; indexed twins only."""
    wanted: dict[int, tuple[str, str]] = {}
    for i, hit in enumerate(hits):
        if hit.chunk.lang != lang:
            doc = twin_doc_id(hit.chunk, lang)
            if doc != hit.chunk.doc_id:
                wanted[i] = (f"{doc}#{hit.chunk.n}", f"{doc}#0")
    found = documents.get_many(sorted({cid for pair in wanted.values() for cid in pair}))
    shown: list[SearchHit] = []
    seen: set[str] = set()
    for i, hit in enumerate(hits):
        twin = next(
            (found[c] for c in wanted.get(i, ()) if c in found and found[c].status == "indexed"),
            None,
        )
        out = hit if twin is None else replace(hit, chunk=twin, shown_for=hit.chunk.id)
        if out.chunk.id not in seen:
            seen.add(out.chunk.id)
            shown.append(out)
    return shown
