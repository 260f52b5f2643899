"""What a horoscope reads, for one sign: every planet in the house of the reader's life it
crosses (solar whole-sign houses: the reader's Sun sign is the first house), with the text for
that planet in that sign and in that house; the Moon's sign and phase; and the events of the
coming days, each in the house it falls in for this sign.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from oraculum.domain.events import SkyEvent
from oraculum.domain.sky import BodyPosition, Sky
from oraculum.domain.zodiac import Sign
from oraculum.ports import ContextGroup, ContextItem
from oraculum.readings.services import Services
from oraculum.readings.sky_events import (
    event_dict,
    event_phrase,
    events_on_days,
    house_phrase,
    solar_house,
)
from oraculum.readings.sky_words import moon_phrase, position_phrase
from oraculum.readings.words import Words, words

PERSONAL = ("sun", "moon", "mercury", "venus", "mars")  # read at more length than the slow ones
# How many local days of events each outlook lists: a day's horoscope names the day and the
# seven after it; a week's outlook its seven days; a month's thirty.
PERIOD_DAYS = {"day": 8, "week": 7, "month": 30}


def _transit(
    entity: str, lang: str, services: Services, sentences: int, heading: str
) -> list[ContextItem]:
    """The `transit` passage of a placement, titled by the heading it is read under."""
    items, _ = services.knowledge.sections(entity, lang, ("transit",))
    return [replace(item, sentences=sentences, title=heading) for item in items[:1]]


def planet_row(p: BodyPosition, sign: Sign) -> dict[str, Any]:
    """A planet as the JSON shows it, for the reader's sign."""
    return {
        "body": p.body, "sign": p.sign, "degree": int(p.degree_in_sign),
        "house": solar_house(p.sign, sign.key), "retrograde": p.retrograde,
    }  # fmt: skip


def planet_group(
    p: BodyPosition, sign: Sign, lang: str, services: Services, w: Words
) -> ContextGroup:
    house = solar_house(p.sign, sign.key)
    depth = 2 if p.body in PERSONAL else 1
    heading = f"{position_phrase(p, lang)} — {house_phrase(house, w)}"
    items = _transit(f"planet-in-sign/{p.body}-in-{p.sign}", lang, services, depth, heading)
    items += _transit(f"planet-in-house/{p.body}-in-house-{house}", lang, services, depth, heading)
    return ContextGroup(heading, tuple(items))


def moon_group(sky: Sky, sign: Sign, lang: str, services: Services, w: Words) -> ContextGroup:
    moon = sky.body("moon")
    phase, _ = services.knowledge.sections(f"moon-phase/{sky.moon_phase.key}", lang, ("guidance",))
    title = phase[0].title if phase else sky.moon_phase.name
    house = solar_house(moon.sign, sign.key)
    heading = f"{moon_phrase(sky.moon_phase, moon, title, lang)} — {house_phrase(house, w)}"
    items = _transit(f"planet-in-sign/moon-in-{moon.sign}", lang, services, 2, heading)
    items += _transit(f"planet-in-house/moon-in-house-{house}", lang, services, 1, heading)
    items += [replace(item, sentences=1, title=heading) for item in phase[:1]]
    return ContextGroup(heading, tuple(items))


def event_group(
    event: SkyEvent, tz: str, sign: Sign, lang: str, services: Services, w: Words
) -> tuple[ContextGroup, dict[str, Any]]:
    row = event_dict(event, tz, w, sign.key)
    when = w.events["when"].format(day=row["local_date"], utc=row["at_utc"][11:16])
    heading = f"{when} — {event_phrase(event, w)}, {house_phrase(row['house'], w)}"
    body = event.body
    items = _transit(f"planet-in-house/{body}-in-house-{row['house']}", lang, services, 1, heading)
    return ContextGroup(heading, tuple(items)), row


def horoscope_context(
    sign: Sign, sky: Sky, day: date, lang: str, services: Services, tz: str, period: str = "day"
) -> tuple[list[ContextGroup], tuple[str, ...], dict[str, Any]]:
    """The groups to read, the facts to state, and what the JSON says of them. The events'
    dates and times are in their groups' headings, which the model reads as well."""
    w = words(lang)
    profile, _ = services.knowledge.sections(f"zodiac-sign/{sign.key}", lang, ("profile",))
    groups = [ContextGroup(w.sign(sign.key), tuple(replace(i, sentences=2) for i in profile))]
    planets = []
    for p in sky.bodies:
        is_moon = p.body == "moon"  # read with its phase
        groups.append(moon_group(sky, sign, lang, services, w) if is_moon
                      else planet_group(p, sign, lang, services, w))  # fmt: skip
        planets.append(planet_row(p, sign))
    last = day + timedelta(days=PERIOD_DAYS[period] - 1)
    found, _ = events_on_days(day, last, tz, lang, moon_ingresses=False)
    events = []
    for event in found:
        group, row = event_group(event, tz, sign, lang, services, w)
        groups.append(group)
        events.append(row)
    return groups, (), {"planets": planets, "events": events, "period": period}
