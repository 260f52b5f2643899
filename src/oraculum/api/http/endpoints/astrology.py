"""GET /v1/horoscopes/{sign}, POST /v1/horoscopes/natal, GET /v1/sky, GET /v1/sky/events."""

from __future__ import annotations

from datetime import time
from typing import Any

from oraculum.api.http.endpoints import day_or_today, measured, parse_day
from oraculum.api.http.schemas import (
    EventsQuery,
    HoroscopeQuery,
    LunarReturnBody,
    NatalRequestBody,
    PairBody,
    PersonBody,
    SkyQuery,
    SolarReturnBody,
    TransitsBody,
    WheelQuery,
)
from oraculum.api.http.services import ApiServices


def create_natal(runtime: ApiServices, body: NatalRequestBody) -> dict[str, Any]:
    from oraculum.readings.natal import NatalRequest, natal_reading

    born = parse_day(body.birth_date, "birth_date")
    at = time.fromisoformat(body.birth_time) if body.birth_time else None
    request = NatalRequest(
        born, at, body.tz, body.latitude, body.longitude, body.lang, body.house_system,
        body.minor_aspects,
    )  # fmt: skip
    with runtime.services() as services:
        return measured(natal_reading(request, services))


def get_horoscope(runtime: ApiServices, sign: str, query: HoroscopeQuery) -> dict[str, Any]:
    from oraculum.readings.horoscope import daily_horoscope

    day = day_or_today(query.date, query.tz, runtime.clock)
    with runtime.services() as services:
        return measured(
            daily_horoscope(sign, day, services, lang=query.lang, tz=query.tz, period=query.period)
        )


def get_sky(runtime: ApiServices, query: SkyQuery) -> dict[str, Any]:
    from oraculum.domain.sky import sky_on
    from oraculum.readings.sky_words import sky_dict

    return sky_dict(sky_on(day_or_today(query.date, query.tz, runtime.clock), query.tz))


def get_events(runtime: ApiServices, query: EventsQuery) -> dict[str, Any]:
    from datetime import timedelta

    from oraculum.domain.events import events_range
    from oraculum.readings.sky_events import event_dict, events_on_days

    first = day_or_today(query.start, query.tz, runtime.clock)
    # every schema-valid window is answered: cut where the ephemeris ends (a day early, so the
    # last local day ends inside it in any zone)
    last = min(first + timedelta(days=query.days - 1), events_range()[1] - timedelta(days=1))
    found, w = events_on_days(first, last, query.tz, query.lang, moon_ingresses=query.moon)
    rows = [event_dict(e, query.tz, w) for e in found]
    return {"start": first.isoformat(), "end": last.isoformat(), "tz": query.tz, "events": rows}


def _person(body: PersonBody) -> Any:
    from oraculum.readings.relations import Person

    at = time.fromisoformat(body.time) if body.time else None
    return Person(body.name or "person", parse_day(body.date, "date"), at, body.tz,
                  body.latitude, body.longitude)  # fmt: skip


def post_transits(runtime: ApiServices, body: TransitsBody) -> dict[str, Any]:
    from oraculum.readings.relations import transits

    person = _person(body.person)
    return transits(person, day_or_today(body.date, person.tz, runtime.clock))


def post_synastry(runtime: ApiServices, body: PairBody) -> dict[str, Any]:
    from oraculum.readings.relations import synastry

    return synastry(_person(body.a), _person(body.b))


def post_composite(runtime: ApiServices, body: PairBody) -> dict[str, Any]:
    from oraculum.readings.relations import composite_of

    return composite_of(_person(body.a), _person(body.b))


def post_solar_return(runtime: ApiServices, body: SolarReturnBody) -> dict[str, Any]:
    from oraculum.readings.relations import returns_of

    return returns_of(_person(body.person), body.year, None)


def post_lunar_return(runtime: ApiServices, body: LunarReturnBody) -> dict[str, Any]:
    from oraculum.readings.relations import returns_of

    return returns_of(_person(body.person), None, body.month)


def get_wheel(runtime: ApiServices, query: WheelQuery) -> str:
    """The natal chart's wheel as SVG text."""
    from oraculum.domain.chart import natal_chart
    from oraculum.readings.wheel import wheel_svg

    at = time.fromisoformat(query.time) if query.time else None
    chart = natal_chart(parse_day(query.date, "date"), at, query.tz, query.latitude,
                        query.longitude, query.house_system)  # fmt: skip
    return wheel_svg(chart, f"natal chart, {query.date} {query.time or ''} {query.tz}")
