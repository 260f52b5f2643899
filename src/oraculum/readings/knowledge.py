"""Exact reads from the knowledge base: a card's meaning, a sign's profile, by id."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from oraculum.domain.ids import normalize
from oraculum.domain.records import Chunk
from oraculum.ports import ContextItem, DocumentStore

_TRAILING_NAME = re.compile(r"\s*\([^()]*\)\s*$")


def to_item(chunk: Chunk, sentences: int = 0) -> ContextItem:
    return ContextItem(
        chunk.id, display_title(chunk.title, chunk.lang), chunk.section, chunk.text,
        chunk.kind, chunk.lang, sentences,
    )  # fmt: skip


def display_title(title: str, lang: str) -> str:
    """A title as its reader sees it: the base keeps the English name beside a translated one
    ("Sáu Cốc (Six of Cups)") so that either finds it; a Vietnamese reading shows the first."""
    return title if lang == "en" else _TRAILING_NAME.sub("", title) or title


class Knowledge:
    """Reads whole documents by id; only `indexed` chunks are trusted, as in retrieval."""

    def __init__(
        self, documents: DocumentStore, *, on_mismatch: Callable[[int], None] = lambda n: None
    ) -> None:
        self.documents = documents
        self.on_mismatch = on_mismatch

    def document(self, doc_id: str) -> list[Chunk]:
        ids = self.documents.chunk_ids_of([doc_id])[doc_id]
        chunks = self.documents.get_many(ids)
        trusted = [chunks[i] for i in ids if i in chunks and chunks[i].status == "indexed"]
        if len(trusted) < len(ids):
            self.on_mismatch(len(ids) - len(trusted))
        return sorted(trusted, key=lambda c: c.n)

    def entity(self, entity: str, lang: str) -> tuple[list[Chunk], str]:
        """The entity's chunks in `lang`, else in English; and the language found."""
        for candidate in dict.fromkeys((lang, "en")):
            chunks = self.document(normalize(entity, candidate))
            if chunks:
                return chunks, candidate
        return [], lang

    def sections(
        self, entity: str, lang: str, names: Sequence[str]
    ) -> tuple[list[ContextItem], str]:
        """The named sections of an entity, in the order asked."""
        chunks, found = self.entity(entity, lang)
        by_section: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_section.setdefault(chunk.section, []).append(chunk)
        items = [to_item(c) for name in names for c in by_section.get(name, [])]
        return items, found
