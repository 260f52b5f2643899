"""Which shard of a sharded ingest owns a record: decided by its document id alone.

`oraculum ingest SOURCE --shard I/N` reads the whole source and keeps the records whose
document id falls to shard I of N: the first 8 bytes of sha256(doc id, UTF-8) read as a
big-endian integer, mod N. The doc id is the normalized one (`oraculum.domain.ids.normalize`),
so the assignment is the same on every machine, in every Python process and in every release
that keeps the id rules: never Python's `hash()`, which is salted per process.

A record whose id cannot be known (a line that is not JSON, invalid UTF-8, a record too broken
to name) belongs to shard 0: exactly one shard reports it, and its prune guard (nothing is
pruned while a record's id is unknown) then travels through shard 0's manifest. A rejected
record whose id is known belongs to the shard of that id, which reports it and keeps its stored
version from the prune.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_SHARDS = 1000  # Step Functions' States.ArrayRange makes at most 1,000 items
_SPEC = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")


def shard_of(doc_id: str, count: int) -> int:
    """The shard (0..count-1) that owns the normalized document id `doc_id`."""
    digest = hashlib.sha256(doc_id.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (0-based)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SHARDS:
            raise ValueError(f"the number of shards must be 1 to {MAX_SHARDS}, not {self.count}")
        if not 0 <= self.index < self.count:
            raise ValueError(
                f"shard {self.index} does not exist among {self.count}: shards are numbered "
                f"0 to {self.count - 1}"
            )

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """`"I/N"`, as `--shard` takes it; ValueError says what is wrong."""
        found = _SPEC.match(spec)
        if found is None:
            raise ValueError("not I/N, such as 0/4 (shard 0 of 4)")
        return cls(int(found.group(1)), int(found.group(2)))

    def owns(self, doc_id: str | None) -> bool:
        """This shard's record: its id falls here, or (no id known) this is shard 0."""
        if doc_id is None:
            return self.index == 0
        return shard_of(doc_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
