"""The manifest of a sharded ingest: which document ids each shard saw, kept in the document
store as meta entries, so that the prune after all shards works from their union.

Keys (meta entries; in DynamoDB `~meta#` + key, one item each, under 400 KB):

    ingest-run/{source key}/{run}/{N}/{I}                  shard I's header, written last
    ingest-run/{source key}/{run}/{N}/{I}/{attempt}/{k}    part k of the ids it saw

The source key is sha256 of the source's name (names are paths or URLs, of any length); the
header repeats the name. A shard writes its parts under a fresh attempt token, then the header
naming that attempt: one write makes a shard complete, so a run killed while writing its parts
leaves no header (and the finish step waits for it), and a shard run again replaces its
manifest at once, never mixing two attempts' parts. Entries expire after KEEP_DAYS (DynamoDB's
time to live deletes them; SQLite clears them on later writes).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from oraculum.domain.errors import ConfigError, OraculumError
from oraculum.ingest.shards import Shard
from oraculum.ports import DocumentStore

PREFIX = "ingest-run/"
PART_BYTES = 300_000  # ids per part, as JSON: well under DynamoDB's 400 KB item
KEEP_DAYS = 30
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class ShardsIncomplete(OraculumError):
    """The finish step was asked for before every shard of the run had reported complete."""

    def __init__(self, source: str, run: str, missing: list[int], count: int) -> None:
        self.missing = missing
        shown = ", ".join(str(i) for i in missing[:20]) + (" …" if len(missing) > 20 else "")
        super().__init__(
            f"run {run!r} of {source}: {len(missing)} of {count} shards have not reported "
            f"complete (shard {shown}); run them (again: a shard is idempotent) with "
            f"`oraculum ingest SOURCE --shard I/{count} --run {run}`, then finish. Nothing was "
            "pruned."
        )


def check_run_id(run: str) -> str:
    """A run id as Step Functions names executions: 1-80 letters, digits, `.`, `_`, `-`."""
    if not _RUN_ID.match(run):
        raise ConfigError(
            f"run id {run!r}: 1 to 80 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit (a Step Functions execution name fits)"
        )
    return run


def _base(source: str, run: str, count: int) -> str:
    key = hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f"{PREFIX}{key}/{check_run_id(run)}/{count}"


def _parts(ids: Iterable[str]) -> Iterator[list[str]]:
    part: list[str] = []
    size = 2
    for ident in sorted(ids):
        grow = len(json.dumps(ident, ensure_ascii=False).encode()) + 2
        if part and size + grow > PART_BYTES:
            yield part
            part, size = [], 2
        part.append(ident)
        size += grow
    if part:
        yield part


@dataclass
class ShardSummary:
    """What a shard reports with its ids: counts, and whether it read every record's id."""

    read: int = 0
    rejected: int = 0
    unknown_rejects: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "rejected": self.rejected,
            "unknown_rejects": self.unknown_rejects,
        }


def write_shard(
    documents: DocumentStore,
    source: str,
    run: str,
    shard: Shard,
    ids: Iterable[str],
    summary: ShardSummary,
    *,
    now: float,
) -> int:
    """Record the ids shard `shard` saw in run `run` of `source`; the header last. Returns the
    number of parts written."""
    base = f"{_base(source, run, shard.count)}/{shard.index}"
    attempt = secrets.token_hex(6)
    expires = now + KEEP_DAYS * 86_400
    parts = 0
    count = 0
    for part in _parts(ids):
        documents.set_meta(f"{base}/{attempt}/{parts}", part, expires_at=expires)
        parts += 1
        count += len(part)
    header: dict[str, Any] = {
        "source": source, "run": run, "shard": shard.index, "shards": shard.count,
        "attempt": attempt, "parts": parts, "ids": count, "complete": True, **summary.as_dict(),
    }  # fmt: skip
    documents.set_meta(base, header, expires_at=expires)
    return parts


@dataclass
class RunManifest:
    """The union of what every shard of a run saw."""

    source: str
    run: str
    shards: int
    ids: set[str] = field(default_factory=set)
    summary: ShardSummary = field(default_factory=ShardSummary)


def read_run(documents: DocumentStore, source: str, run: str, count: int) -> RunManifest:
    """Every shard's ids, or ShardsIncomplete naming the shards without a complete header."""
    base = _base(source, run, count)
    headers: dict[int, dict[str, Any]] = {}
    for index in range(count):
        header = documents.get_meta(f"{base}/{index}")
        if (
            isinstance(header, dict)
            and header.get("complete") is True
            and header.get("source") == source
            and header.get("shards") == count
        ):
            headers[index] = header
    missing = [i for i in range(count) if i not in headers]
    if missing:
        raise ShardsIncomplete(source, run, missing, count)
    manifest = RunManifest(source, run, count)
    for index, header in headers.items():
        for k in range(int(header["parts"])):
            part = documents.get_meta(f"{base}/{index}/{header['attempt']}/{k}")
            if not isinstance(part, list):  # expired or lost: the shard must report again
                raise ShardsIncomplete(source, run, [index], count)
            manifest.ids.update(str(i) for i in part)
        manifest.summary.read += int(header.get("read", 0))
        manifest.summary.rejected += int(header.get("rejected", 0))
        manifest.summary.unknown_rejects += int(header.get("unknown_rejects", 0))
    return manifest
