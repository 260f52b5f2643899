"""GET /v1/horoscopes/{sign}, POST /v1/horoscopes/natal, GET /v1/sky."""

from __future__ import annotations

from datetime import time
from typing import Any

from oraculum.api.http.endpoints import day_or_today, measured, parse_day
from oraculum.api.http.schemas import HoroscopeQuery, NatalRequestBody, SkyQuery
from oraculum.api.http.services import ApiServices


def create_natal(runtime: ApiServices, body: NatalRequestBody) -> dict[str, Any]:
    from oraculum.readings.natal import NatalRequest, natal_reading

    born = parse_day(body.birth_date, "birth_date")
    at = time.fromisoformat(body.birth_time) if body.birth_time else None
    request = NatalRequest(born, at, body.tz, body.latitude, body.longitude, body.lang)
    with runtime.services() as services:
        return measured(natal_reading(request, services))


def get_horoscope(runtime: ApiServices, sign: str, query: HoroscopeQuery) -> dict[str, Any]:
    from oraculum.readings.horoscope import daily_horoscope

    day = day_or_today(query.date, query.tz, runtime.clock)
    with runtime.services() as services:
        return measured(daily_horoscope(sign, day, services, lang=query.lang, tz=query.tz))


def get_sky(runtime: ApiServices, query: SkyQuery) -> dict[str, Any]:
    from oraculum.domain.sky import sky_on
    from oraculum.readings.sky_words import sky_dict

    return sky_dict(sky_on(day_or_today(query.date, query.tz, runtime.clock), query.tz))
