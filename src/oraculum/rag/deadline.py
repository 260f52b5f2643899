"""The time a request has left, for work that can be cut short (the model's answer).

The Lambda router sets it from the invocation's remaining time, less a margin to answer, so
that a slow model gives way to the extractive composer before the function is killed or API
Gateway gives up at 29 s. Outside a request (the CLI, uvicorn) there is none.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
