"""Every error leaves as problem+json; no stack trace ever reaches a client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from oraculum.api.http.problems import MEDIA_TYPE, Problem, from_domain, from_validation
from oraculum.domain.errors import OraculumError

log = logging.getLogger("oraculum.api")
MALFORMED = "the request body is not valid JSON"
_STATUS_KINDS = {
    401: "unauthorized", 404: "not-found", 405: "method-not-allowed", 413: "payload-too-large",
    415: "unsupported-media-type",
}  # fmt: skip


def render(
    problem: Problem, request: Request, headers: dict[str, str] | None = None
) -> JSONResponse:
    if problem.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(
        problem.body(request.url.path), problem.status, media_type=MEDIA_TYPE, headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return render(exc, request, exc.headers)

    @app.exception_handler(OraculumError)
    async def on_domain(request: Request, exc: OraculumError) -> JSONResponse:
        problem = from_domain(exc)
        if problem.status >= 500:
            log.error("request failed: %s", exc, exc_info=exc)
        return render(problem, request)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problem = from_validation(exc.errors())
        return render(problem, request)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's only 400: a body json.loads could not read
            return render(Problem(400, "malformed-json", MALFORMED), request)
        kind = _STATUS_KINDS.get(
            exc.status_code, "internal" if exc.status_code >= 500 else "invalid-input"
        )
        # keep the exception's headers: a 405 must say which methods are allowed (Allow)
        return render(Problem(exc.status_code, kind, str(exc.detail)), request, exc.headers)

    @app.exception_handler(Exception)
    async def on_anything(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return render(Problem(500, "internal", "the request could not be completed"), request)
