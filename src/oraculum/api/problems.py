"""Errors as application/problem+json (RFC 9457), one stable `type` per kind of error."""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://oraculum.dev/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    "invalid-input": "The request has an invalid field",
    "malformed-json": "The request body is not valid JSON",
    "unauthorized": "A valid credential is required",
    "not-found": "No such resource",
    "method-not-allowed": "Method not allowed",
    "payload-too-large": "The request body is too large",
    "unsupported-media-type": "The request body must be application/json",
    "backend-unavailable": "A backend is unavailable",
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
