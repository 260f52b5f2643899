"""Structured JSON logs with a request id, and EMF metrics, through Powertools for AWS Lambda.

The same code runs in both places: under Lambda CloudWatch reads the EMF lines from the log
stream and turns them into metrics; locally they go to stdout. Names (namespace `Oraculum`):

| metric | unit | when |
| --- | --- | --- |
| ReadingLatency | Milliseconds | every reading, with dimension `reading` |
| RetrievalMisses | Count | a search that found nothing, or a drawn card without text |
| ContextMismatch | Count | hits dropped by the consistency check |
| DegradedAnswers | Count | the model failed and the composer answered |
| GeneratorTokens | Count | tokens the model generated |
| ServerErrors | Count | an answer of status 5xx (handled: Lambda's Errors does not see it) |
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "Oraculum"
SERVICE = "oraculum"
_UNITS = {"ReadingLatency": "Milliseconds"}
# One metric set serves the process: requests served in parallel (oraculum serve) add to it
# and flush it one at a time.
_metrics_lock = threading.Lock()


class _Stdout:
    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@cache
def logger() -> Logger:
    from aws_lambda_powertools import Logger

    # The stream is looked up at each write, so a redirect of stdout (oraculum invoke) holds.
    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE), stream=_Stdout())


@cache
def metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(
        namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE), service=SERVICE
    )


def count(name: str, value: float, **dimensions: str) -> None:
    """Add one data point; it leaves with the next flush (one EMF line per request)."""
    sink = metrics()
    with _metrics_lock:
        for key, dim in dimensions.items():
            sink.add_dimension(key, dim)
        sink.add_metric(name=name, unit=_UNITS.get(name, "Count"), value=value)


def flush() -> None:
    """Write the request's metrics as one EMF line (nothing when there are none)."""
    sink = metrics()
    with _metrics_lock:
        if sink.metric_set:
            sink.flush_metrics()


def bind_request(request_id: str, **fields: Any) -> None:
    # per thread and task (a context variable): requests served at once keep their own ids
    logger().thread_safe_append_keys(request_id=request_id, **fields)


def quiet_stdlib_loggers() -> None:
    """Our own modules log through the standard library: route them into the JSON logger."""
    root = logging.getLogger("oraculum")
    root.handlers = logger().handlers
    root.setLevel(logging.INFO)
    root.propagate = False
