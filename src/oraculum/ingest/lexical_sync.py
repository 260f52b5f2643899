"""Bring a derived lexical index up to date with the indexed items (after ingest, in repair)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oraculum.config import Stores


def sync_lexical(stores: Stores) -> int | None:
    """Rebuild the lexical index from the document store's indexed chunks when it is derived.

    None when there is nothing to do: no lexical index, or one written with the items.
    """
    lexical = getattr(stores, "lexical", None)
    if lexical is None or lexical.follows_writes:
        return None
    return lexical.rebuild(c for c in stores.documents.scan() if c.status == "indexed")
