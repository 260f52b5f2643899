"""The natal big three: sun, moon and rising sign, read from the signs' profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from oraculum.domain.natal_chart import (
    NO_PLACE_REASON,
    NO_TIME_REASON,
    POLAR_REASON,
    natal_big_three,
)
from oraculum.ports import ContextGroup
from oraculum.rag.pack import pack
from oraculum.readings.answer import Answer
from oraculum.readings.services import Services, Stopwatch, check_lang
from oraculum.readings.words import words

# Why the rising sign is unknown, as the reading's words name it.
REASONS = {NO_TIME_REASON: "no_time", NO_PLACE_REASON: "no_place", POLAR_REASON: "polar"}


@dataclass
class NatalRequest:
    birth_date: date
    birth_time: time | None = None
    tz: str = "UTC"
    latitude: float | None = None
    longitude: float | None = None
    lang: str = "en"


def natal_reading(request: NatalRequest, services: Services) -> Answer:
    lang = check_lang(request.lang)
    w = words(lang)
    clock = Stopwatch()
    with clock.lap("retrieve"):
        big3 = natal_big_three(
            request.birth_date, request.birth_time, request.tz, request.latitude, request.longitude
        )
        groups = []
        facts = []
        placements = [("sun", big3.sun), ("moon", big3.moon)]
        if big3.rising is not None:
            placements.append(("rising", big3.rising))
        for label, sign in placements:
            items, _ = services.knowledge.sections(f"zodiac-sign/{sign.key}", lang, ("profile",))
            heading = w.natal[label].format(w.sign(sign.key))
            groups.append(ContextGroup(heading, tuple(items)))
            facts.append(heading)
        if big3.rising_missing_reason:
            facts.append(w.natal["missing"].format(w.natal[REASONS[big3.rising_missing_reason]]))
        for body, uncertain, sign in (
            ("sun", big3.sun_uncertain, big3.sun),
            ("moon", big3.moon_uncertain, big3.moon),
        ):
            if uncertain:
                facts.append(w.natal["uncertain"].format(w.body(body), w.sign(sign.key)))
        article, _ = services.knowledge.sections("article/sun-moon-rising", lang, ("text",))
        if article:
            groups.append(ContextGroup(article[0].title, tuple(article)))
        context = pack(groups, services.limits.context_tokens)
    with clock.lap("generate"):
        generation = services.generate("natal", lang, context, facts=tuple(facts))
    reading = {
        "birth": {
            "date": request.birth_date.isoformat(),
            "time": request.birth_time.isoformat() if request.birth_time else None,
            "tz": request.tz,
            "latitude": request.latitude,
            "longitude": request.longitude,
        },
        "big_three": {
            "sun": big3.sun.key,
            "moon": big3.moon.key,
            "rising": big3.rising.key if big3.rising else None,
            "rising_missing_reason": big3.rising_missing_reason,
            "sun_uncertain": big3.sun_uncertain,
            "moon_uncertain": big3.moon_uncertain,
            "sun_longitude": round(big3.sun_longitude, 4),
            "moon_longitude": round(big3.moon_longitude, 4),
            "ascendant_longitude": None
            if big3.ascendant_longitude is None
            else round(big3.ascendant_longitude, 4),
        },
    }
    return Answer.made("natal", lang, generation, context, reading, clock.timings())
