"""A light router for API Gateway HTTP API events (payload 2.0), for the Lambda functions.

FastAPI and Starlette take about 0.3 s to import and build on a cold start; this module needs
pydantic and our own code only. It serves the same routes with the same validation (the
models in schemas.py), the same endpoint functions (api/http/endpoints/) and the same answers
and problem+json errors as the FastAPI app; tests/api/test_lambda_parity.py holds the two
side by side on the same events. Each function routes only its own paths (API Gateway sends
it nothing else), so the tarot function never imports the ephemeris. What it leaves out:
/openapi.json, the docs and the web page, which uvicorn serves (ORACULUM_LAMBDA_ROUTER=asgi
serves the whole FastAPI app through Mangum instead).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from oraculum import observability, time_budget
from oraculum.api.http import context as http
from oraculum.api.http.auth import ApiKeys, authenticate
from oraculum.api.http.problems import MEDIA_TYPE, Problem, from_domain, from_validation
from oraculum.api.http.routes import Route
from oraculum.api.http.services import ApiServices
from oraculum.domain.errors import OraculumError

log = logging.getLogger("oraculum.api")
JSON = "application/json"
GATEWAY_LIMIT_S = 29.0  # API Gateway gives up on an integration after 29 s
ANSWER_MARGIN_S = 1.0  # kept back to serialise, log and return


class BadEvent(Problem):
    """The invocation's event is not an API Gateway HTTP API (payload 2.0) event we can read."""

    def __init__(self, field: str, detail: str) -> None:
        field = field[:100]
        super().__init__(400, "bad-event", f"{field}: {detail}", field=field)


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadEvent(field, f"must be an object, not {type(value).__name__}")
    return value


def _unicode(value: str, field: str) -> str:
    try:
        value.encode()
    except UnicodeEncodeError:
        raise BadEvent(field, "is not valid Unicode (a lone surrogate)") from None
    return value


def _text(value: Any, field: str, default: str) -> str:
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise BadEvent(field, f"must be a string, not {type(value).__name__}")
    return _unicode(value, field)


def _strings(value: Any, field: str) -> dict[str, str]:
    """A string-to-string object (headers, query parameters), keys of headers lower-cased."""
    found = _object(value, field)
    out: dict[str, str] = {}
    for key, item in found.items():
        name = _unicode(key, field) if isinstance(key, str) else repr(key)
        if not isinstance(item, str):
            raise BadEvent(f"{field}.{name}", f"must be a string, not {type(item).__name__}")
        out[name] = _unicode(item, f"{field}.{name}")
    return out


def _body(event: Mapping[str, Any]) -> bytes | None:
    raw = event.get("body")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise BadEvent("body", f"must be a string, not {type(raw).__name__}")
    encoded = event.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise BadEvent("isBase64Encoded", f"must be true or false, not {encoded!r}"[:200])
    try:
        if encoded:
            return base64.b64decode(raw, validate=True)
        return raw.encode()
    except binascii.Error:
        raise BadEvent("body", "is marked base64 but is not valid base64") from None
    except UnicodeEncodeError:
        raise BadEvent("body", "is not valid Unicode (a lone surrogate)") from None


@dataclass
class Event:
    """What the router reads from an API Gateway HTTP API event."""

    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes | None

    @classmethod
    def parse(cls, event: Any) -> Event:
        """The event's parts, or BadEvent naming the field that is not what API Gateway sends."""
        if not isinstance(event, Mapping):
            raise BadEvent("event", f"must be an object, not {type(event).__name__}")
        context = _object(event.get("requestContext"), "requestContext")
        http = _object(context.get("http"), "requestContext.http")
        path = _text(event.get("rawPath"), "rawPath", "") or _text(
            http.get("path"), "requestContext.http.path", "/"
        )
        stage = context.get("stage")
        named = isinstance(stage, str) and stage not in ("", "$default")
        if named and path.startswith(f"/{stage}/"):
            path = path[len(stage) + 1 :]
        headers = {k.lower(): v for k, v in _strings(event.get("headers"), "headers").items()}
        return cls(
            method=_text(http.get("method"), "requestContext.http.method", "GET").upper(),
            path=path,
            headers=headers,
            query=_strings(event.get("queryStringParameters"), "queryStringParameters"),
            body=_body(event),
        )


class Router:
    def __init__(self, routes: list[Route], runtime: ApiServices, function: str = "api") -> None:
        self.routes = routes
        self.function = function  # the ServerErrors metric's dimension: tarot, horoscope, ask
        self.runtime = runtime
        settings = runtime.settings
        self.keys = ApiKeys(k.strip() for k in settings.api_keys.split(","))

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        """Any event gets an answer: a malformed one a 400 problem, a failure a 500."""
        started = time.perf_counter()
        request: Event | None = None
        caller: list[str] = []
        try:
            request = Event.parse(event)
        except Problem as problem:
            request_id = http.request_id(getattr(context, "aws_request_id", None), None)
            observability.bind_request(request_id, path=None, method=None)
            status, payload, headers = self._problem(problem, "/")
        else:
            request_id = http.request_id(
                getattr(context, "aws_request_id", None), request.headers.get("x-request-id")
            )
            observability.bind_request(request_id, path=request.path, method=request.method)
            status, payload, headers = self._guarded(request, event, context, caller)
        path = request.path if request is not None else "/"
        try:
            who = caller[0] if caller else None
            http.log_request(status, (time.perf_counter() - started) * 1e3, who, self.function)
        finally:
            observability.flush()
        body = (
            payload if isinstance(payload, str)
            else json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        )  # fmt: skip
        out = {**headers, **http.security_headers(path, headers.get("content-type"))}
        return {
            "statusCode": status,
            "headers": {**out, "x-request-id": request_id},
            "body": body,
            "isBase64Encoded": False,
        }

    def _guarded(
        self, request: Event, event: Any, context: Any, caller: list[str]
    ) -> tuple[int, Any, dict[str, str]]:
        try:
            with time_budget.within(_time_left(context)):
                return self._answer(request, event, caller)
        except Exception as exc:  # the client gets a problem, never a trace; the log gets it
            log.error("unhandled error on %s", request.path, exc_info=exc)
            failed = Problem(500, "internal", "the request could not be completed")
            return self._problem(failed, request.path)

    def _answer(
        self, request: Event, event: Mapping[str, Any], caller: list[str]
    ) -> tuple[int, Any, dict[str, str]]:
        try:
            declared = len(request.body) if request.body is not None else None
            http.check_size(declared, self.runtime.settings.max_body_bytes)
            http.check_media_type(request.method, request.headers.get("content-type"))
            route, params = self._route(request)
            if not route.public:
                caller.append(
                    authenticate(
                        self.runtime.settings.auth_mode,
                        self.keys,
                        request.headers.get("authorization"),
                        {"aws.event": event},
                    )
                )
            args = self._inputs(route, params, request)
            result = route.call(self.runtime, *args)
            if route.response is None:  # another media type (an SVG wheel): its text as is
                return 200, result, {"content-type": route.media}
            return 200, _serialise(route.response, result), {"content-type": JSON}
        except Problem as problem:
            return self._problem(problem, request.path, problem.headers)
        except OraculumError as exc:
            problem = from_domain(exc)
            if problem.status >= 500:
                log.error("request failed: %s", exc, exc_info=exc)
            return self._problem(problem, request.path)
        except Exception as exc:  # the client gets a problem, never a trace; the log gets it
            log.error("unhandled error on %s", request.path, exc_info=exc)
            failed = Problem(500, "internal", "the request could not be completed")
            return self._problem(failed, request.path)

    def _route(self, request: Event) -> tuple[Route, dict[str, str]]:
        matching = [(r, p) for r in self.routes if (p := r.match(request.path)) is not None]
        if any(r.literal for r, _ in matching):  # /horoscopes/natal before /horoscopes/{sign}
            matching = [(r, p) for r, p in matching if r.literal]
        if not matching:
            raise Problem(404, "not-found", "Not Found")
        for route, params in matching:
            if route.method == request.method:
                return route, params
        allowed = ", ".join(sorted({r.method for r, _ in matching}))
        raise Problem(405, "method-not-allowed", "Method Not Allowed", headers={"Allow": allowed})

    def _inputs(self, route: Route, params: dict[str, str], request: Event) -> list[Any]:
        try:
            if route.params is not None:
                route.params.model_validate(params)
            query = route.query.model_validate(request.query) if route.query else None
            body = None
            if route.body is not None:
                if not request.body:
                    raise Problem(
                        422, "invalid-input", "body: Field required", field="body",
                        errors=[{"field": "body", "message": "Field required"}],
                    )  # fmt: skip
                # as FastAPI validates a body (from_attributes: the same error for a non-object)
                body = route.body.model_validate(
                    http.parse_json(request.body), from_attributes=True
                )
        except ValidationError as exc:
            raise from_validation(exc.errors()) from None
        args: list[Any] = [params] if params else []
        if route.query is not None:
            args.append(query)
        if route.body is not None:
            args.append(body)
        return args

    @staticmethod
    def _problem(
        problem: Problem, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        out = {"content-type": MEDIA_TYPE, **(headers or {})}
        if problem.status == 401:
            out["www-authenticate"] = "Bearer"
        return problem.status, problem.body(path), out


def _time_left(context: Any) -> float:
    """The request's budget: the invocation's remaining time within API Gateway's limit."""
    left = GATEWAY_LIMIT_S
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining_ms):
        left = min(left, remaining_ms() / 1000.0)
    return left - ANSWER_MARGIN_S


def _serialise(model: type[BaseModel], result: Any) -> Any:
    """What FastAPI's response_model does: validate the result, dump it as JSON types."""
    if not isinstance(result, model):
        result = model.model_validate(result)
    return result.model_dump(mode="json")
