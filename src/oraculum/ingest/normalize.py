"""Validate a record in our schema and give it its canonical id (docs/knowledge-schema.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from oraculum.domain.errors import RecordRejected
from oraculum.domain.ids import normalize
from oraculum.domain.records import Record
from oraculum.domain.tarot import resolve_card

_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_ALLOWED = {"id", "key", "kind", "lang", "title", "text", "sections", "metadata"}
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Limits:
    max_record_chars: int = 50_000
    max_title_chars: int = 300
    max_metadata_bytes: int = 8_192


class _Reject(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason


def _string(data: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Reject(name, "is required and missing or empty")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Reject(name, f"must be a string, not {type(value).__name__}")
    try:
        return str(value).strip()
    except ValueError:  # an int of more digits than Python converts (4,300)
        raise _Reject(name, "is a number too long to read as text") from None


def _strings(name: str, value: Any, depth: int = 0) -> Iterator[tuple[str, str, str]]:
    """(field, what, text) for every string of a field: its value, items and names."""
    if isinstance(value, str):
        yield name, "", value
    elif depth < 2 and isinstance(value, dict):
        for key, inner in value.items():
            yield f"{name}.{key}", "its name ", str(key)
            yield from _strings(f"{name}.{key}", inner, depth + 1)
    elif depth < 2 and isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _strings(f"{name}[{n}]", inner, depth + 1)


def _no_surrogates(data: dict[str, Any]) -> None:
    """Refuse a lone UTF-16 surrogate (a JSON "\\ud800" escape without its pair): it is no
    character, UTF-8 cannot encode it, and so no store (SQLite, DynamoDB, Pinecone) could
    write it. Rejected here, before anything is chunked, hashed or written."""
    for name, value in data.items():
        for field, what, text in _strings(name, value):
            found = _SURROGATE.search(text)
            if found is not None:
                raise _Reject(
                    field, f"{what}holds U+{ord(found.group()):04X}, a lone surrogate, at "
                    f"character {found.start() + 1}: it is not a character (a \\u escape "
                    "without its pair) and cannot be stored"
                )  # fmt: skip


def _sections(data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    text, sections = data.get("text"), data.get("sections")
    if text is not None and sections:
        raise _Reject("text", "give either text or sections, not both")
    if sections:
        if not isinstance(sections, dict):
            raise _Reject("sections", "must be an object of section name -> text")
        out = []
        for name, body in sections.items():
            if not isinstance(body, str):
                raise _Reject(f"sections.{name}", f"must be a string, not {type(body).__name__}")
            if body.strip():
                out.append((str(name), body.strip()))
        if out:
            return tuple(out)
        raise _Reject("sections", "every section is empty")
    if isinstance(text, str) and text.strip():
        return (("text", text.strip()),)
    if text is not None and not isinstance(text, str):
        raise _Reject("text", f"must be a string, not {type(text).__name__}")
    raise _Reject("text", "is required (or sections) and missing or empty")


def _metadata(data: dict[str, Any], limits: Limits) -> dict[str, Any]:
    meta = data.get("metadata") or {}
    if not isinstance(meta, dict):
        raise _Reject("metadata", "must be an object")
    for name, value in meta.items():
        ok = value is None or isinstance(value, str | int | float | bool)
        if isinstance(value, list):
            ok = all(isinstance(v, str | int | float | bool) for v in value)
        if not ok:
            raise _Reject(f"metadata.{name}", "must be a string, number, boolean or list of them")
    try:
        size = len(json.dumps(meta, ensure_ascii=False).encode())
    except ValueError:  # an int of more digits than Python converts (4,300)
        raise _Reject("metadata", "holds a number too long to read") from None
    if size > limits.max_metadata_bytes:
        raise _Reject(
            "metadata", f"is {size:,} bytes; the limit is {limits.max_metadata_bytes:,} "
            "(ORACULUM_MAX_METADATA_BYTES)"
        )  # fmt: skip
    return {k: v for k, v in meta.items() if v is not None}


def _identity(data: dict[str, Any], kind: str, lang: str, title: str, meta: dict[str, Any]
              ) -> tuple[str, str, dict[str, Any]]:  # fmt: skip
    """(doc id, entity, metadata with canonical facts added)."""
    explicit = _string(data, "id", required=False)
    if explicit is not None:
        try:
            ident = normalize(explicit)
        except ValueError:
            raise _Reject("id", f"{explicit!r} has no letters or digits to make an id") from None
        return ident, ident, meta
    key = _string(data, "key", required=False)
    if kind == "tarot_card":
        card = resolve_card(
            name=meta.get("card") or (title if lang == "en" else None),
            suit=meta.get("suit") or meta.get("arcana"),
            rank=meta.get("rank"),
            number=meta.get("number"),
        )
        if card is not None:
            canonical = {"arcana": card.arcana, "card": card.name}
            canonical |= (
                {"suit": card.suit, "rank": card.rank} if card.suit else {"number": card.number}
            )
            return card.doc_id(lang), card.entity, {**meta, **canonical}
    try:
        entity = normalize(kind, key or title)
    except ValueError:
        raise _Reject("key" if key else "title", "has no letters or digits to make an id") from None
    return normalize(entity, lang), entity, meta


def probable_id(data: Any) -> str | None:
    """The id a record that failed validation would have had, when enough of it is readable."""
    if not isinstance(data, dict):
        return None
    try:
        kind = normalize(_string(data, "kind", required=True) or "").replace("-", "_")
        lang = (_string(data, "lang", required=False) or "en").lower()
        title = _string(data, "title", required=False) or ""
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        return _identity(data, kind, lang, title, meta)[0]
    except (_Reject, ValueError):
        return None


def build_record(data: Any, *, source: str, location: str, limits: Limits) -> Record:
    """A validated Record, or RecordRejected naming the source, location and field."""
    try:
        if not isinstance(data, dict):
            raise _Reject(None, f"a record must be a JSON object, not {type(data).__name__}")
        unknown = set(data) - _ALLOWED
        if unknown:
            raise _Reject(
                sorted(unknown)[0], f"is not a field of the schema ({', '.join(sorted(_ALLOWED))})"
            )
        _no_surrogates(data)
        kind = normalize(_string(data, "kind", required=True) or "").replace("-", "_")
        lang = (_string(data, "lang", required=False) or "en").lower()
        if not _LANG.match(lang):
            raise _Reject("lang", f"{lang!r} is not a language code such as 'en' or 'vi'")
        title = _string(data, "title", required=True) or ""
        if len(title) > limits.max_title_chars:
            raise _Reject(
                "title", f"is {len(title):,} characters; the limit is {limits.max_title_chars:,}"
            )
        sections = _sections(data)
        size = sum(len(body) for _, body in sections)
        if size > limits.max_record_chars:
            field = "sections" if data.get("sections") else "text"
            raise _Reject(
                field, f"is {size:,} characters; the limit is {limits.max_record_chars:,} "
                "(ORACULUM_MAX_RECORD_CHARS)"
            )  # fmt: skip
        meta = _metadata(data, limits)
        ident, entity, meta = _identity(data, kind, lang, title, meta)
    except _Reject as exc:
        raise RecordRejected(source, location, exc.field, exc.reason) from None
    return Record(
        ident, entity, kind, lang, title, sections, {**meta, "entity": entity}, source, location
    )
