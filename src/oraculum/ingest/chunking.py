"""Split a record into chunks: one per section, long sections at sentence boundaries."""

from __future__ import annotations

import re

from oraculum.domain.ids import chunk_id, content_hash
from oraculum.domain.records import Chunk, Metadata, Record

_SENTENCE_END = re.compile(r"(?<=[.!?…。])\s+")


def _pieces(text: str, limit: int) -> list[str]:
    """Whole sentences packed up to `limit` characters; a longer sentence splits at words."""
    units: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if len(sentence) <= limit:
            units.append(sentence)
            continue
        line = ""
        for word in sentence.split():
            if line and len(line) + 1 + len(word) > limit:
                units.append(line)
                line = ""
            line = f"{line} {word}" if line else word[:limit]
        if line:
            units.append(line)
    pieces: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + 1 + len(unit) > limit:
            pieces.append(current)
            current = unit
        else:
            current = f"{current} {unit}" if current else unit
    if current:
        pieces.append(current)
    return pieces


def keywords_of(metadata: Metadata) -> str:
    found = metadata.get("keywords")
    if isinstance(found, list):
        return ", ".join(str(k) for k in found)
    return found if isinstance(found, str) else ""


def embedding_text(title: str, section: str, text: str, keywords: str = "") -> str:
    """What the embedder sees: the body with its title, section and keywords, so that a chunk
    stands alone (a reversed meaning still says which card it is and what the card is about)."""
    label = "" if section == "text" else f" ({section.replace('-', ' ')})"
    tags = f" — {keywords}" if keywords else ""
    return f"{title}{label}{tags}: {text}"


def chunk_embedding_text(chunk: Chunk) -> str:
    return embedding_text(chunk.title, chunk.section, chunk.text, keywords_of(chunk.metadata))


def chunk_record(record: Record, *, model_id: str, limit: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    keywords = keywords_of(record.metadata)
    for section, body in record.sections:
        for piece in _pieces(body, limit):
            n = len(chunks)
            chunks.append(
                Chunk(
                    id=chunk_id(record.id, n),
                    doc_id=record.id,
                    n=n,
                    kind=record.kind,
                    lang=record.lang,
                    title=record.title,
                    section=section,
                    text=piece,
                    content_hash=content_hash(
                        embedding_text(record.title, section, piece, keywords), model_id
                    ),
                    metadata=record.metadata,
                    source=record.source,
                )
            )
    return chunks
