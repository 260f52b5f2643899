"""The daily horoscope: the sign's profile, the transits that touch it, the Moon's phase.

The sky comes from the ephemeris; the words come from the knowledge base. A sign's horoscope
for a day and language is generated once and then served from the document store, until
`horoscope_cache_days` after that day (ORACULUM_HOROSCOPE_CACHE_DAYS, default 7).

What a caller can make us store is bounded: only days near today (STORED_DAYS, by the
product's clock, in the reader's zone) are stored, and the key holds the zone's UTC offset at
the day's local noon (the instant the sky is read at), not the zone's name: at most 12 signs x
9 days x the world's few dozen offsets x languages. Any other day is made and answered, not
kept.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from oraculum.clock import Clock, today
from oraculum.domain.errors import InvalidInput
from oraculum.domain.sky import Sky, local_day, sky_on, zone
from oraculum.domain.zodiac import Sign, get_sign
from oraculum.ports import ContextGroup
from oraculum.rag.pack import pack
from oraculum.readings.answer import Answer
from oraculum.readings.services import Services, Stopwatch, check_lang
from oraculum.readings.sky_words import moon_phrase, position_phrase, sign_name, sky_dict
from oraculum.readings.words import words

_FOCUS = ("love", "work", "growth")  # one of the profile's sections each day, in turn
_READING_KEYS = ("sign", "date", "tz", "sky")
CACHE_PREFIX = "horoscope/"


STORED_DAYS = range(-1, 8)  # days from today whose horoscopes are stored: yesterday to +7


def cache_key(sign: Sign, day: date, lang: str, tz: str, model: str) -> str:
    return f"{CACHE_PREFIX}{sign.key}/{day.isoformat()}/{lang}/{noon_offset(day, tz)}/{model}"


def noon_offset(day: date, tz: str) -> str:
    """The zone's UTC offset at the day's local noon, as "UTC+07:00": zones that agree on it
    see the same sky, so they share one stored horoscope."""
    offset = datetime.combine(day, time(12), tzinfo=zone(tz)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def worth_storing(day: date, tz: str, clock: Clock) -> bool:
    """Whether `day` is near enough to the reader's today for its horoscope to be stored."""
    return (day - today(clock, zone(tz))).days in STORED_DAYS


def horoscope_context(
    sign: Sign, sky: Sky, day: date, lang: str, services: Services
) -> tuple[list[ContextGroup], tuple[str, ...]]:
    kb = services.knowledge
    focus = _FOCUS[day.toordinal() % len(_FOCUS)]
    profile, _ = kb.sections(f"zodiac-sign/{sign.key}", lang, ("profile", focus))
    groups = [ContextGroup(sign_name(sign.key, lang), tuple(profile))]
    facts: list[str] = []
    touching = sky.in_sign(sign.key)
    ruler = sky.body(sign.ruler)
    seen = set()
    for position in touching:
        items, _ = kb.sections(f"planet/{position.body}", lang, ("transit",))
        groups.append(ContextGroup(position_phrase(position, lang), tuple(items)))
        facts.append(position_phrase(position, lang))
        seen.add(position.body)
    if ruler.body not in seen:
        items, _ = kb.sections(f"planet/{ruler.body}", lang, ("transit",))
        heading = (
            f"{position_phrase(ruler, lang)} — {words(lang).ruler_of} {sign_name(sign.key, lang)}"
        )
        groups.append(ContextGroup(heading, tuple(items)))
        facts.append(heading)
        seen.add(ruler.body)
    retrograde = [p for p in sky.bodies if p.retrograde and p.body not in seen][:2]
    for position in retrograde:
        items, _ = kb.sections(f"planet/{position.body}", lang, ("retrograde",))
        groups.append(ContextGroup(position_phrase(position, lang), tuple(items)))
        facts.append(position_phrase(position, lang))
    phase_items, _ = kb.sections(f"moon-phase/{sky.moon_phase.key}", lang, ("meaning", "guidance"))
    title = phase_items[0].title if phase_items else sky.moon_phase.name
    moon = moon_phrase(sky.moon_phase, sky.body("moon"), title, lang)
    groups.append(ContextGroup(moon, tuple(phase_items)))
    facts.append(moon)
    return groups, tuple(facts)


def daily_horoscope(
    sign_name_or_key: str, day: date, services: Services, *, lang: str = "en", tz: str = "UTC"
) -> Answer:
    lang = check_lang(lang)
    sign = get_sign(sign_name_or_key)
    key = cache_key(sign, day, lang, tz, services.generator.model_id)
    storable = worth_storing(day, tz, services.clock)
    cached = services.documents.get_meta(key) if storable else None
    if cached is not None:
        answer = Answer.from_dict(cached, _READING_KEYS)
        answer.reading["tz"] = tz  # the stored one may be another zone of the same offset
        answer.cached = True
        return answer
    clock = Stopwatch()
    with clock.lap("retrieve"):
        sky = sky_on(day, tz)
        groups, facts = horoscope_context(sign, sky, day, lang, services)
        context = pack(groups, services.limits.context_tokens)
    with clock.lap("generate"):
        generation = services.generate("horoscope", lang, context, facts=facts)
    answer = Answer.made(
        "horoscope",
        lang,
        generation,
        context,
        {"sign": sign.key, "date": day.isoformat(), "tz": tz, "sky": sky_dict(sky)},
        clock.timings(),
    )
    # a degraded answer is not worth keeping for the whole day; a far day is not kept at all
    if storable and not answer.degraded:
        expires = cache_expiry(day, tz, services.horoscope_cache_days)
        services.documents.set_meta(key, answer.as_dict(), expires_at=expires)
    return answer


def cache_expiry(day: date, tz: str, keep_days: int) -> float:
    """When a stored horoscope expires (Unix seconds): `keep_days` after its local day ends."""
    end_of_day = local_day(day, zone(tz))[1]
    return (end_of_day + timedelta(days=keep_days)).timestamp()


def precompute(day: date, services: Services, *, lang: str = "en", tz: str = "UTC") -> list[Answer]:
    """Make and store the day's twelve horoscopes; only days that are stored can be made ahead."""
    from oraculum.domain.zodiac import SIGN_KEYS

    if not worth_storing(day, tz, services.clock):
        first, last = STORED_DAYS[0], STORED_DAYS[-1]
        raise InvalidInput(
            "date",
            f"{day.isoformat()} is not stored, so it cannot be made ahead: precompute takes "
            f"days from {first:+d} to {last:+d} days of today ({today(services.clock, zone(tz))})",
        )
    return [daily_horoscope(key, day, services, lang=lang, tz=tz) for key in SIGN_KEYS]
