"""What every HTTP answer shares, whichever front door served it (uvicorn or the Lambda router):
the request id, the security headers, the gate on the request's size and media type, the
parsing of a JSON body, and the request's log line. Pydantic-free and FastAPI-free: the light
Lambda router imports it on a cold start.
"""

from __future__ import annotations

import email.message
import json
import re
import uuid
from typing import Any

from oraculum import observability
from oraculum.api.http.problems import Problem

MAX_REQUEST_ID = 128
_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:\-]{{1,{MAX_REQUEST_ID}}}")

# Every answer: no MIME sniffing, never framed, no referrer leaves the page.
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
# JSON answers load nothing; the page loads its own script, style and data from this origin.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# The interactive docs (/docs, /redoc) load FastAPI's CDN scripts: framing is all they refuse.
DOCS_CSP = "frame-ancestors 'none'"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def request_id(aws_request_id: object, header: str | None) -> str:
    """Lambda's request id, else the client's x-request-id when it is short and plain (letters,
    digits, . _ : -, at most 128), else a new one: a client cannot flood the logs through it."""
    if isinstance(aws_request_id, str) and aws_request_id:
        return aws_request_id
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def security_headers(path: str, content_type: str | None) -> dict[str, str]:
    """The security headers for an answer to `path` of `content_type`."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "text/html" and path in ("/docs", "/redoc"):
        csp = DOCS_CSP
    elif kind == "text/html" or path.startswith("/static/"):
        csp = PAGE_CSP
    else:
        csp = API_CSP
    return {**SECURITY_HEADERS, "content-security-policy": csp}


def check_size(declared: int | None, max_bytes: int) -> None:
    """413 for a body over the limit: checked first, before routing or credentials."""
    if declared is not None and declared > max_bytes:
        raise Problem(413, "payload-too-large", f"the body is over {max_bytes:,} bytes")


def check_media_type(method: str, content_type: str | None) -> None:
    """415 for a body sent as anything but JSON (no Content-Type is read as JSON)."""
    if method.upper() not in BODY_METHODS or not content_type:
        return
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    if message.get_content_maintype() != "application" or not (
        subtype == "json" or subtype.endswith("+json")
    ):
        raise Problem(
            415, "unsupported-media-type", f"the body is {content_type!r}; send application/json"
        )


def parse_json(body: bytes) -> Any:
    """The body as JSON, as FastAPI reads it (json.loads); 400 when it is not JSON, not
    UTF-8, or nested past what the parser takes."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Problem(400, "malformed-json", "the request body is not valid JSON") from None


def log_request(status: int, ms: float, caller: str | None, function: str) -> None:
    """The one log line of every request, and the handled-failure metric of a 5xx answer.

    ServerErrors leaves in an EMF line of its own, with the dimensions {function, service}
    its alarm watches: Powertools gives every metric of one flush the same dimensions, so
    the request's other metrics (ReadingLatency by `reading`) are flushed first.
    """
    observability.logger().info(
        "request", extra={"status": status, "ms": round(ms, 1), "caller": caller}
    )
    if status >= 500:
        observability.flush()
        observability.count("ServerErrors", 1, function=function)
