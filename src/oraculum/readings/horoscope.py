"""The daily horoscope (and the weekly and monthly outlooks): every planet read for the sign,
the Moon's sign and phase, the coming days' events (readings/horoscope_context.py).

The sky comes from the ephemeris; the words come from the knowledge base. A sign's horoscope
for a day and language is generated once and then served from the document store, until
`horoscope_cache_days` after that day (ORACULUM_HOROSCOPE_CACHE_DAYS, default 7), or until an
ingest changes the base (its version is part of the key).

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
from oraculum.domain.sky import local_day, sky_on, zone
from oraculum.domain.zodiac import Sign, get_sign
from oraculum.rag.pack import pack
from oraculum.readings.answer import Answer
from oraculum.readings.horoscope_context import PERIOD_DAYS, horoscope_context
from oraculum.readings.services import Services, Stopwatch, check_lang
from oraculum.readings.sky_words import sky_dict

_READING_KEYS = ("sign", "date", "tz", "sky", "planets", "events", "period")
CACHE_PREFIX = "horoscope/"
# Ten planets, the Moon's phase and a week of events, each with its passages: enough room that
# none is cut (the composer quotes one or two sentences of each).
HOROSCOPE_CONTEXT_TOKENS = 6_000


STORED_DAYS = range(-1, 8)  # days from today whose horoscopes are stored: yesterday to +7


# Raised when what a horoscope holds changes, so a stored one of the old shape is not served
# after an upgrade (2: every planet in the reader's house, the coming events).
READING_VERSION = 2


def cache_key(sign: Sign, day: date, lang: str, tz: str, model: str, base: str) -> str:
    """`base` is the knowledge base's version (knowledge_version.py): an ingest that changes
    the base changes the key, so horoscopes are made again from the new passages."""
    where = noon_offset(day, tz)
    day_text = day.isoformat()
    return f"{CACHE_PREFIX}v{READING_VERSION}/{base}/{sign.key}/{day_text}/{lang}/{where}/{model}"


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


def daily_horoscope(
    sign_name_or_key: str,
    day: date,
    services: Services,
    *,
    lang: str = "en",
    tz: str = "UTC",
    period: str = "day",
) -> Answer:
    """The horoscope of a sign for a day (and the events of the week after), or the outlook
    of the week or the month starting that day (`period`: day, week, month)."""
    lang = check_lang(lang)
    sign = get_sign(sign_name_or_key)
    if period not in PERIOD_DAYS:
        raise InvalidInput("period", f"{period!r} is not one of {', '.join(PERIOD_DAYS)}")
    key = None  # a far day, or an outlook, is made and answered, not kept
    if period == "day" and worth_storing(day, tz, services.clock):
        base = services.base_version()
        key = cache_key(sign, day, lang, tz, services.generator.model_id, base)
    cached = None if key is None else services.documents.get_meta(key)
    if cached is not None:
        answer = Answer.from_dict(cached, _READING_KEYS)
        answer.reading["tz"] = tz  # the stored one may be another zone of the same offset
        answer.cached = True
        return answer
    clock = Stopwatch()
    with clock.lap("retrieve"):
        sky = sky_on(day, tz)
        groups, facts, read = horoscope_context(sign, sky, day, lang, services, tz, period)
        context = pack(groups, max(services.limits.context_tokens, HOROSCOPE_CONTEXT_TOKENS))
    with clock.lap("generate"):
        generation = services.generate("horoscope", lang, context, facts=facts)
    answer = Answer.made(
        "horoscope",
        lang,
        generation,
        context,
        {"sign": sign.key, "date": day.isoformat(), "tz": tz, "sky": sky_dict(sky), **read},
        clock.timings(),
    )
    # a degraded answer is not worth keeping for the whole day; a far day is not kept at all
    if key is not None and not answer.degraded:
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
