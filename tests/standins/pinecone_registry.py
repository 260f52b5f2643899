"""The control plane of the LOCAL STAND-IN for Pinecone: the indexes of one project.

Create, describe, list, configure (tags, deletion protection) and delete indexes, with the
2026-07 API's shapes: an index declares one dense field `_values` (dimension, metric) and a
managed deployment; its description carries `host`, `status`, `schema`, `deployment`, `tags`.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.standins.pinecone_filters import Invalid
from tests.standins.pinecone_state import MAX_DIMENSION, METRICS, VectorIndexState

_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,43}[a-z0-9])?$")
_TAG_KEY = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class Refused(Exception):
    """A control-plane answer other than 400: (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class IndexEntry:
    name: str
    cloud: str
    region: str
    ready_at: float
    state: VectorIndexState
    tags: dict[str, str] = field(default_factory=dict)
    deletion_protection: str = "disabled"


def checked_tags(tags: Any) -> dict[str, str]:
    if not isinstance(tags, dict) or len(tags) > 20:
        raise Invalid("tags must be an object of at most 20 tags")
    for key, value in tags.items():
        if not _TAG_KEY.match(key):
            raise Invalid(f"tag key {key!r} must be 1-80 alphanumerics, '_' or '-'")
        printable = isinstance(value, str) and value.isascii() and value.isprintable()
        if not printable or len(value) > 120:
            raise Invalid(f"tag {key!r} must be at most 120 printable ASCII characters")
    return dict(tags)


class IndexRegistry:
    def __init__(self, host_of: Callable[[str], str], delay: Callable[[], float]) -> None:
        self._host_of = host_of  # index name -> its data-plane URL
        self._delay = delay  # the visibility delay, read at each write
        self.init_delay = 0.0  # how long a new index stays "Initializing"
        self._indexes: dict[str, IndexEntry] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> IndexEntry | None:
        with self._lock:
            return self._indexes.get(name)

    def entry(self, name: str) -> IndexEntry:
        found = self.get(name)
        if found is None:
            raise Refused(404, f"Resource {name} not found")
        return found

    def model(self, e: IndexEntry) -> dict[str, Any]:
        ready = time.monotonic() >= e.ready_at
        vector = {"type": "dense_vector", "dimension": e.state.dimension, "metric": e.state.metric}
        return {
            "name": e.name,
            "host": self._host_of(e.name),
            "status": {"ready": ready, "state": "Ready" if ready else "Initializing"},
            "schema": {"fields": {"_values": vector}},
            "deployment": {"deployment_type": "managed", "cloud": e.cloud, "region": e.region},
            "deletion_protection": e.deletion_protection,
            "read_capacity": {"mode": "OnDemand", "status": {"state": "Ready"}},
            "tags": dict(e.tags) or None,
        }

    def list(self) -> dict[str, Any]:
        with self._lock:
            entries = list(self._indexes.values())
        return {"indexes": [self.model(e) for e in entries]}

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise Invalid(
                "Index name must be 1-45 lowercase alphanumeric characters or hyphens, and must "
                "not begin or end with a hyphen"
            )
        fields = (body.get("schema") or {}).get("fields")
        if not isinstance(fields, dict) or list(fields) != ["_values"]:
            raise Invalid(
                "this stand-in serves vectors-API indexes only: declare one dense_vector field "
                "named _values"
            )
        vector = fields["_values"]
        dimension, metric = vector.get("dimension"), vector.get("metric", "cosine")
        if vector.get("type") != "dense_vector" or not isinstance(dimension, int):
            raise Invalid("_values must be a dense_vector field with an integer dimension")
        if not 1 <= dimension <= MAX_DIMENSION or metric not in METRICS:
            raise Invalid(f"dimension must be 1-{MAX_DIMENSION}, metric one of {list(METRICS)}")
        deployment = body.get("deployment") or {"deployment_type": "managed"}
        if deployment.get("deployment_type") != "managed":
            raise Invalid("this stand-in serves managed (serverless) deployments only")
        entry = IndexEntry(
            name=name,
            cloud=deployment.get("cloud", "aws"),
            region=deployment.get("region", "us-east-1"),
            ready_at=time.monotonic() + self.init_delay,
            state=VectorIndexState(dimension, metric, self._delay),
            tags=checked_tags(body.get("tags") or {}),
            deletion_protection=body.get("deletion_protection") or "disabled",
        )
        with self._lock:
            if name in self._indexes:
                raise Refused(409, f"Resource {name} already exists")
            self._indexes[name] = entry
        return {**self.model(entry), "status": {"ready": False, "state": "Initializing"}}

    def configure(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        entry = self.entry(name)
        updates = checked_tags(body.get("tags") or {})
        with self._lock:  # a tag set to "" is removed
            entry.tags = {k: v for k, v in {**entry.tags, **updates}.items() if v != ""}
            if body.get("deletion_protection") in ("enabled", "disabled"):
                entry.deletion_protection = body["deletion_protection"]
        return self.model(entry)

    def delete(self, name: str) -> None:
        if self.entry(name).deletion_protection == "enabled":
            raise Refused(403, f"Deletion protection is enabled for index {name}")
        with self._lock:
            self._indexes.pop(name, None)
