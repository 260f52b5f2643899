"""The time a request has left, shared by every step that can run out of it.

The Lambda router sets it from the invocation's remaining time, less a margin to answer, so
that nothing runs on after the function is killed or API Gateway gives up at 29 s:
- the retrieval steps refuse to start without time left (`check`): the caller gets a clear
  503 `deadline-exceeded` instead of a Lambda timeout;
- a call with its own timeout gets at most its share of what is left (`call_timeout`);
- a slow model gives way to the extractive composer (rag/generate.py);
- every remote call is bounded by it, inside the clients: boto3's (DynamoDB, SSM, Secrets
  Manager, Bedrock; backends/aws/clients.py) and Pinecone's (backends/pinecone/errors.py). Each
  attempt's timeouts are cut to what is left, nothing is sent once it is (nearly) gone, and a
  retry whose pause would outlast it is not made: the call raises DeadlineExceeded instead;
- a pause before a retry of our own (`pause`) is not taken when no call would fit after it.
Outside a request (the CLI, uvicorn, ingest) there is none, and these change nothing.

The deadline is a context variable: a thread started inside a request does not see it unless
what it runs is `carried`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from oraculum.domain.errors import DeadlineExceeded

P = ParamSpec("P")
R = TypeVar("R")

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


def call_timeout(default_s: float, step: str, *, attempts: int = 1, pause_s: float = 0.0) -> float:
    """The timeout of one attempt of `step`: its usual `default_s`, or less, so that all its
    `attempts` (the first and the retries) end by the deadline; but when no retry could start
    after an attempt that timed out (its pause `pause_s` and MIN_CALL_S would not fit), there
    is nothing to keep time for, and the attempt may use all that is left. Refuses as `check`
    does."""
    check(step)
    left = remaining()
    if left is None:
        return default_s
    share = left / attempts
    if left - share - pause_s < MIN_CALL_S:
        share = left
    return min(default_s, share)


def fits(pause_s: float) -> bool:
    """Whether a call can still start after waiting `pause_s` (always, without a deadline)."""
    left = remaining()
    return left is None or left - pause_s >= MIN_CALL_S


def pause(seconds: float, step: str, sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait `seconds` before `step` (a retry), or refuse at once, as `check` does, when the
    request's time would be (nearly) out by then: nothing waits only to give up after."""
    left = remaining()
    if left is not None and left - seconds < MIN_CALL_S:
        raise DeadlineExceeded(step, max(left, 0.0))
    sleep(seconds)


def carried(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn`, to run on another thread (a pool's worker) under this request's deadline: a new
    thread starts without the caller's context variables. Safe to run on many threads at once."""
    ends_at = _ends_at.get()
    if ends_at is None:
        return fn

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _ends_at.set(ends_at)
        try:
            return fn(*args, **kwargs)
        finally:
            _ends_at.reset(token)

    return run
