"""Generation with a safety net: the primary generator, else the extractive composer.

When the primary errors, times out, or cannot write the asked language, the extractive
composer answers. Failures and timeouts mark the answer `degraded`; a language the model
cannot write is a note, since the composer is the right tool then, not a fallback.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace

from oraculum.backends.extractive import ExtractiveComposer
from oraculum.ports import Generation, GenerationRequest, Generator

log = logging.getLogger("oraculum.generate")


class FallbackGenerator:
    def __init__(self, primary: Generator, *, timeout_s: float = 20.0) -> None:
        self.primary = primary
        self.fallback = ExtractiveComposer()
        self.timeout_s = timeout_s
        # One worker: a timed-out generation keeps its thread until it ends, and a second
        # request must not pile another model run on top of it.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="generator")

    @property
    def model_id(self) -> str:
        return self.primary.model_id

    @property
    def languages(self) -> frozenset[str]:
        return self.primary.languages | self.fallback.languages

    def generate(self, request: GenerationRequest) -> Generation:
        if isinstance(self.primary, ExtractiveComposer):
            return self.fallback.generate(request)
        if request.lang not in self.primary.languages:
            note = (
                f"{self.primary.model_id} cannot write '{request.lang}'; "
                "the extractive composer answered"
            )
            return replace(self.fallback.generate(request), notes=(note,))
        started = time.perf_counter()
        future = self._pool.submit(self.primary.generate, request)
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            reason = f"{self.primary.model_id} timed out after {self.timeout_s:.0f} s"
        except Exception as exc:  # any failure of the model must still give the user a reading
            reason = f"{self.primary.model_id} failed: {type(exc).__name__}: {exc}"
        log.warning(
            "generator degraded after %.0f ms: %s", (time.perf_counter() - started) * 1e3, reason
        )
        return replace(self.fallback.generate(request), degraded=True, notes=(reason,))
