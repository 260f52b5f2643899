"""Failpoints: kill the process at an exact place, to test crash consistency.

A TEST FACILITY, in the manner of etcd's gofail. Only the environment variable
`ORACULUM_FAILPOINT=NAME:N` turns it on: the Nth time the ingest passes the point NAME, the
process sends itself SIGKILL, as a crash or an OOM kill would. Points:

- `after-pending`   the document store holds the batch with status=pending; no vector yet
- `after-vector`    the vectors are upserted; the items are still pending
- `before-indexed`  just before the items are marked indexed
- `mid-prune`       vectors of pruned documents deleted, their items not yet
- `mid-stale`       vectors of chunks a shorter document no longer has deleted, items not yet
"""

from __future__ import annotations

import os
import signal

POINTS = ("after-pending", "after-vector", "before-indexed", "mid-prune", "mid-stale")
_passes: dict[str, int] = {}


def _armed() -> tuple[str, int] | None:
    spec = os.environ.get("ORACULUM_FAILPOINT", "")
    if not spec:
        return None
    name, _, count = spec.partition(":")
    if name not in POINTS:
        raise ValueError(f"ORACULUM_FAILPOINT names no failpoint: {name!r}; known: {POINTS}")
    return name, int(count or 1)


def hit(name: str) -> None:
    """Mark one pass through `name`; dies here if this is the armed pass."""
    armed = _armed()
    if armed is None or armed[0] != name:
        return
    _passes[name] = _passes.get(name, 0) + 1
    if _passes[name] == armed[1]:
        os.kill(os.getpid(), signal.SIGKILL)
