"""The ASGI app: versioned routes under /v1, problem+json errors, auth, the web page.

uvicorn serves it locally (`oraculum serve`); on Lambda, Mangum serves it when
ORACULUM_LAMBDA_ROUTER=asgi, and the light router in aws_lambda/router.py otherwise. The app is
built from the one route table (routes.py) the light router serves, so both call the same
endpoint functions with the same validated inputs. The MCP server (oraculum.agents) is mounted
at /mcp behind the same credentials, where its SDK is installed (not in the Lambda packages).
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from oraculum import __version__, observability
from oraculum.api.asgi import exception_handlers as errors
from oraculum.api.asgi.middleware import RequestContext, RequestGate
from oraculum.api.http.auth import ApiKeys, authenticate
from oraculum.api.http.problems import MEDIA_TYPE, Problem
from oraculum.api.http.routes import Route, all_routes
from oraculum.api.http.schemas import Problem as ProblemSchema
from oraculum.api.http.services import ApiServices
from oraculum.config import Settings

if TYPE_CHECKING:
    from oraculum.agents.http import StreamableEndpoint

log = logging.getLogger("oraculum.api")
STATIC = FilePath(__file__).parent / "static"


def _problem(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ProblemSchema, "content": {MEDIA_TYPE: {}}} for s in statuses}


COMMON = _problem(400, 401, 413, 422, 500)
JSON = "application/json"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ApiServices(settings)
    keys = ApiKeys(k.strip() for k in settings.api_keys.split(","))

    def caller(request: Request) -> str:
        identity = authenticate(
            settings.auth_mode, keys, request.headers.get("authorization"), request.scope
        )
        request.state.identity = identity
        return identity

    agents = _agents(runtime, caller, settings.max_body_bytes)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            if agents is None:
                yield
            else:
                async with agents.running():
                    yield
        finally:
            runtime.close()

    app = FastAPI(
        title="Oraculum",
        version=__version__,
        description="Tarot readings, daily horoscopes and free questions, grounded in a "
        "knowledge base and cited. Every /v1 route needs `Authorization: Bearer <API key>`.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    errors.install(app)
    observability.quiet_stdlib_loggers()
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # off by default: the page is served from the API's own origin
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id"],
            expose_headers=["x-request-id"],
            max_age=600,
        )

    v1 = APIRouter(dependencies=[Depends(caller)], responses=COMMON)
    public = APIRouter()
    routes = all_routes()
    for path, allowed in _literal_paths(routes).items():
        # A literal path a template could also match (/v1/horoscopes/natal and {sign}) answers
        # 405 with its own Allow, as the light router does, for the methods it lacks.
        other = sorted({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} - allowed)
        v1.add_api_route(path, _not_allowed(allowed), methods=other, include_in_schema=False)
    for route in routes:
        responses = _problem(*route.problems) if route.problems else {}
        extra: dict[str, Any] = {}
        if route.media != JSON:  # text of another type (an SVG wheel): no JSON model
            responses = {
                **responses,
                200: {"content": {route.media: {"schema": {"type": "string"}}}},
            }
            extra = {"response_class": Response}
        (public if route.public else v1).add_api_route(
            route.path,
            _endpoint(route, runtime),
            methods=[route.method],
            response_model=route.response,
            name=route.name,
            tags=[route.tag],
            responses=responses or None,
            **extra,
        )
    app.include_router(v1)
    app.include_router(public)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if agents is not None:  # the MCP server over streamable HTTP, with the API's credentials
        from oraculum.agents.http import METHODS

        app.add_route("/mcp", agents, methods=METHODS, include_in_schema=False)
    return app


def _agents(
    runtime: ApiServices, guard: Callable[[Request], str], max_body_bytes: int
) -> StreamableEndpoint | None:
    """The MCP endpoint (agents/http.py) over the API's services, or None where the MCP SDK
    is not installed: the Lambda packages leave it out, and serve no /mcp."""
    if importlib.util.find_spec("mcp") is None:
        return None
    from oraculum.agents import build_server
    from oraculum.agents.http import StreamableEndpoint

    return StreamableEndpoint(build_server(runtime), guard, max_body_bytes)


def _literal_paths(routes: list[Route]) -> dict[str, set[str]]:
    literal = {r.path for r in routes if r.literal}
    shadowed = {p for p in literal if any(not r.literal and r.match(p) for r in routes)}
    return {p: {r.method for r in routes if r.path == p} for p in sorted(shadowed)}


def _not_allowed(allowed: set[str]) -> Callable[[], None]:
    def not_allowed() -> None:
        raise Problem(
            405, "method-not-allowed", "Method Not Allowed", headers={"Allow": ", ".join(allowed)}
        )

    return not_allowed


def _endpoint(route: Route, runtime: ApiServices) -> Callable[..., Any]:
    """A FastAPI endpoint for `route`: its signature declares the path parameters, the query
    model and the body model, so FastAPI validates and documents them; the call is the
    route's own, with the arguments in the light router's order."""
    names = list(route.params.model_fields) if route.params is not None else []
    parameters = []
    for name in names:
        field = route.params.model_fields[name]  # type: ignore[union-attr]
        kind = Annotated[field.annotation, Path(json_schema_extra=field.json_schema_extra)]
        parameters.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind))
    if route.query is not None:
        query = Annotated[route.query, Query()]
        parameters.append(
            inspect.Parameter("query", inspect.Parameter.KEYWORD_ONLY, annotation=query)
        )
    if route.body is not None:
        parameters.append(
            inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=route.body)
        )

    def endpoint(**given: Any) -> Any:
        args: list[Any] = [{n: given[n] for n in names}] if names else []
        if route.query is not None:
            args.append(given["query"])
        if route.body is not None:
            args.append(given["body"])
        result = route.call(runtime, *args)
        return result if route.media == JSON else Response(result, media_type=route.media)

    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = route.name
    return endpoint


def asgi(settings: Settings | None = None, function: str = "api") -> Any:
    """The ASGI app as uvicorn and Mangum see it: the request's context (id, security headers,
    log line) outside, the gate on the body's size and type, then the app. `function` names
    the Lambda function serving it (tarot, horoscope, ask) in the ServerErrors metric."""
    settings = settings or Settings()
    app = RequestGate(create_app(settings), settings.max_body_bytes)
    return RequestContext(app, function)
