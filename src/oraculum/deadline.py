"""The time a request has left, shared by every step that can run out of it.

The Lambda router sets it from the invocation's remaining time, less a margin to answer, so
that nothing runs on after the function is killed or API Gateway gives up at 29 s:
- the retrieval steps refuse to start without time left (`check`): the caller gets a clear
  503 `deadline-exceeded` instead of a Lambda timeout;
- a call with its own timeout gets at most its share of what is left (`call_timeout`);
- a slow model gives way to the extractive composer (rag/generate.py).
Outside a request (the CLI, uvicorn, ingest) there is none, and these change nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from oraculum.domain.errors import DeadlineExceeded

# Below this a network call is not worth starting: a round trip to a store or model takes
# tens of milliseconds, and the answer still has to be written.
MIN_CALL_S = 0.25
_ends_at: ContextVar[float | None] = ContextVar("oraculum_deadline", default=None)


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Everything inside runs under a deadline `seconds` from now (None: no deadline)."""
    token = _ends_at.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _ends_at.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (negative once past), or None without one."""
    ends_at = _ends_at.get()
    return None if ends_at is None else ends_at - time.monotonic()


def check(step: str) -> None:
    """Refuse to start `step` ("the vector search") when the request's time is (nearly) out."""
    left = remaining()
    if left is not None and left < MIN_CALL_S:
        raise DeadlineExceeded(step, max(left, 0.0))


def call_timeout(default_s: float, step: str, *, attempts: int = 1) -> float:
    """The timeout of one attempt of `step`: its usual `default_s`, or less, so that all its
    `attempts` (the first and the retries) end by the deadline. Refuses as `check` does."""
    check(step)
    left = remaining()
    return default_s if left is None else min(default_s, left / attempts)
