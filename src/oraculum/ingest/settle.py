"""What follows a run's writes (ingest, the sharded finish step): the derived lexical index made
again from the indexed items, then the base's version replaced, so stored readings made from
the old base are made again (knowledge_version.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oraculum import knowledge_version
from oraculum.ingest.lexical_sync import sync_lexical

if TYPE_CHECKING:
    from oraculum.config import Stores


def settle(stores: Stores, *, changed: bool = True) -> int | None:
    """Returns the chunks in a rebuilt lexical index (None when none was rebuilt). The
    version is replaced only when this run `changed` the base, after the lexical index."""
    rebuilt = sync_lexical(stores, changed=changed)
    if changed:
        knowledge_version.bump(stores.documents)
    return rebuilt
