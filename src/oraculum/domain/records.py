"""The shapes that flow through the pipeline: a source record, a chunk, a search hit."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Status = Literal["pending", "indexed"]
Metadata = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Record:
    """A validated source record: one document, before chunking."""

    id: str
    entity: str
    kind: str
    lang: str
    title: str
    sections: tuple[tuple[str, str], ...]
    metadata: Metadata = field(default_factory=dict)
    source: str = ""
    location: str = ""


@dataclass(frozen=True, slots=True)
class Chunk:
    """The unit in both stores: its id is the vector id and the document-store key."""

    id: str
    doc_id: str
    n: int
    kind: str
    lang: str
    title: str
    section: str
    text: str
    content_hash: str
    metadata: Metadata = field(default_factory=dict)
    source: str = ""
    status: Status = "pending"

    def with_status(self, status: Status) -> Chunk:
        return replace(self, status=status)

    def vector_metadata(self) -> Metadata:
        """What the vector index keeps beside the vector (DESIGN.md, step 2 of the protocol)."""
        return {
            "doc_id": self.doc_id,
            "kind": self.kind,
            "lang": self.lang,
            "content_hash": self.content_hash,
        }


@dataclass(frozen=True, slots=True)
class VectorHit:
    id: str
    score: float
    metadata: Metadata


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A hit that passed the consistency check: the vector and its document agree."""

    chunk: Chunk
    score: float
    shown_for: str | None = None  # the chunk found, when this is its twin in another language

    def as_dict(self) -> dict[str, Any]:
        """The hit as the CLI and the API show it."""
        c = self.chunk
        return {
            "id": c.id,
            "doc_id": c.doc_id,
            "title": c.title,
            "kind": c.kind,
            "lang": c.lang,
            "section": c.section,
            "score": round(self.score, 4),
            "snippet": self.snippet(),
            "shown_for": self.shown_for,
        }

    def snippet(self, width: int = 160) -> str:
        text = " ".join(self.chunk.text.split())
        return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"
