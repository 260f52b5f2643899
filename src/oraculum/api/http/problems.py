"""Errors as application/problem+json (RFC 9457), one stable `type` per kind of error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oraculum.domain.errors import (
    BackendUnavailable,
    DeadlineExceeded,
    InvalidInput,
    NotFound,
    OraculumError,
)

PROBLEM_BASE = "https://oraculum.dev/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    "invalid-input": "The request has an invalid field",
    "bad-event": "The invocation's event is not an API Gateway HTTP API event",
    "malformed-json": "The request body is not valid JSON",
    "unauthorized": "A valid credential is required",
    "not-found": "No such resource",
    "method-not-allowed": "Method not allowed",
    "payload-too-large": "The request body is too large",
    "unsupported-media-type": "The request body must be application/json",
    "backend-unavailable": "A backend is unavailable",
    "deadline-exceeded": "The request ran out of time",
    "internal": "Internal error",
}


class Problem(Exception):
    """An error answer; raised anywhere in the API, rendered as problem+json."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.headers = headers
        self.status = status
        self.kind = kind
        self.detail = detail
        self.field = field
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind,
            "title": TITLES.get(self.kind, self.kind),
            "status": self.status,
            "detail": self.detail,
        }
        if self.field:
            body["field"] = self.field
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def from_domain(exc: OraculumError) -> Problem:
    """The answer for an error raised by the readings or the stores."""
    from oraculum.domain.tarot import UnknownSpread

    if isinstance(exc, InvalidInput):
        return Problem(422, "invalid-input", exc.message, field=exc.field)
    if isinstance(exc, UnknownSpread):
        return Problem(422, "invalid-input", str(exc), field="spread")
    if isinstance(exc, NotFound):
        return Problem(404, "not-found", str(exc))
    if isinstance(exc, DeadlineExceeded):
        return Problem(503, "deadline-exceeded", str(exc))
    if isinstance(exc, BackendUnavailable):
        return Problem(503, "backend-unavailable", str(exc))
    return Problem(500, "internal", "the request could not be completed")


def _field(loc: Sequence[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def from_validation(errors: Sequence[dict[str, Any]]) -> Problem:
    """pydantic's validation errors as one problem: malformed JSON, or the fields at fault."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return Problem(400, "malformed-json", "the request body is not valid JSON")
    first = errors[0] if errors else {}
    detail = f"{_field(first.get('loc', ()))}: {first.get('msg', 'invalid')}"
    fields = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "")} for e in errors]
    return Problem(
        422, "invalid-input", detail, field=fields[0]["field"] if fields else None, errors=fields
    )
