"""Which routes each Lambda function serves, for the light router (lambda_router.py).

The same paths, models and endpoint functions as the FastAPI app in app.py; a function's
table imports only its own endpoints module.
"""

from __future__ import annotations

from pydantic import BaseModel

from oraculum.api import schemas as s
from oraculum.api.lambda_router import Route


class SignParams(BaseModel):
    sign: s.SignKey


def tarot_routes() -> list[Route]:
    from oraculum.api.endpoints import tarot

    return [
        Route("POST", "/v1/tarot/readings", tarot.create_reading, s.TarotReadingOut,
              body=s.TarotReadingRequest),
        Route("GET", "/v1/tarot/cards", lambda rt: tarot.list_cards(), s.CardList),
        Route("GET", "/v1/tarot/cards/{card_id}",
              lambda rt, p, q: tarot.get_card(rt, p["card_id"], q), s.CardDetail,
              query=s.CardQuery),
        Route("GET", "/v1/tarot/spreads", lambda rt: tarot.list_spreads(), s.SpreadList),
    ]  # fmt: skip


def horoscope_routes() -> list[Route]:
    from oraculum.api.endpoints import astrology

    return [
        Route("POST", "/v1/horoscopes/natal", astrology.create_natal, s.NatalOut,
              body=s.NatalRequestBody),
        Route("GET", "/v1/horoscopes/{sign}",
              lambda rt, p, q: astrology.get_horoscope(rt, p["sign"], q), s.HoroscopeOut,
              query=s.HoroscopeQuery, params=SignParams),
        Route("GET", "/v1/sky", astrology.get_sky, s.SkyOut, query=s.SkyQuery),
    ]  # fmt: skip


def ask_routes() -> list[Route]:
    from oraculum.api.endpoints import questions

    return [
        Route("POST", "/v1/ask", questions.post_ask, s.AskOut, body=s.AskRequest),
        Route("GET", "/v1/search", questions.search, s.SearchOut, query=s.SearchQuery),
        Route("GET", "/health", questions.health, s.Health, public=True),
    ]


ROUTES = {"tarot": tarot_routes, "horoscope": horoscope_routes, "ask": ask_routes}
