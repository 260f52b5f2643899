"""The stores and services behind the API, opened once on first use and shared.

SQLite connections and the local model are not safe to use from several threads at once, so
readings are serialised by one lock; the work is CPU-bound on a small machine anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from oraculum import observability
from oraculum.config import Settings, Stores, build_services, open_stores
from oraculum.readings.services import Services


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = settings.clock()
        self._lock = threading.Lock()
        self._stores: Stores | None = None
        self._services: Services | None = None

    @contextmanager
    def services(self) -> Iterator[Services]:
        with self._lock:
            if self._services is None:
                self._stores = open_stores(self.settings)
                self._services = build_services(
                    self.settings, self._stores, count=observability.count
                )
            yield self._services

    @contextmanager
    def stores(self) -> Iterator[Stores]:
        with self.services():
            assert self._stores is not None
            yield self._stores

    def close(self) -> None:
        with self._lock:
            if self._stores is not None:
                self._stores.close()
            self._stores = self._services = None
