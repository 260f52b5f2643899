"""The one id scheme shared by every writer and reader (DESIGN.md, "The record and its ids")."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_ID_BYTES = 512
_HASH_CHARS = 16
# Letters that NFKD does not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Case-folded, with every diacritic and letter variant folded to ASCII (Nhà → nha, đ → d)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(text: str) -> str:
    """One id segment: ASCII lower case letters and digits joined by single hyphens."""
    return _NOT_ALNUM.sub("-", fold(text)).strip("-")


def normalize(*parts: str | int) -> str:
    """The canonical id of a document, from one string or several segments.

    Each segment may itself contain `/`; empty segments disappear. The result is idempotent
    (`normalize(normalize(x)) == normalize(x)`) and at most 512 bytes: a longer id keeps a
    prefix and ends with a short hash of the whole, so distinct long ids stay distinct.
    """
    segments: list[str] = []
    for part in parts:
        for raw in str(part).split("/"):
            piece = slug(raw)
            if piece:
                segments.append(piece)
    ident = "/".join(segments)
    if not ident:
        raise ValueError(f"no id can be made from {parts!r}: nothing but punctuation")
    if len(ident) > MAX_ID_BYTES:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:_HASH_CHARS]
        ident = f"{ident[: MAX_ID_BYTES - _HASH_CHARS - 1].rstrip('-/')}-{digest}"
    return ident


def chunk_id(doc_id: str, n: int) -> str:
    return f"{doc_id}#{n}"


def doc_id_of(chunk: str) -> str:
    return chunk.rsplit("#", 1)[0]


def content_hash(text: str, model_id: str) -> str:
    """sha256 of the normalized chunk text and the embedding model id (DESIGN.md)."""
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(f"{model_id}\n{canonical}".encode()).hexdigest()
