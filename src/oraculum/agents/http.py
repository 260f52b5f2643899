"""The MCP server over streamable HTTP, as an ASGI app the API mounts at /mcp.

Stateless and answered in JSON: every POST stands alone, so any worker of `oraculum serve
--workers N` can answer it, as any can answer a /v1 route. The session manager lives as long
as one run of the app's lifespan (`running`); a new one is made for each run, since the SDK's
manager runs once. Credentials are the API's: `guard` raises its 401 problem before the SDK
reads anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from oraculum.api.http.problems import Problem

METHODS = ["GET", "POST", "DELETE"]


class StreamableEndpoint:
    def __init__(
        self, server: MCPServer[Any], guard: Callable[[Request], object], max_body_bytes: int
    ) -> None:
        self.server = server
        self.guard = guard
        self.max_body_bytes = max_body_bytes
        self._manager: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self.server.streamable_http_app(  # makes the session manager (its app is not used)
            stateless_http=True, json_response=True, max_request_body_size=self.max_body_bytes
        )
        manager = self.server.session_manager
        async with manager.run():
            self._manager = manager
            try:
                yield
            finally:
                self._manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.guard(Request(scope))  # the API's credentials: a 401 problem without them
        if self._manager is None:
            raise Problem(503, "backend-unavailable", "the MCP endpoint is not running: the "
                          "app's lifespan has not started")  # fmt: skip
        await self._manager.handle_request(scope, receive, send)
