"""boto3 clients for our adapters: made once per process, with timeouts and adaptive retries,
and every call kept to the request's deadline (oraculum.time_budget).

Region, credentials and endpoint follow the standard AWS settings (AWS_REGION, AWS_PROFILE,
AWS_ENDPOINT_URL, ...); `Settings.aws_region` overrides the region. boto3 is imported here,
on first use, so that nothing on the embedded path pays for it.

How a call keeps to the deadline (`bound_by_deadline`; without a deadline nothing changes):

- each attempt ends by it. botocore's timeouts are per client: its HTTP session
  (httpsession.URLLib3Session) gives one urllib3 `Timeout` to the connection pools it makes,
  and urllib3 clones the pool's `Timeout` when each request starts, in the caller's thread.
  The session's `Timeout` becomes one whose clones carry a `total` (connect and read
  together) of what is left of the caller's deadline: each attempt, retries included, gets
  its own bound, on any botocore (a Lambda runtime's may be older than this venv's), with one
  client and one connection pool as before. (botocore 1.44 also takes a per-request
  `read_timeout` from the request context: a read-only bound, new versions only; it is the
  fallback if the session is not as expected, and one set by anyone else is cut too.)
- nothing is sent without time left: a `before-send` hook, run right before each attempt,
  raises DeadlineExceeded naming the operation (botocore hands it back unretried);
- retries stop when the deadline is gone: a `needs-retry` hook, ahead of botocore's retry
  handler, lets a retry through only if the longest pause botocore may take before it (its
  own backoff, with the jitter at its maximum) leaves time for an attempt after; otherwise a
  failure a retry could mend (a timeout, throttling, a 5xx) raises DeadlineExceeded, so the
  caller learns that the deadline, not the service, ended the call;
- the adaptive rate limiter (botocore's adaptive mode: standard retries, and a token bucket
  that slows a client down once it is throttled) is added here, not by the mode's name, so
  that a call under a deadline does not wait for a token: that wait knows no deadline, and the
  limiter paces bulk work (ingest), not one request's few calls. Outside a deadline it waits.

What stays outside: a server that trickles its answer a byte at a time (urllib3's read
timeout bounds each read of the socket, not the whole answer).
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from typing import TYPE_CHECKING, Any

from oraculum import time_budget
from oraculum.domain.errors import DeadlineExceeded

if TYPE_CHECKING:
    from oraculum.config import Settings

log = logging.getLogger("oraculum.aws")

_clients: dict[tuple[str, str | None, float, int], Any] = {}
_lock = threading.Lock()
# A urllib3 Timeout must be positive: the least a call the hooks let through may be given
# (they refuse one with less than time_budget.MIN_CALL_S left: this is a floor, not a value).
_FLOOR_S = 0.001


def client(service: str, settings: Settings, *, max_attempts: int = 5) -> Any:
    """A cached boto3 client for `service`: connect/read timeouts from settings, adaptive
    retries (`max_attempts` retries after the first try), bounded by any request deadline."""
    key = (service, settings.aws_region, settings.aws_timeout_s, max_attempts)
    with _lock:
        found = _clients.get(key)
        if found is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=min(settings.aws_timeout_s, 5.0),
                read_timeout=settings.aws_timeout_s,
                # adaptive: these standard retries, and the rate limiter bound_by_deadline adds
                retries={"mode": "standard", "max_attempts": max_attempts},
                max_pool_connections=max(10, settings.bedrock_max_concurrency * 2),
            )
            found = boto3.client(service, region_name=settings.aws_region, config=config)
            bound_by_deadline(found, rate_limited=True)
            _clients[key] = found
        return found


def forget_clients() -> None:
    """Drop the cached clients (tests that move AWS_ENDPOINT_URL between servers)."""
    with _lock:
        _clients.clear()


class LazyClient:
    """A boto3 client made on first use. An adapter built by every function but used by few
    (the embedder: the horoscope function never embeds) then costs nothing where unused."""

    def __init__(self, service: str, settings: Settings, *, max_attempts: int = 5) -> None:
        self._args = (service, settings, max_attempts)

    def __getattr__(self, name: str) -> Any:
        service, settings, max_attempts = self._args
        return getattr(client(service, settings, max_attempts=max_attempts), name)


# --- the request's deadline, in every call of a client ---------------------------------
def bound_by_deadline(boto_client: Any, *, rate_limited: bool = False) -> Any:
    """Make every call of `boto_client` keep to the request's deadline (see the module's
    text), once, right after the client is made; returns the client. `rate_limited` adds
    botocore's adaptive rate limiter to a client made with standard retries."""
    _DeadlineHooks(boto_client, session_bounded=_bound_session(boto_client))
    if rate_limited:
        _RateLimiter(boto_client)
    return boto_client


@functools.cache
def _deadline_timeout() -> type:
    """The Timeout class of bounded sessions (made on first use: urllib3 comes with boto3)."""
    from urllib3.util.timeout import Timeout

    class DeadlineTimeout(Timeout):
        """The session's timeouts; each request's copy (urllib3 clones the pool's Timeout when
        a request starts, in the caller's thread) is cut to what is left of the caller's
        deadline: its connect and read together end by it."""

        def clone(self) -> Timeout:
            total = self.total
            left = time_budget.remaining()
            if left is not None:
                left = max(left, _FLOOR_S)
                total = min(total, left) if isinstance(total, int | float) else left
            return Timeout(connect=self._connect, read=self._read, total=total)

        @property
        def connect_timeout(self) -> Any:  # what botocore's per-request override reads
            found = super().connect_timeout
            left = time_budget.remaining()
            if left is None or not isinstance(found, int | float):
                return found
            return min(found, max(left, _FLOOR_S))

    return DeadlineTimeout


def _bound_session(boto_client: Any) -> bool:
    """Give the client's HTTP session (and the pools it makes) the deadline-aware Timeout.
    False, with a warning, if the session is not botocore's URLLib3Session as known."""
    from urllib3.util.timeout import Timeout

    session = getattr(getattr(boto_client, "_endpoint", None), "http_session", None)
    current = getattr(session, "_timeout", None)
    pool_kw = getattr(getattr(session, "_manager", None), "connection_pool_kw", None)
    if not isinstance(current, Timeout) or not isinstance(pool_kw, dict):
        log.warning(
            "botocore's HTTP session is not as expected (%s): %s calls keep to a request's "
            "deadline by botocore's per-request read timeout only (botocore >= 1.44)",
            type(session).__name__,
            boto_client.meta.service_model.service_name,
        )
        return False
    bounded = _deadline_timeout()(
        connect=current.connect_timeout, read=current.read_timeout, total=current.total
    )
    session._timeout = bounded  # what the session gives the pools it makes later (proxies)
    pool_kw["timeout"] = bounded  # what each new connection pool of its manager starts with
    return True


class _DeadlineHooks:
    """The client's `before-send` and `needs-retry` handlers (see the module's text)."""

    def __init__(self, boto_client: Any, *, session_bounded: bool) -> None:
        from botocore.retries import standard

        model = boto_client.meta.service_model
        self._service = str(model.service_id)  # "DynamoDB", "SSM", "Bedrock Runtime"
        event = model.service_id.hyphenize()
        self._session_bounded = session_bounded
        retries = boto_client.meta.config.retries or {}
        self._attempts = int(retries.get("total_max_attempts") or standard.DEFAULT_MAX_ATTEMPTS)
        self._adapter = standard.RetryEventAdapter()
        # what botocore's standard (and adaptive) retries retry, whatever the attempt count
        self._worth_a_retry = standard.StandardRetryConditions(max_attempts=sys.maxsize)
        self._longest_pause = _longest_backoff(event)
        events = boto_client.meta.events
        # last of all: the generic event's handlers run after the service's, so this one runs
        # right before sending (after the rate limiter's wait, where there is one)
        events.register_last("before-send", self.before_send)
        # first: ahead of botocore's retry handler, which sleeps once it has said yes
        events.register_first(f"needs-retry.{event}", self.needs_retry)

    def before_send(self, request: Any, event_name: str = "", **_: Any) -> None:
        left = time_budget.remaining()
        if left is None:
            return
        time_budget.check(f"{self._service} {event_name.rsplit('.', 1)[-1]}")
        context = getattr(request, "context", None)
        if not isinstance(context, dict):
            return
        asked = context.get("read_timeout")
        if isinstance(asked, int | float):  # a per-request override (botocore >= 1.44)
            context["read_timeout"] = min(asked, left)
        elif not self._session_bounded:
            context["read_timeout"] = left

    def needs_retry(
        self,
        attempts: int,
        operation: Any,
        response: Any = None,
        caught_exception: BaseException | None = None,
        request_dict: Any = None,
        **_: Any,
    ) -> None:
        left = time_budget.remaining()
        if left is None:
            return None
        if isinstance(caught_exception, DeadlineExceeded):  # refused by before_send
            raise caught_exception
        if caught_exception is None and response is not None and response[0].status_code < 300:
            return None  # a success
        context = self._adapter.create_retry_context(
            attempts=attempts,
            operation=operation,
            response=response,
            caught_exception=caught_exception,
            request_dict=request_dict or {"context": {}},
        )
        if not self._worth_a_retry.is_retryable(context):
            return None  # an answer no retry changes: the caller gets it as it is
        retrying = attempts < self._attempts
        pause = self._longest_pause.delay_amount(context) if retrying else 0.0
        if left - pause >= time_budget.MIN_CALL_S:
            return None  # time for it: botocore's handler decides, and waits
        step = f"{'a retry of ' if retrying else ''}{self._service} {operation.name}"
        raise DeadlineExceeded(step, max(left, 0.0)) from caught_exception


class _RateLimiter:
    """botocore's adaptive rate limiter on a client of standard retries, as botocore's adaptive
    mode adds it, except that a call under a deadline does not wait for a token."""

    def __init__(self, boto_client: Any) -> None:
        from botocore.retries import adaptive

        # its `needs-retry` handler measures the rate and slows down on throttling, as ever
        self._limiter = adaptive.register_retry_handler(boto_client)
        events = boto_client.meta.events
        events.unregister("before-send", self._limiter.on_sending_request)
        events.register("before-send", self.on_sending_request)

    def on_sending_request(self, request: Any, **kwargs: Any) -> None:
        if time_budget.remaining() is None:
            self._limiter.on_sending_request(request=request, **kwargs)


def _longest_backoff(service_event: str) -> Any:
    """botocore's own backoff for the service with its jitter at the maximum: the longest
    pause it may take before a retry, as the botocore installed computes it."""
    from botocore.retries import standard

    def longest() -> float:
        return 1.0

    try:
        return standard.ExponentialBackoff(
            random=longest,
            service_name=service_event,
            throttling_detector=standard.ThrottlingErrorDetector(standard.RetryEventAdapter()),
        )
    except TypeError:  # a botocore before per-service backoff: one scale (1 s) for every error
        return standard.ExponentialBackoff(random=longest)
