"""A natal reading: the big three, then the full chart (domain/chart.py): each planet in its
sign and house, the Ascendant, the tightest aspects, the balance, the ruler, and what a few
minutes of birth time would change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from oraculum.domain.chart import natal_chart
from oraculum.domain.natal_chart import (
    NO_PLACE_REASON,
    NO_TIME_REASON,
    POLAR_REASON,
    natal_big_three,
)
from oraculum.rag.pack import pack
from oraculum.readings.answer import Answer
from oraculum.readings.chart_words import chart_dict, chart_facts, chart_groups
from oraculum.readings.services import Services, Stopwatch, check_lang
from oraculum.readings.words import words

# Ten bodies, the Ascendant and six aspects, with their passages: room for every one.
NATAL_CONTEXT_TOKENS = 8_000
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
    house_system: str = "placidus"  # placidus, koch, equal, whole-sign
    minor_aspects: bool = False  # semi-sextile, semi-square, sesquiquadrate, quincunx, quintile


def natal_reading(request: NatalRequest, services: Services) -> Answer:
    lang = check_lang(request.lang)
    w = words(lang)
    clock = Stopwatch()
    with clock.lap("retrieve"):
        big3 = natal_big_three(
            request.birth_date, request.birth_time, request.tz, request.latitude, request.longitude
        )
        chart = natal_chart(
            request.birth_date, request.birth_time, request.tz, request.latitude,
            request.longitude, request.house_system, minor=request.minor_aspects,
        )  # fmt: skip
        facts = [w.natal["sun"].format(w.sign(big3.sun.key)),
                 w.natal["moon"].format(w.sign(big3.moon.key))]  # fmt: skip
        if big3.rising is not None:
            facts.append(w.natal["rising"].format(w.sign(big3.rising.key)))
        if big3.rising_missing_reason:
            facts.append(w.natal["missing"].format(w.natal[REASONS[big3.rising_missing_reason]]))
        for body, uncertain, sign in (
            ("sun", big3.sun_uncertain, big3.sun),
            ("moon", big3.moon_uncertain, big3.moon),
        ):
            if uncertain:
                facts.append(w.natal["uncertain"].format(w.body(body), w.sign(sign.key)))
        facts += chart_facts(chart, w)
        groups = chart_groups(chart, lang, services, w)
        context = pack(groups, max(services.limits.context_tokens, NATAL_CONTEXT_TOKENS))
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
        "chart": chart_dict(chart),
    }
    return Answer.made("natal", lang, generation, context, reading, clock.timings())
