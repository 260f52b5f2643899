"""The ASGI app: versioned routes under /v1, problem+json errors, auth, the web page.

uvicorn serves it locally (`oraculum serve`); on Lambda, Mangum serves it when
ORACULUM_LAMBDA_ROUTER=asgi, and the light router in lambda_router.py otherwise. Both call
the same functions in api/endpoints/ with the same validated inputs.
"""

from __future__ import annotations

import logging
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from oraculum import __version__, observability
from oraculum.api import errors
from oraculum.api.auth import ApiKeys, authenticate
from oraculum.api.endpoints import astrology, questions, tarot
from oraculum.api.limits import RequestContext, RequestGate
from oraculum.api.problems import MEDIA_TYPE, Problem
from oraculum.api.runtime import Runtime
from oraculum.api.schemas import (
    AskOut,
    AskRequest,
    CardDetail,
    CardList,
    CardQuery,
    Health,
    HoroscopeOut,
    HoroscopeQuery,
    NatalOut,
    NatalRequestBody,
    SearchOut,
    SearchQuery,
    SignKey,
    SkyOut,
    SkyQuery,
    SpreadList,
    TarotReadingOut,
    TarotReadingRequest,
)
from oraculum.api.schemas import Problem as ProblemSchema
from oraculum.config import Settings

log = logging.getLogger("oraculum.api")
STATIC = FilePath(__file__).parent / "static"


def _problem(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ProblemSchema, "content": {MEDIA_TYPE: {}}} for s in statuses}


COMMON = _problem(400, 401, 413, 422, 500)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    keys = ApiKeys(k.strip() for k in settings.api_keys.split(","))

    def caller(request: Request) -> str:
        identity = authenticate(
            settings.auth_mode, keys, request.headers.get("authorization"), request.scope
        )
        request.state.identity = identity
        return identity

    app = FastAPI(
        title="Oraculum",
        version=__version__,
        description="Tarot readings, daily horoscopes and free questions, grounded in a "
        "knowledge base and cited. Every /v1 route needs `Authorization: Bearer <API key>`.",
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

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(caller)], responses=COMMON)

    @v1.post("/tarot/readings", response_model=TarotReadingOut, tags=["tarot"])
    def create_tarot_reading(body: TarotReadingRequest) -> dict[str, Any]:
        return tarot.create_reading(runtime, body)

    @v1.get("/tarot/cards", response_model=CardList, tags=["tarot"])
    def list_cards() -> CardList:
        return tarot.list_cards()

    @v1.get(
        "/tarot/cards/{card_id}", response_model=CardDetail, responses=_problem(404), tags=["tarot"]
    )
    def get_card(
        card_id: Annotated[str, Path(json_schema_extra={"enum": list(tarot.CARDS)})],
        query: Annotated[CardQuery, Query()],
    ) -> CardDetail:
        return tarot.get_card(runtime, card_id, query)

    @v1.get("/tarot/spreads", response_model=SpreadList, tags=["tarot"])
    def list_spreads() -> SpreadList:
        return tarot.list_spreads()

    @v1.api_route("/horoscopes/natal", methods=["GET", "PUT", "PATCH", "DELETE", "OPTIONS"],
                  include_in_schema=False)  # fmt: skip
    def natal_other_methods() -> None:
        # Without this, /horoscopes/{sign} would claim the path and answer Allow: GET.
        raise Problem(405, "method-not-allowed", "Method Not Allowed", headers={"Allow": "POST"})

    @v1.post("/horoscopes/natal", response_model=NatalOut, tags=["astrology"])
    def create_natal(body: NatalRequestBody) -> dict[str, Any]:
        return astrology.create_natal(runtime, body)

    @v1.get("/horoscopes/{sign}", response_model=HoroscopeOut, tags=["astrology"])
    def get_horoscope(sign: SignKey, query: Annotated[HoroscopeQuery, Query()]) -> dict[str, Any]:
        return astrology.get_horoscope(runtime, sign, query)

    @v1.get("/sky", response_model=SkyOut, tags=["astrology"])
    def get_sky(query: Annotated[SkyQuery, Query()]) -> dict[str, Any]:
        return astrology.get_sky(runtime, query)

    @v1.post("/ask", response_model=AskOut, tags=["questions"])
    def post_ask(body: AskRequest) -> dict[str, Any]:
        return questions.post_ask(runtime, body)

    @v1.get("/search", response_model=SearchOut, tags=["questions"])
    def search(query: Annotated[SearchQuery, Query()]) -> dict[str, Any]:
        return questions.search(runtime, query)

    app.include_router(v1)

    @app.get("/health", response_model=Health, tags=["operations"])
    def health() -> Health:
        return questions.health(runtime)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.on_event("shutdown")
    def close() -> None:
        runtime.close()

    return app


def asgi(settings: Settings | None = None, function: str = "api") -> Any:
    """The ASGI app as uvicorn and Mangum see it: the request's context (id, security headers,
    log line) outside, the gate on the body's size and type, then the app. `function` names
    the Lambda function serving it (tarot, horoscope, ask) in the ServerErrors metric."""
    settings = settings or Settings()
    app = RequestGate(create_app(settings), settings.max_body_bytes)
    return RequestContext(app, function)
