"""One Pinecone index on the control plane: describe it, create it, check and record its model.

An index the vectors API serves has one dense field, `_values`. Its embedding model is kept as
the index tag `oraculum-model`, written at creation, so every process that opens the index
(a laptop, each Lambda) reads the same answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oraculum import time_budget
from oraculum.backends.pinecone.errors import translated
from oraculum.domain.errors import BackendUnavailable, ConfigError, DimensionMismatch

if TYPE_CHECKING:
    from pinecone import Pinecone
    from pinecone.models.indexes.index import IndexModel

log = logging.getLogger(__name__)

MODEL_TAG = "oraculum-model"
VECTOR_FIELD = "_values"
METRIC = "cosine"
MAX_TAG_VALUE = 120  # printable ASCII characters


class IndexControl:
    def __init__(
        self,
        pc: Pinecone,
        name: str,
        *,
        cloud: str,
        region: str,
        where: str,
        ready_timeout_s: float,
    ) -> None:
        self.name = name
        self._pc = pc
        self._cloud, self._region = cloud, region
        self._where = where
        self._ready_timeout_s = ready_timeout_s
        self._found: IndexModel | None = None
        self._described = False

    def describe(self, *, refresh: bool = False) -> IndexModel | None:
        """The index as the control plane describes it (cached); None when it does not exist."""
        from pinecone.errors.exceptions import NotFoundError

        if refresh or not self._described:
            with translated(self.name, "describe index", self._where):
                try:
                    self._found = self._pc.indexes.describe(self.name)
                except NotFoundError:
                    self._found = None
            self._described = True
        return self._found

    def model_id(self) -> str | None:
        found = self.describe()
        return None if found is None else (found.tags or {}).get(MODEL_TAG)

    def dim(self) -> int:
        found = self.describe()
        field = None if found is None else dense_field(found)
        return 0 if field is None else int(field.dimension)

    def claim(self, model_id: str, dim: int, count: Callable[[], int]) -> None:
        """Create the index when missing; refuse one built otherwise; record the model."""
        if len(model_id) > MAX_TAG_VALUE or not model_id.isascii() or not model_id.isprintable():
            raise ConfigError(
                f"embedding model id {model_id!r} cannot be kept as a Pinecone tag (at most "
                f"{MAX_TAG_VALUE} printable ASCII characters)"
            )
        found = self.describe()  # cached when model_id was read first, as open_stores does
        if found is None or not found.status.ready:
            found = self.describe(refresh=True)  # it may have appeared since
        if found is None:
            found = self._create(model_id, dim)
        elif not found.status.ready:  # another process created it a moment ago
            found = self._wait_ready()
        self._check(found, model_id, dim, count)
        if (found.tags or {}).get(MODEL_TAG) is None:
            with translated(self.name, "tag index", self._where):
                self._found = self._pc.indexes.configure(self.name, tags={MODEL_TAG: model_id})

    def label(self) -> str:
        return f"Pinecone index {self.name!r} (ORACULUM_PINECONE_INDEX picks another)"

    def _check(self, found: IndexModel, model_id: str, dim: int, count: Callable[[], int]) -> None:
        field = dense_field(found)
        tagged = (found.tags or {}).get(MODEL_TAG)
        expected = f"{model_id} ({dim}-d, {METRIC})"
        if field is None:
            shape = "no single dense vector field (not an index the vectors API serves)"
            raise DimensionMismatch(self.label(), expected, shape)
        shape = f"{int(field.dimension)}-d, {field.metric}"
        if int(field.dimension) != dim or field.metric != METRIC:
            raise DimensionMismatch(self.label(), expected, f"{tagged or 'a model'} ({shape})")
        if tagged is not None and tagged != model_id:
            raise DimensionMismatch(self.label(), expected, f"{tagged} ({shape})")
        if tagged is None and (held := count()) > 0:
            unknown = f"an unrecorded model ({held} vectors, no {MODEL_TAG} tag; {shape})"
            raise DimensionMismatch(self.label(), expected, unknown)

    def _create(self, model_id: str, dim: int) -> IndexModel:
        from pinecone.errors.exceptions import ConflictError

        log.info("creating Pinecone index %s (%d-d, %s)", self.name, dim, METRIC)
        field = {"type": "dense_vector", "dimension": dim, "metric": METRIC}
        deployment = {"deployment_type": "managed", "cloud": self._cloud, "region": self._region}
        with translated(self.name, "create index", self._where):
            try:
                self._pc.indexes.create(
                    name=self.name,
                    schema={"fields": {VECTOR_FIELD: field}},
                    deployment=deployment,
                    tags={MODEL_TAG: model_id},
                    timeout=-1,  # we wait ourselves, polling sooner than the SDK's 5 s
                )
            except ConflictError:
                log.info("Pinecone index %s was created meanwhile by another process", self.name)
        return self._wait_ready()

    def _wait_ready(self) -> IndexModel:
        give_up_at = time.monotonic() + self._ready_timeout_s
        pause = 0.2
        while True:
            found = self.describe(refresh=True)
            if found is not None and found.status.ready:
                return found
            if time.monotonic() >= give_up_at:
                raise BackendUnavailable(
                    f"Pinecone index {self.name!r} is not ready after "
                    f"{self._ready_timeout_s:.0f} s; check its state in the Pinecone console, "
                    "then run the command again"
                )
            time_budget.pause(pause, f"another look at Pinecone index {self.name!r}, not yet ready")
            pause = min(pause * 2, 5.0)


def dense_field(found: IndexModel) -> Any:
    """The index's one dense vector field, or None (sparse, document or several fields)."""
    from pinecone.models.indexes.schema import DenseVectorField

    dense = [f for f in found.schema.fields.values() if isinstance(f, DenseVectorField)]
    return dense[0] if len(dense) == 1 else None
