"""Failures as MCP errors carrying what problem+json would say over HTTP (api/http/problems.py):
the same mapping, so a tool's error has the title and detail an HTTP caller reads."""

from __future__ import annotations

import logging

from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS, CallToolResult, TextContent
from pydantic import ValidationError

from oraculum.api.http.problems import Problem, from_domain, from_validation
from oraculum.domain.errors import OraculumError

log = logging.getLogger("oraculum.agents")

# What a tool or resource turns into a problem; anything else is a fault the SDK reports as
# "Error executing tool <name>" and logs with its traceback (the HTTP API's 500).
EXPECTED = (Problem, ValidationError, OraculumError)


def problem_of(exc: Problem | ValidationError | OraculumError) -> Problem:
    """The problem the HTTP API answers for `exc`."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, ValidationError):
        return from_validation(exc.errors(include_url=False))
    problem = from_domain(exc)
    if problem.status >= 500:
        log.error("tool failed: %s", exc, exc_info=exc)
    return problem


def tool_error(problem: Problem) -> CallToolResult:
    """A tool's error result: the problem's title and detail as text, its body as structured
    content (type, title, status, detail, field)."""
    body = problem.body()
    text = f"{body['title']}: {problem.detail}"
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=body, is_error=True
    )


def resource_error(problem: Problem) -> MCPError:
    """A resource read's error: invalid params for the caller's mistake, internal otherwise."""
    code = INVALID_PARAMS if problem.status < 500 else INTERNAL_ERROR
    return MCPError(code=code, message=problem.detail, data=problem.body())
