"""Bring a derived lexical index up to date with the indexed items (after ingest, in repair)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oraculum.config import Stores
    from oraculum.ports import LexicalIndex


def _derived(stores: Stores) -> LexicalIndex | None:
    lexical = getattr(stores, "lexical", None)
    return None if lexical is None or lexical.follows_writes else lexical


def note_writes(stores: Stores) -> None:
    """Before a batch of item writes: the derived index is stale until the next rebuild."""
    lexical = _derived(stores)
    if lexical is not None:
        lexical.note_writes()


def sync_lexical(stores: Stores, *, changed: bool = True) -> int | None:
    """Rebuild the lexical index from the document store's indexed chunks when it is derived.

    None when there is nothing to do: no lexical index, one written with the items, or (when
    this run `changed` nothing) one that no write has touched since it was built.
    """
    lexical = _derived(stores)
    if lexical is None or (not changed and lexical.up_to_date()):
        return None
    return lexical.rebuild(c for c in stores.documents.scan() if c.status == "indexed")
