"""Sky events as a reader sees them: named in their language, at their UTC minute and on the
reader's local date, and, for a sign, in the house of the reader's life they fall in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from oraculum.domain.events import SkyEvent, events_between
from oraculum.domain.sky import zone
from oraculum.domain.zodiac import SIGN_KEYS
from oraculum.readings.words import Words, words

ORDINALS_EN = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "11th",
               "12th")  # fmt: skip


def solar_house(sign: str, of_sign: str) -> int:
    """The whole-sign house `sign` is for a reader whose Sun is in `of_sign` (1 = their own)."""
    return (SIGN_KEYS.index(sign) - SIGN_KEYS.index(of_sign)) % 12 + 1


def house_phrase(house: int, w: Words) -> str:
    return w.events["house"].format(house=ORDINALS_EN[house - 1] if w.lang == "en" else house)


def event_phrase(event: SkyEvent, w: Words) -> str:
    kind = event.kind
    if kind == "ingress" and event.detail == "retrograde":
        kind = "ingress-retrograde"
    text = w.events[kind].format(body=w.body(event.body), sign=w.sign(event.sign))
    if event.kind.startswith("eclipse") and event.detail == "possible":
        text += f" ({w.events['possible']})"
    return text


def local_window(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """From the start of `first` to the end of `last`, local days in `tz`, as UTC instants."""
    where = zone(tz)
    start = datetime.combine(first, time(0), where)
    end = datetime.combine(last + timedelta(days=1), time(0), where)
    return start, end


def event_dict(event: SkyEvent, tz: str, w: Words, sign: str | None = None) -> dict[str, Any]:
    local = event.at.astimezone(zone(tz))
    out: dict[str, Any] = {
        "kind": event.kind,
        "body": event.body,
        "sign": event.sign,
        "from_sign": event.from_sign,
        "detail": event.detail,
        "at_utc": event.at.strftime("%Y-%m-%dT%H:%MZ"),
        "local_date": local.date().isoformat(),
        "local_time": local.strftime("%H:%M"),
        "text": event_phrase(event, w),
    }
    if sign is not None:
        out["house"] = solar_house(event.sign, sign)
    return out


def events_on_days(
    first: date, last: date, tz: str, lang: str, *, moon_ingresses: bool = True
) -> tuple[list[SkyEvent], Words]:
    """The events of the local days `first`..`last` in `tz`."""
    start, end = local_window(first, last, tz)
    found = events_between(start, end)
    if not moon_ingresses:  # every two or three days: noise in a weekly list
        found = [e for e in found if not (e.body == "moon" and e.kind == "ingress")]
    return found, words(lang)
