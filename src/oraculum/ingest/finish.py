"""The finish step of a sharded ingest: once every shard reported complete, prune from the union
of their manifests, rebuild a derived lexical index once, and verify both stores.

It refuses (ShardsIncomplete, nothing pruned) while any shard of the run has not reported: a
prune from a partial view would delete the documents of the shards still missing. As with
`ingest --prune`, nothing is pruned while any shard met a record whose id it could not know.
Idempotent: a finish killed anywhere (`mid-prune` included) is simply run again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oraculum.config import Stores
from oraculum.ingest.manifest import read_run
from oraculum.ingest.pipeline import prune_source
from oraculum.ingest.settle import settle
from oraculum.ingest.verify import DriftReport, verify


@dataclass
class FinishReport:
    source: str
    run: str
    shards: int
    documents: int = 0  # ids the shards saw, together
    read: int = 0
    rejected: int = 0
    deleted: int = 0
    prune: bool = True
    prune_skipped: str | None = None
    lexical: int | None = None  # entries of a rebuilt lexical index; None: none derived
    drift: DriftReport = field(default_factory=DriftReport)
    dry_run: bool = False

    @property
    def clean(self) -> bool:
        return self.dry_run or self.drift.clean

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "run": self.run,
            "shards": self.shards,
            "documents": self.documents,
            "read": self.read,
            "rejected": self.rejected,
            "deleted": self.deleted,
            "prune": self.prune,
            "prune_skipped": self.prune_skipped,
            "lexical": self.lexical,
            "dry_run": self.dry_run,
            "clean": self.clean,
            "verify": None if self.dry_run else self.drift.as_dict(),
        }


def finish(
    stores: Stores,
    source_name: str,
    run: str,
    shards: int,
    *,
    prune: bool = True,
    dry_run: bool = False,
) -> FinishReport:
    """Prune `source_name` to what run `run`'s `shards` shards saw, sync, verify."""
    manifest = read_run(stores.documents, source_name, run, shards)  # or ShardsIncomplete
    report = FinishReport(
        source_name, run, shards, documents=len(manifest.ids), read=manifest.summary.read,
        rejected=manifest.summary.rejected, prune=prune, dry_run=dry_run,
    )  # fmt: skip
    unknown = manifest.summary.unknown_rejects
    if prune and unknown:
        report.prune_skipped = (
            f"{unknown} record(s) could not be read far enough to know their id; pruning "
            "could delete their stored versions, so nothing was pruned"
        )
    elif prune:
        report.deleted = prune_source(stores, source_name, manifest.ids, dry_run=dry_run)
    if dry_run:
        return report
    stores.index.flush()
    report.lexical = settle(stores)  # the shards wrote: always made again
    report.drift = verify(stores)
    return report
