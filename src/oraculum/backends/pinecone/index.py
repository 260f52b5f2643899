"""The Pinecone serverless index as a VectorIndex, through the pinecone SDK's REST client.

`claim` creates the index when it is missing (the embedder's dimension, cosine, serverless) and
refuses one built for another dimension, metric or model before anything is written
(`control.py`). Every request stays inside Pinecone's limits (`limits.py`);
SDK failures become our errors, naming the index and what to check (`errors.py`).
An index that does not exist reads as empty. Pinecone is eventually consistent: `grace_s` is
the window `verify` allows before it calls a difference drift. Within a request's deadline
every call, control plane and data plane, keeps to it (`errors.bound_by_deadline`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from oraculum import time_budget
from oraculum.backends.aws.secrets import pinecone_api_key
from oraculum.backends.pinecone.control import IndexControl
from oraculum.backends.pinecone.errors import bound_by_deadline, translated
from oraculum.backends.pinecone.limits import (
    LIST_PAGE_SIZE,
    MAX_TOP_K,
    fetch_batches,
    id_batches,
    to_filter,
    unsatisfiable,
    upsert_batches,
    wire_vector,
)
from oraculum.domain.errors import BackendUnavailable, DimensionMismatch
from oraculum.domain.records import Metadata, VectorHit
from oraculum.ports import Filter, Vector

if TYPE_CHECKING:
    from pinecone import Index

    from oraculum.config import Settings

REQUEST_TIMEOUT_S = 10.0  # one HTTP attempt; the SDK retries 5xx, 429 and dropped connections
# A query answers a reading inside API Gateway's 29 s: 4 attempts of 4 s and the SDK's backoff
# between them (at most about 10 s) stay under it. Within a request's deadline each attempt
# gets at most a quarter of what is left (oraculum.time_budget), and none runs past it.
QUERY_TIMEOUT_S = 4.0
QUERY_ATTEMPTS = 4  # the data-plane client's first try and its three retries
FIRST_PAUSE_S = 0.75  # the SDK's longest pause before a first retry: 3 x its 0.25 s backoff
READY_TIMEOUT_S = 300.0  # how long claim waits for a new index to become ready
DEFAULT_NAMESPACES = ("", "__default__")  # how stats may name the default namespace


def from_settings(settings: Settings) -> PineconeIndex:
    return PineconeIndex(
        api_key=pinecone_api_key(settings),
        name=settings.pinecone_index,
        namespace=settings.pinecone_namespace,
        cloud=settings.pinecone_cloud,
        region=settings.pinecone_region,
        host=settings.pinecone_host,
        control_host=settings.pinecone_control_host,
        grace_s=settings.pinecone_grace_s,
    )


class PineconeIndex:
    def __init__(
        self,
        *,
        api_key: str,
        name: str,
        namespace: str = "",
        cloud: str = "aws",
        region: str = "us-east-1",
        host: str | None = None,
        control_host: str | None = None,
        grace_s: float = 0.0,
        timeout_s: float = REQUEST_TIMEOUT_S,
        ready_timeout_s: float = READY_TIMEOUT_S,
    ) -> None:
        from pinecone import Pinecone, RetryConfig

        self.name = name
        self.namespace = namespace
        self.grace_s = grace_s
        self._host = host
        self._pc = Pinecone(
            api_key=api_key,
            host=control_host or None,
            timeout=timeout_s,
            retry_config=RetryConfig(max_retries=2),
            source_tag="oraculum",
        )
        bound_by_deadline(self._pc)  # the control plane's calls
        self._control = IndexControl(
            self._pc,
            name,
            cloud=cloud,
            region=region,
            where=control_host or "the Pinecone control plane",
            ready_timeout_s=ready_timeout_s,
        )
        self._data: Index | None = None
        self._claimed: tuple[str, int] | None = None

    # --- the model the index was built with --------------------------------------------
    @property
    def model_id(self) -> str | None:
        return self._claimed[0] if self._claimed else self._control.model_id()

    @property
    def dim(self) -> int:
        return self._claimed[1] if self._claimed else self._control.dim()

    def claim(self, model_id: str, dim: int) -> None:
        self._control.claim(model_id, dim, self.count)
        self._claimed = (model_id, dim)

    # --- the data plane ----------------------------------------------------------------
    def _index(self) -> Index | None:
        """The data-plane client; None for an index that does not exist (reads see nothing)."""
        if self._data is None:
            host = self._host
            if not host:
                found = self._control.describe()
                if found is None or not found.host:
                    return None
                host = found.host
            self._data = self._pc.index(host=host)
            bound_by_deadline(self._data)
        return self._data

    def _writable(self) -> Index:
        index = self._index()
        if index is None:
            raise BackendUnavailable(
                f"Pinecone index {self.name!r} does not exist (or has no host yet); "
                "`oraculum ingest` creates it: check ORACULUM_PINECONE_INDEX"
            )
        return index

    def upsert(self, ids: Sequence[str], vectors: Vector, metadata: Sequence[Metadata]) -> None:
        if len(ids) == 0:
            return
        import numpy as np  # the ingest's path only: a Lambda function's query needs none

        index = self._writable()
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.dim:
            given = f"{matrix.shape[-1] if matrix.ndim else 0}-d vectors"
            raise DimensionMismatch(self._control.label(), given, f"{self.dim}-d vectors")
        if not len(ids) == len(matrix) == len(metadata):
            raise ValueError(f"{len(ids)} ids, {len(matrix)} vectors, {len(metadata)} metadata")
        # every vector of the call is checked before any request is sent
        items = [
            wire_vector(ident, row, meta, index=self.name)
            for ident, row, meta in zip(ids, matrix, metadata, strict=True)
        ]
        for batch in upsert_batches(items, self.namespace):
            with translated(self.name, f"an upsert of {len(batch)} vectors", index.host):
                index.upsert(vectors=batch, namespace=self.namespace, show_progress=False)

    def delete(self, ids: Sequence[str]) -> None:
        index = self._index() if len(ids) else None
        if index is None:
            return
        for part in id_batches(ids):
            with translated(self.name, f"a delete of {len(part)} ids", index.host):
                index.delete(ids=part, namespace=self.namespace)

    def query(self, vector: Vector, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        if top_k <= 0 or unsatisfiable(where):
            return []
        index = self._index()
        if index is None:
            return []
        values = [float(v) for v in vector]  # a numpy row or an array('f'), 1-D
        timeout = time_budget.call_timeout(
            QUERY_TIMEOUT_S, "the Pinecone query", attempts=QUERY_ATTEMPTS, pause_s=FIRST_PAUSE_S
        )
        with translated(self.name, "a query", index.host):
            found = index.query(
                vector=values,
                top_k=min(top_k, MAX_TOP_K),
                namespace=self.namespace,
                filter=to_filter(where),
                include_metadata=True,
                timeout=timeout,
            )
        # With the cosine metric Pinecone's score is the similarity, best first: our convention.
        return [VectorHit(m.id, float(m.score), dict(m.metadata or {})) for m in found.matches]

    def list_ids(self) -> Iterator[str]:
        index = self._index()
        token: str | None = None
        while index is not None:
            with translated(self.name, "a listing", index.host):
                page = index.list_paginated(
                    limit=LIST_PAGE_SIZE, pagination_token=token, namespace=self.namespace
                )
            yield from (item.id for item in page.vectors if item.id)
            token = page.pagination.next if page.pagination else None
            if not token:
                return

    def fetch_metadata(self, ids: Sequence[str]) -> dict[str, Metadata]:
        out: dict[str, Metadata] = {}
        index = self._index() if len(ids) else None
        if index is None:
            return out
        for part in fetch_batches(ids):
            with translated(self.name, f"a fetch of {len(part)} ids", index.host):
                found = index.fetch(ids=part, namespace=self.namespace)
            out.update({vid: dict(vec.metadata or {}) for vid, vec in found.vectors.items()})
        return out

    def count(self) -> int:
        index = self._index()
        if index is None:
            return 0
        with translated(self.name, "index stats", index.host):
            stats = index.describe_index_stats()
        names = (self.namespace,) if self.namespace else DEFAULT_NAMESPACES
        return sum(stats.namespaces[n].vector_count for n in names if n in stats.namespaces)

    def flush(self) -> None:
        """Each call is durable when it returns (and visible after Pinecone's short lag)."""

    def close(self) -> None:
        if self._data is not None:
            self._data.close()
            self._data = None
        self._pc.close()
