"""The API's one route table, served by both front doors: the FastAPI app (uvicorn, and Lambda
through Mangum) is built from it with add_api_route, and each Lambda function's light router
serves its own part of it. A function's table imports only its own endpoints module, so the
tarot function never imports the ephemeris.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from oraculum.api.http import schemas as s

Call = Callable[..., Any]  # (runtime, [path params], [query], [body]) -> the answer


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # "/v1/tarot/cards/{card_id}"
    call: Call
    response: type[BaseModel] | None  # None for a route that answers another media type
    name: str  # the operation's name in OpenAPI
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    params: type[BaseModel] | None = None  # the path parameters, validated
    public: bool = False  # no credential needed (/health)
    problems: tuple[int, ...] = ()  # statuses documented beyond the common ones
    media: str = "application/json"  # what a 200 holds; another type is returned as text

    @property
    def literal(self) -> bool:
        return "{" not in self.path

    def match(self, path: str) -> dict[str, str] | None:
        found = _pattern(self.path).fullmatch(path)
        return found.groupdict() if found else None


_patterns: dict[str, re.Pattern[str]] = {}


def _pattern(template: str) -> re.Pattern[str]:
    if template not in _patterns:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        _patterns[template] = re.compile(regex)
    return _patterns[template]


class SignParams(BaseModel):
    sign: s.SignKey


def tarot_routes() -> list[Route]:
    from pydantic import Field

    from oraculum.api.http.endpoints import tarot

    class CardParams(BaseModel):
        card_id: str = Field(json_schema_extra={"enum": list(tarot.CARDS)})

    return [
        Route("POST", "/v1/tarot/readings", tarot.create_reading, s.TarotReadingOut,
              "create_tarot_reading", "tarot", body=s.TarotReadingRequest),
        Route("GET", "/v1/tarot/cards", lambda rt: tarot.list_cards(), s.CardList,
              "list_cards", "tarot"),
        Route("GET", "/v1/tarot/cards/{card_id}",
              lambda rt, p, q: tarot.get_card(rt, p["card_id"], q), s.CardDetail,
              "get_card", "tarot", query=s.CardQuery, params=CardParams, problems=(404,)),
        Route("GET", "/v1/tarot/spreads", lambda rt, q: tarot.list_spreads(q), s.SpreadList,
              "list_spreads", "tarot", query=s.CardQuery),
    ]  # fmt: skip


def horoscope_routes() -> list[Route]:
    from oraculum.api.http.endpoints import astrology

    return [
        Route("POST", "/v1/horoscopes/natal", astrology.create_natal, s.NatalOut,
              "create_natal", "astrology", body=s.NatalRequestBody),
        Route("GET", "/v1/horoscopes/{sign}",
              lambda rt, p, q: astrology.get_horoscope(rt, p["sign"], q), s.HoroscopeOut,
              "get_horoscope", "astrology", query=s.HoroscopeQuery, params=SignParams),
        Route("GET", "/v1/sky", astrology.get_sky, s.SkyOut, "get_sky", "astrology",
              query=s.SkyQuery),
        Route("GET", "/v1/sky/events", astrology.get_events, s.SkyEventsOut, "get_sky_events",
              "astrology", query=s.EventsQuery),
        Route("GET", "/v1/charts/wheel.svg", astrology.get_wheel, None, "get_chart_wheel",
              "astrology", query=s.WheelQuery, media="image/svg+xml"),
        Route("POST", "/v1/charts/transits", astrology.post_transits, s.TransitsOut,
              "post_transits", "astrology", body=s.TransitsBody),
        Route("POST", "/v1/charts/synastry", astrology.post_synastry, s.SynastryOut,
              "post_synastry", "astrology", body=s.PairBody),
        Route("POST", "/v1/charts/composite", astrology.post_composite, s.CompositeOut,
              "post_composite", "astrology", body=s.PairBody),
        Route("POST", "/v1/charts/solar-return", astrology.post_solar_return, s.ReturnsOut,
              "post_solar_return", "astrology", body=s.SolarReturnBody),
        Route("POST", "/v1/charts/lunar-return", astrology.post_lunar_return, s.ReturnsOut,
              "post_lunar_return", "astrology", body=s.LunarReturnBody),
    ]  # fmt: skip


def ask_routes() -> list[Route]:
    from oraculum.api.http.endpoints import questions

    return [
        Route("POST", "/v1/ask", questions.post_ask, s.AskOut, "post_ask", "questions",
              body=s.AskRequest),
        Route("GET", "/v1/search", questions.search, s.SearchOut, "search", "questions",
              query=s.SearchQuery),
        Route("GET", "/health", questions.health, s.Health, "health", "operations",
              public=True),
    ]  # fmt: skip


# Each Lambda function serves one of these tables; the FastAPI app serves them all.
ROUTES = {"tarot": tarot_routes, "horoscope": horoscope_routes, "ask": ask_routes}


def all_routes() -> list[Route]:
    return [route for make in ROUTES.values() for route in make()]
