"""Generation with a safety net: the primary generator, else the fallback (the composition
root gives the extractive composer; this module knows no backend).

When the primary errors, times out, or cannot write the asked language, the fallback
answers. Failures and timeouts mark the answer `degraded`; a language the model
cannot write is a note, since the composer is the right tool then, not a fallback. Under a
request deadline (time_budget.py) the model gets at most what is left of it, less the
composer's margin; with nothing left it is not asked at all.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import replace
from typing import Any

from oraculum import time_budget
from oraculum.ports import Generation, GenerationRequest, Generator

log = logging.getLogger("oraculum.generate")
COMPOSE_MARGIN_S = 0.5  # kept back from a request's deadline: composing, answering


class FallbackGenerator:
    """`primary`, with `fallback` (a generator that cannot fail: the composer) answering when
    it fails, is late or cannot write the language. When both are the same generator, it
    simply answers."""

    def __init__(self, primary: Generator, fallback: Generator, *, timeout_s: float = 20.0) -> None:
        self.primary = primary
        self.fallback = fallback
        self.timeout_s = timeout_s

    @property
    def model_id(self) -> str:
        return self.primary.model_id

    @property
    def languages(self) -> frozenset[str]:
        return self.primary.languages | self.fallback.languages

    def generate(self, request: GenerationRequest) -> Generation:
        if self.primary is self.fallback:
            return self.fallback.generate(request)
        if request.lang not in self.primary.languages:
            note = (
                f"{self.primary.model_id} cannot write '{request.lang}'; "
                f"{self.fallback.model_id} answered"
            )
            return replace(self.fallback.generate(request), notes=(note,))
        timeout = self.timeout_s
        left = time_budget.remaining()
        if left is not None:
            timeout = min(timeout, left - COMPOSE_MARGIN_S)
            if timeout <= 0:
                reason = f"no time left in the request for {self.primary.model_id}"
                return replace(self.fallback.generate(request), degraded=True, notes=(reason,))
        started = time.perf_counter()
        outcome: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

        def run() -> None:
            try:
                outcome.put((True, self.primary.generate(request)))
            except Exception as exc:  # any failure of the model must still give a reading
                outcome.put((False, exc))

        # A daemon thread: a model run that outlives its timeout must not keep the process
        # (a CLI call, a Lambda invocation) from ending; the model serialises its own calls.
        threading.Thread(target=time_budget.carried(run), name="generator", daemon=True).start()
        try:
            ok, value = outcome.get(timeout=timeout)
        except queue.Empty:
            reason = f"{self.primary.model_id} timed out after {timeout:.1f} s"
        else:
            if ok:
                return value  # type: ignore[no-any-return]
            reason = f"{self.primary.model_id} failed: {type(value).__name__}: {value}"
        log.warning(
            "generator degraded after %.0f ms: %s", (time.perf_counter() - started) * 1e3, reason
        )
        return replace(self.fallback.generate(request), degraded=True, notes=(reason,))
