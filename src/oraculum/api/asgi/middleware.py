"""The ASGI front of the app: the request's context outside, then the gate on its body.

`RequestContext` gives every answer (a 413 from the gate included) its request id, the
security headers and one log line; `RequestGate` refuses a body over the size limit before it
is read whole, and a body that is not JSON. The Lambda router applies the same rules from the
same module (api/http/context.py), so both front doors answer a bad request alike.
"""

from __future__ import annotations

import json
import time
from typing import Any

from oraculum import observability
from oraculum.api.http import context as http
from oraculum.api.http.problems import MEDIA_TYPE, Problem

Scope = dict[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_problem(problem: Problem, scope: Scope, send: Any) -> None:
    body = json.dumps(problem.body(scope.get("path"))).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """Request id (Lambda's, a plain client one, or new), security headers, the log line."""

    def __init__(self, app: Any, function: str = "api") -> None:
        self.app = app
        self.function = function  # the ServerErrors metric's dimension

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = scope.get("aws.context")
        request_id = http.request_id(
            getattr(context, "aws_request_id", None), _header(scope, b"x-request-id")
        )
        path = str(scope.get("path") or "/")
        observability.bind_request(request_id, path=path, method=scope.get("method"))
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500

        async def with_headers(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers") or [])
                found = {k.lower() for k, _ in headers}
                content_type = next(
                    (
                        bytes(v).decode("latin-1")
                        for k, v in headers
                        if k.lower() == b"content-type"
                    ),
                    None,
                )
                extra = {**http.security_headers(path, content_type), "x-request-id": request_id}
                headers += [
                    (k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in found
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        finally:
            identity = state.get("identity") if isinstance(state, dict) else None
            try:
                ms = (time.perf_counter() - started) * 1e3
                http.log_request(status, ms, identity, self.function)
            finally:
                observability.flush()


class RequestGate:
    """413 for a body over `max_bytes` (declared, or counted as it arrives), 415 for a body
    that is not JSON; both before the app reads anything."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        try:
            http.check_size(
                int(declared) if declared and declared.isdigit() else None, self.max_bytes
            )
            http.check_media_type(str(scope.get("method", "")), _header(scope, b"content-type"))
        except Problem as problem:
            await _send_problem(problem, scope, send)
            return
        seen = 0
        too_big = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal seen, too_big
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_big = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        started = False

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if too_big and not started:
                started = True
                problem = Problem(
                    413, "payload-too-large", f"the body is over {self.max_bytes:,} bytes"
                )
                await _send_problem(problem, scope, send)
                return
            if not too_big:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)
