"""The ASGI app: versioned routes under /v1, problem+json errors, auth, the web page."""

from __future__ import annotations

import logging
import time as clock
import uuid
from datetime import date, time
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from oraculum import __version__, observability
from oraculum.api import errors
from oraculum.api.auth import ApiKeys, authenticate
from oraculum.api.limits import BodyLimit
from oraculum.api.problems import MEDIA_TYPE, Problem
from oraculum.api.runtime import Runtime
from oraculum.api.schemas import (
    DATE_DOC,
    AskOut,
    AskRequest,
    CardDetail,
    CardList,
    CardSection,
    CardSummary,
    DateText,
    Health,
    HoroscopeOut,
    Lang,
    NatalOut,
    NatalRequestBody,
    SearchOut,
    SignKey,
    SkyOut,
    SpreadList,
    SpreadOut,
    TarotReadingOut,
    TarotReadingRequest,
    TimeZone,
)
from oraculum.api.schemas import Problem as ProblemSchema
from oraculum.config import Settings
from oraculum.domain.ids import slug
from oraculum.domain.sky import sky_on, zone
from oraculum.domain.tarot import DECK, SPREADS, Card
from oraculum.readings.ask import ask
from oraculum.readings.horoscope import daily_horoscope
from oraculum.readings.natal import NatalRequest, natal_reading
from oraculum.readings.sky_words import sky_dict
from oraculum.readings.tarot import TarotRequest, tarot_reading

log = logging.getLogger("oraculum.api")
STATIC = FilePath(__file__).parent / "static"
_CARDS = {slug(card.name): card for card in DECK}


def _problem(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ProblemSchema, "content": {MEDIA_TYPE: {}}} for s in statuses}


COMMON = _problem(400, 401, 413, 422, 500)
TODAY_DOC = f"{DATE_DOC}; default: today in tz"


def _summary(card_id: str, card: Card) -> CardSummary:
    return CardSummary(id=card_id, name=card.name, arcana=card.arcana, suit=card.suit,  # type: ignore[arg-type]
                       rank=card.rank, number=card.number)  # fmt: skip


def _parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(
            422, "invalid-input", f"{value!r} is not a calendar date", field=field
        ) from None


def _day(value: str | None, tz: str) -> date:
    """The given date, or today in the time zone tz."""
    from datetime import datetime

    return _parse_day(value, "date") if value else datetime.now(zone(tz)).date()


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

    @app.middleware("http")
    async def request_context(request: Request, call_next: Any) -> Any:
        context = request.scope.get("aws.context")
        request_id = (
            getattr(context, "aws_request_id", None)
            or request.headers.get("x-request-id")
            or uuid.uuid4().hex
        )
        observability.bind_request(request_id, path=request.url.path, method=request.method)
        started = clock.perf_counter()
        try:
            response = await call_next(request)
        finally:
            observability.flush()
        elapsed = (clock.perf_counter() - started) * 1e3
        identity = getattr(request.state, "identity", None)
        observability.logger().info(
            "request",
            extra={"status": response.status_code, "ms": round(elapsed, 1), "caller": identity},
        )
        response.headers["x-request-id"] = request_id
        return response

    def measured(answer: Any) -> dict[str, Any]:
        observability.count("ReadingLatency", answer.timings.total_ms, reading=answer.kind)
        return answer.as_dict()  # type: ignore[no-any-return]

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(caller)], responses=COMMON)

    @v1.post("/tarot/readings", response_model=TarotReadingOut, tags=["tarot"])
    def create_tarot_reading(body: TarotReadingRequest) -> dict[str, Any]:
        with runtime.services() as services:
            answer = tarot_reading(
                TarotRequest(body.question, body.spread, body.seed, body.lang), services
            )
        return measured(answer)

    @v1.get("/tarot/cards", response_model=CardList, tags=["tarot"])
    def list_cards() -> CardList:
        return CardList(cards=[_summary(cid, card) for cid, card in _CARDS.items()])

    @v1.get(
        "/tarot/cards/{card_id}", response_model=CardDetail, responses=_problem(404), tags=["tarot"]
    )
    def get_card(
        card_id: Annotated[str, Path(json_schema_extra={"enum": list(_CARDS)})], lang: Lang = "en"
    ) -> CardDetail:
        card = _CARDS.get(card_id)
        if card is None:
            raise Problem(404, "not-found", f"no card {card_id!r}; GET /v1/tarot/cards lists them")
        with runtime.services() as services:
            chunks, found = services.knowledge.entity(card.entity, lang)
        if not chunks:
            raise Problem(404, "not-found", f"the knowledge base has no text for {card.name}")
        sections = {c.section: CardSection(chunk_id=c.id, text=c.text) for c in chunks}
        return CardDetail(**_summary(card_id, card).model_dump(), lang=found, title=chunks[0].title,
                          entity=card.entity, sections=sections)  # fmt: skip

    @v1.get("/tarot/spreads", response_model=SpreadList, tags=["tarot"])
    def list_spreads() -> SpreadList:
        return SpreadList(
            spreads=[
                SpreadOut(id=s.id, name=s.name, positions=list(s.positions))
                for s in SPREADS.values()
            ]
        )

    @v1.api_route("/horoscopes/natal", methods=["GET", "PUT", "PATCH", "DELETE", "OPTIONS"],
                  include_in_schema=False)  # fmt: skip
    def natal_other_methods() -> None:
        # Without this, /horoscopes/{sign} would claim the path and answer Allow: GET.
        raise Problem(405, "method-not-allowed", "use POST", headers={"Allow": "POST"})

    @v1.post("/horoscopes/natal", response_model=NatalOut, tags=["astrology"])
    def create_natal(body: NatalRequestBody) -> dict[str, Any]:
        born = _parse_day(body.birth_date, "birth_date")
        at = time.fromisoformat(body.birth_time) if body.birth_time else None
        request = NatalRequest(born, at, body.tz, body.latitude, body.longitude, body.lang)
        with runtime.services() as services:
            return measured(natal_reading(request, services))

    @v1.get("/horoscopes/{sign}", response_model=HoroscopeOut, tags=["astrology"])
    def get_horoscope(
        sign: SignKey,
        day: Annotated[DateText | None, Query(alias="date", description=TODAY_DOC)] = None,
        lang: Lang = "en",
        tz: Annotated[TimeZone, Query()] = "UTC",
    ) -> dict[str, Any]:
        with runtime.services() as services:
            return measured(daily_horoscope(sign, _day(day, tz), services, lang=lang, tz=tz))

    @v1.get("/sky", response_model=SkyOut, tags=["astrology"])
    def get_sky(
        day: Annotated[DateText | None, Query(alias="date", description=TODAY_DOC)] = None,
        tz: Annotated[TimeZone, Query()] = "UTC",
    ) -> dict[str, Any]:
        return sky_dict(sky_on(_day(day, tz), tz))

    @v1.post("/ask", response_model=AskOut, tags=["questions"])
    def post_ask(body: AskRequest) -> dict[str, Any]:
        with runtime.services() as services:
            return measured(ask(body.question, services, lang=body.lang))

    @v1.get("/search", response_model=SearchOut, tags=["questions"])
    def search(
        q: Annotated[str, Query(min_length=1, max_length=2_000)],
        kind: Annotated[str | None, Query(max_length=64)] = None,
        lang: Lang | None = None,
        top_k: Annotated[int, Query(ge=1, le=50)] = 5,
    ) -> dict[str, Any]:
        if top_k > settings.max_top_k:
            raise Problem(
                422,
                "invalid-input",
                f"top_k is over the limit of {settings.max_top_k}",
                field="top_k",
            )
        with runtime.services() as services:
            found = services.retriever.search(q, top_k=top_k, kind=kind, lang=lang)
        hits = [h.as_dict() for h in found.hits]
        return {"query": q, "hits": hits, "dropped": len(found.dropped)}

    app.include_router(v1)

    @app.get("/health", response_model=Health, tags=["operations"])
    def health() -> Health:
        with runtime.stores() as stores:
            agree = stores.index.dim in (0, stores.embedder.dim) and stores.index.model_id in (
                None, stores.embedder.model_id)  # fmt: skip
            return Health(
                status="ok" if agree else "degraded",
                embedder=stores.embedder.model_id,
                embedder_dim=stores.embedder.dim,
                index_model=stores.index.model_id,
                index_dim=stores.index.dim,
                dimensions_agree=agree,
                documents=stores.documents.count(),
                vectors=stores.index.count(),
                generator=settings.generator,
            )

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.on_event("shutdown")
    def close() -> None:
        runtime.close()

    return app


def asgi() -> Any:
    """The ASGI app as uvicorn and Mangum see it: with the body-size limit in front."""
    settings = Settings()
    return BodyLimit(create_app(settings), settings.max_body_bytes)
