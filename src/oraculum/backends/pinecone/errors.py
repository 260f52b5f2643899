"""SDK failures as Oraculum errors, each naming the Pinecone index, the call and what to check;
and every SDK call kept to the request's deadline (oraculum.time_budget).

The deadline: the SDK sends each request through its retrying transport, which re-sends the
same httpx request (timeouts in its `timeout` extension) after a pause of decorrelated jitter
(`RetryConfig`: uniform(backoff_factor, previous pause * 3), at most max_wait; a Retry-After
header may lengthen it by half). `bound_by_deadline` puts `DeadlineTransport` under that loop,
so that it sees every attempt: an attempt does not start without time left, its connect,
read, write and pool timeouts are cut to what is left, and a failure the SDK would retry (a
transport error, 429 or 5xx) raises DeadlineExceeded when its longest pause would leave no time
for another attempt. The control plane's calls, which take no timeout of their own, are bounded
the same way. Without a deadline the transport passes every request through untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

import httpx

from oraculum import time_budget
from oraculum.domain.errors import BackendUnavailable, DeadlineExceeded, OraculumError

if TYPE_CHECKING:
    from pinecone import RetryConfig

log = logging.getLogger("oraculum.pinecone")

_ATTEMPT = "oraculum_attempt"  # our request extension: the attempts made of this request
_FLOOR_S = 0.001  # httpx timeouts must be positive; a call with less left is refused anyway


class PineconeRequestRejected(OraculumError):
    """Pinecone answered a request with a 4xx that says the request itself is wrong."""

    def __init__(self, index: str, operation: str, status: int, message: str) -> None:
        self.index = index
        self.operation = operation
        self.status = status
        self.message = message
        super().__init__(
            f"Pinecone index {index!r} rejected {operation} ({status}): {message}. Oraculum "
            "splits and checks requests against Pinecone's limits (docs/pinecone.md), so this "
            "is a limit it does not know of: report it with this message."
        )


@contextmanager
def translated(index: str, what: str, where: str) -> Iterator[None]:
    """Run SDK calls; a failure leaves as BackendUnavailable or PineconeRequestRejected.

    Not-found and conflict answers are left to the caller, who may expect them (a describe of
    a missing index, a create that another process won): catch them inside this block.
    """
    from pinecone.errors import exceptions as pe

    try:
        yield
    except (pe.PineconeConnectionError, pe.PineconeTimeoutError) as exc:
        raise BackendUnavailable(
            f"cannot reach Pinecone index {index!r} for {what} at {where}: {exc}. Check the "
            "network, ORACULUM_PINECONE_HOST / ORACULUM_PINECONE_CONTROL_HOST and "
            "https://status.pinecone.io"
        ) from None
    except pe.UnauthorizedError:
        raise BackendUnavailable(
            f"Pinecone refused the API key for {what} on index {index!r} at {where}: check "
            "ORACULUM_PINECONE_API_KEY (or its SSM parameter / secret) and that the key belongs "
            "to the index's project"
        ) from None
    except pe.NotFoundError as exc:
        raise BackendUnavailable(
            f"Pinecone index {index!r} was not found for {what} at {where} ({exc.message}); "
            "it may have been deleted: `oraculum ingest` creates it again"
        ) from None
    except (pe.RateLimitError, pe.ServiceError) as exc:
        raise BackendUnavailable(
            f"Pinecone failed {what} on index {index!r} ({exc.status_code}: {exc.message}) "
            "after retries: retry later, and see https://status.pinecone.io"
        ) from None
    except pe.ForbiddenError as exc:
        raise BackendUnavailable(
            f"Pinecone forbids {what} on index {index!r}: {exc.message} (a project quota or "
            "deletion protection)"
        ) from None
    except pe.ApiError as exc:
        raise PineconeRequestRejected(index, what, exc.status_code, exc.message) from None


# --- the request's deadline, in every SDK call -----------------------------------------------
def bound_by_deadline(sdk: Any) -> None:
    """Put DeadlineTransport under the retry loop of `sdk`'s HTTP client: a Pinecone client (the
    control plane) or an Index (the data plane; it retries by the SDK's default RetryConfig,
    not the client's: the transport reads the one its loop really runs by)."""
    from pinecone import RetryConfig

    retrying = getattr(getattr(getattr(sdk, "_http", None), "_client", None), "_transport", None)
    inner = getattr(retrying, "_transport", None)
    retry = getattr(retrying, "_config", None)
    if isinstance(inner, DeadlineTransport):
        return
    if not isinstance(inner, httpx.BaseTransport) or not isinstance(retry, RetryConfig):
        log.warning(
            "the pinecone SDK's transport is not as expected (%s): its calls keep to a "
            "request's deadline only through the timeouts Oraculum passes",
            type(retrying).__name__,
        )
        return
    retrying._transport = DeadlineTransport(inner, retry)


class DeadlineTransport(httpx.BaseTransport):
    """One attempt of an SDK request, kept to the caller's deadline (see the module's text)."""

    def __init__(self, inner: httpx.BaseTransport, retry: RetryConfig) -> None:
        self._inner = inner
        self._retry = retry

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if time_budget.remaining() is None:
            return self._inner.handle_request(request)
        attempt = int(request.extensions.get(_ATTEMPT, 0)) + 1
        step = f"Pinecone {request.method} {request.url.path}"
        time_budget.check(step if attempt == 1 else f"a retry of {step}")
        left = time_budget.remaining() or 0.0
        request.extensions = {  # a new dict: the SDK shares its default one between requests
            **request.extensions,
            _ATTEMPT: attempt,
            "timeout": _cut(request.extensions.get("timeout"), left),
        }
        try:
            response = self._inner.handle_request(request)
        except httpx.LocalProtocolError:
            raise  # the request itself is wrong: the SDK does not retry it
        except httpx.TransportError as exc:
            self._unless_time_for_another(step, attempt, None, exc)
            raise
        if response.status_code in self._retry.retryable_status_codes:
            self._unless_time_for_another(step, attempt, response, None)
        return response

    def _unless_time_for_another(
        self,
        step: str,
        attempt: int,
        response: httpx.Response | None,
        exc: Exception | None,
    ) -> None:
        """Raise DeadlineExceeded if after this failed attempt there is no time for another:
        none left at all, or (when the SDK will retry) not after its longest pause."""
        retrying = attempt <= self._retry.max_retries
        pause = self._longest_pause(attempt, response) if retrying else 0.0
        left = time_budget.remaining()
        if left is None or left - pause >= time_budget.MIN_CALL_S:
            return
        if response is not None:
            response.close()
        raise DeadlineExceeded(f"a retry of {step}" if retrying else step, max(left, 0.0)) from exc

    def _longest_pause(self, attempt: int, response: httpx.Response | None) -> float:
        """The SDK's pause after the `attempt`-th attempt, at its longest: each pause is at most
        three times the one before, the first three times backoff_factor."""
        retry = self._retry
        pause = min(retry.max_wait, retry.backoff_factor * 3.0**attempt)
        after = response.headers.get("retry-after") if response is not None else None
        if after is not None:
            with suppress(ValueError):  # not a number of seconds: the SDK ignores it too
                pause = max(pause, 1.5 * min(max(float(after), 0.0), retry.max_wait))
        return pause

    def close(self) -> None:
        self._inner.close()


def _cut(timeouts: Mapping[str, float | None] | None, left: float) -> dict[str, float]:
    """httpx's per-phase timeouts (connect, read, write, pool), each at most `left`."""
    left = max(left, _FLOOR_S)
    phases = {"connect": None, "read": None, "write": None, "pool": None, **(timeouts or {})}
    return {name: left if value is None else min(value, left) for name, value in phases.items()}
