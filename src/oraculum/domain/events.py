"""Sky events between two instants: ingresses, stations, lunations and possible eclipses.

Everything is read from the daily DE421 table (domain/sky_table.py), so the events agree with
the positions `sky_at` gives: a body found to enter Sagittarius at 14:02 is in Sagittarius in
the sky of 14:03.

How they are found. Each body's apparent longitude is sampled at a step it cannot turn or cross
a sign boundary twice within (the Moon every 6 h, the Sun, Mercury, Venus and Mars every day,
Jupiter to Pluto every 2 days), with one step of margin either side of the window so that an
event at its very edge is still bracketed. Then each bracketed event is refined by bisection
until its bracket is under 30 s, and reported rounded to the minute:

- a **station** (Mercury … Pluto) where the sampled motion changes direction: bisection on the
  sign of the speed, the longitude's change over one sampling step centred on the instant (that
  difference is exactly the sampled one at the bracket's ends, so the bracket always holds; a
  whole step smooths out the table's float32 rounding, which a derivative over an hour would
  magnify into hours of error for the slow outer planets). A body is nearly still for days
  around a station: the minute reported is where the speed computed this way changes sign, and
  other ephemerides' minutes differ by up to half an hour (see below);
- an **ingress** where the longitude crosses a multiple of 30°. The samples are cut at each
  station first, so between two points the body moves one way only and a crossing and re-crossing
  near a station are both found; a retrograde re-entry is an ingress with detail "retrograde";
- a **lunation** where the elongation Moon − Sun crosses 0°, 90°, 180° or 270°;
- an **eclipse** at a new or full moon whose ecliptic latitude is small enough (see below).

Eclipse limits, on the Moon's apparent ecliptic latitude β at the new or full moon. Whether an
eclipse happens between the two limits depends on the Moon's distance, which the table does not
hold; where it is seen, and how deep, the table cannot say either:

- solar: certain when |β| < 1.41°, possible when |β| < 1.58°. IMCCE (Observatoire de Paris),
  "Le critère en latitude": at the conjunction a solar eclipse happens if |β| < 1.41°
  (1°24′37″), may happen up to 1.58° (1°34′46″), and cannot above. The same limits follow from
  Meeus, Astronomical Algorithms (2nd ed.), ch. 54: an eclipse when |γ| < 1.5433 + u Earth
  radii, with the Moon's horizontal parallax between 54′ and 61.5′;
- lunar, umbral (partial or total): certain when |β| < 0.88°, possible when |β| < 1.05°, from
  Meeus ch. 54's umbral limit |γ| < 1.0128 − u at apogee and at perigee. Purely penumbral
  eclipses (the Moon only dimmed) are not flagged.

An eclipse's detail is "certain" or "possible". Checked against the Swiss Ephemeris's eclipse
search over the whole table (1899–2053): every solar and umbral lunar eclipse is flagged and
every "certain" one happens; of the "possible" ones, 21 of 31 solar and 41 of 73 lunar do not.
`at` is the new or full moon, within about 20 minutes of the greatest eclipse.

Agreement with the Swiss Ephemeris (Moshier; tests/unit/test_events.py holds December 2026 and
2026's eclipses to it), measured over 2016–2031: ingresses and lunations within 0.7 minutes,
except Neptune's and Pluto's ingresses (7 minutes: at their few arc-seconds a day, a tenth of an
arc-second between two ephemerides is minutes); stations within 5 minutes for Mercury to Jupiter,
10 for Saturn and Uranus, 35 for Neptune and Pluto.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Literal

from oraculum.domain import sky_table
from oraculum.domain.errors import InvalidInput
from oraculum.domain.sky import BODY_KEYS, OutOfEphemerisRange, ephemeris_range
from oraculum.domain.zodiac import SIGN_KEYS, SIGN_WIDTH_DEG, sign_of_longitude

EventKind = Literal[
    "ingress",
    "station-retrograde",
    "station-direct",
    "new-moon",
    "first-quarter",
    "full-moon",
    "last-quarter",
    "eclipse-solar",
    "eclipse-lunar",
]
LUNATION_KINDS: tuple[EventKind, ...] = ("new-moon", "first-quarter", "full-moon", "last-quarter")
EVENT_KINDS: tuple[EventKind, ...] = (
    "ingress", "station-retrograde", "station-direct", *LUNATION_KINDS,
    "eclipse-solar", "eclipse-lunar",
)  # fmt: skip
STATION_BODIES: tuple[str, ...] = BODY_KEYS[2:]  # Mercury … Pluto; the Sun and Moon never turn

# (certain below, possible below) |β| in degrees; sources in the module docstring.
SOLAR_ECLIPSE_LIMITS_DEG = (1.41, 1.58)
LUNAR_ECLIPSE_LIMITS_DEG = (0.88, 1.05)
MAX_SPAN = timedelta(days=400)
PRECISION_S = 30.0  # bisection stops once the bracket is narrower than this

# Sampling steps (days): short enough that no body crosses a boundary, or turns, twice per step.
_STEP_DAYS: dict[str, float] = {
    "moon": 0.25, "sun": 1.0, "mercury": 1.0, "venus": 1.0, "mars": 1.0,
    "jupiter": 2.0, "saturn": 2.0, "uranus": 2.0, "neptune": 2.0, "pluto": 2.0,
}  # fmt: skip
_LUNATION_STEP_DAYS = 0.25
_LUNATION_WIDTH_DEG = 90.0
# Days kept clear at either end of the table's range: the scan samples up to two steps beyond
# the window, and interpolation needs rows on both sides.
_EDGE = timedelta(days=5)
_DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class SkyEvent:
    """One event in the sky, at a UTC instant rounded to the minute.

    `sign` is the sign entered (an ingress) or where the body stands (the Moon's sign at a
    lunation or eclipse); `from_sign` is the sign left, for an ingress only. `longitude` is
    the body's apparent ecliptic longitude at the event. `detail` is "direct" or "retrograde"
    for an ingress (the way the body crossed), "certain" or "possible" for an eclipse, None
    otherwise.
    """

    kind: EventKind
    body: str
    at: datetime
    sign: str
    from_sign: str | None = None
    detail: str | None = None
    longitude: float = 0.0


def events_range() -> tuple[date, date]:
    """The first and last dates (inclusive) events can be searched in: the ephemeris's range
    less a few days at each end, which the scan samples beyond its window."""
    start, end = ephemeris_range()
    return start + _EDGE, end - _EDGE


def events_between(
    start: datetime, end: datetime, bodies: tuple[str, ...] = BODY_KEYS
) -> list[SkyEvent]:
    """Every event of `bodies` at or after `start` and before `end` (aware datetimes), by time.

    Lunations and eclipses come with the Moon: they are listed when "moon" is in `bodies`.
    The window may span at most MAX_SPAN, within `events_range()`.
    """
    lo, hi = _check_window(start, end)
    keys = _check_bodies(bodies)
    found: list[tuple[float, int, SkyEvent]] = []
    for step, group in _groups(keys):
        grid = _grid(lo, hi, step * _DAY_S)
        series = _sample(group, grid)
        for key in group:
            found.extend(_body_events(key, grid, series[key]))
    if "moon" in keys:
        found.extend(_lunation_events(lo, hi))
    found.sort(key=lambda item: (item[0], item[1]))
    return [event for t, _, event in found if lo <= t < hi]


# --- input checks -------------------------------------------------------------------------------


def _instant(value: datetime, field: str) -> float:
    """POSIX seconds of an aware datetime inside `events_range()`."""
    if not isinstance(value, datetime):
        raise InvalidInput(field, f"must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "must carry a time zone (a naive datetime is ambiguous)")
    first, last = events_range()
    if not first <= value.astimezone(UTC).date() <= last:
        raise OutOfEphemerisRange(field, value, first, last)
    return value.timestamp()


def _check_window(start: datetime, end: datetime) -> tuple[float, float]:
    lo, hi = _instant(start, "start"), _instant(end, "end")
    if hi < lo:
        raise InvalidInput("end", "must not be before start")
    if hi - lo > MAX_SPAN.total_seconds():
        raise InvalidInput("end", f"the window may span at most {MAX_SPAN.days} days")
    return lo, hi


def _check_bodies(bodies: Iterable[str]) -> tuple[str, ...]:
    if isinstance(bodies, str):
        raise InvalidInput("bodies", "must be a tuple of body names, not one string")
    keys = tuple(bodies)
    unknown = [key for key in keys if key not in BODY_KEYS]
    if unknown:
        raise InvalidInput(
            "bodies", f"unknown body {unknown[0]!r}; use any of {', '.join(BODY_KEYS)}"
        )
    return tuple(key for key in BODY_KEYS if key in keys)  # table order, no duplicates


# --- sampling -----------------------------------------------------------------------------------


def _groups(keys: tuple[str, ...]) -> list[tuple[float, tuple[str, ...]]]:
    """Bodies sampled at the same step, read together (one interpolation per instant)."""
    steps = sorted({_STEP_DAYS[key] for key in keys})
    return [(step, tuple(k for k in keys if _STEP_DAYS[k] == step)) for step in steps]


def _grid(lo: float, hi: float, step: float) -> list[float]:
    """Instants `step` apart from over a step before `lo` to over a step after `hi`: an event
    inside the window then has a sample on either side, and a station a step either side (its
    bracket runs between the middles of the two steps around it). They are whole multiples of
    the step since 1970, so any window holding an event brackets and refines it alike: the
    same event comes out of every window, to the last digit."""
    first = (math.floor(lo / step) - 1) * step
    count = math.ceil((hi - first) / step) + 2
    return [first + i * step for i in range(count)]


def _reader(columns: tuple[str, ...]) -> Callable[[float], list[float]]:
    """A function of POSIX seconds returning those table columns (angles not reduced)."""
    table = sky_table.table()
    indices = tuple(table.column(name) for name in columns)

    def read(t: float) -> list[float]:
        return table.interpolate(table.tt_jd(datetime.fromtimestamp(t, UTC)), indices)

    return read


def _unwrap(reference: float, angle: float) -> float:
    """`angle` moved by whole turns to within 180° of `reference`: the longitudes of one body
    at nearby instants then form a continuous curve."""
    return reference + (angle - reference + 180.0) % 360.0 - 180.0


def _continuous(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for value in values:
        out.append(_unwrap(out[-1], value) if out else value % 360.0)
    return out


def _sample(keys: tuple[str, ...], grid: list[float]) -> dict[str, list[float]]:
    read = _reader(keys)
    rows = [read(t) for t in grid]
    return {key: _continuous(row[i] for row in rows) for i, key in enumerate(keys)}


def _bisect(passed: Callable[[float], bool], lo: float, hi: float) -> float:
    """The instant between `lo` (not passed) and `hi` (passed) where `passed` turns true."""
    while hi - lo > PRECISION_S:
        mid = (lo + hi) / 2.0
        if passed(mid):
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2.0


def _levels_crossed(v0: float, v1: float, width: float) -> list[tuple[float, bool]]:
    """The multiples of `width` passed going from v0 to v1, in the order passed, each with
    whether it was passed upward."""
    k0, k1 = math.floor(v0 / width), math.floor(v1 / width)
    if k1 >= k0:
        return [(k * width, True) for k in range(k0 + 1, k1 + 1)]
    return [(k * width, False) for k in range(k0, k1, -1)]


def _crossing(
    read: Callable[[float], float], t0: float, v0: float, t1: float, level: float, upward: bool
) -> float:
    def passed(t: float) -> bool:
        return (_unwrap(v0, read(t)) >= level) == upward

    return _bisect(passed, t0, t1)


def _minute(t: float) -> datetime:
    return datetime.fromtimestamp(round(t / 60.0) * 60.0, UTC)


def _rank(kind: EventKind, body: str) -> int:
    """Orders events of the same instant: a lunation before its eclipse, bodies as listed."""
    return EVENT_KINDS.index(kind) * len(BODY_KEYS) + BODY_KEYS.index(body)


# --- a body's events ----------------------------------------------------------------------------


def _body_events(
    key: str, grid: list[float], values: list[float]
) -> list[tuple[float, int, SkyEvent]]:
    read_one = _reader((key,))

    def read(t: float) -> float:
        return read_one(t)[0]

    points = list(zip(grid, values, strict=True))
    found: list[tuple[float, int, SkyEvent]] = []
    if key in STATION_BODIES:
        for t, lon, direct in _stations(read, grid, values):
            kind: EventKind = "station-direct" if direct else "station-retrograde"
            found.append((t, _rank(kind, key), _event(kind, key, t, lon)))
            points.append((t, lon))
        points.sort()
    found.extend(_ingresses(key, read, points))
    return found


def _stations(
    read: Callable[[float], float], grid: list[float], values: list[float]
) -> list[tuple[float, float, bool]]:
    """(instant, longitude, turning direct) of each change in the sampled motion's direction."""
    half = (grid[1] - grid[0]) / 2.0
    diffs = [b - a for a, b in pairwise(values)]
    found = []
    for i in range(1, len(diffs)):
        direct = diffs[i] > 0
        if (diffs[i - 1] > 0) == direct:
            continue
        ref = values[i]

        def turned(t: float, ref: float = ref, direct: bool = direct) -> bool:
            change = _unwrap(ref, read(t + half)) - _unwrap(ref, read(t - half))
            return (change > 0) == direct

        t = _bisect(turned, grid[i] - half, grid[i] + half)
        found.append((t, _unwrap(ref, read(t)), direct))
    return found


def _ingresses(
    key: str, read: Callable[[float], float], points: list[tuple[float, float]]
) -> list[tuple[float, int, SkyEvent]]:
    found = []
    for (t0, v0), (t1, v1) in pairwise(points):
        for level, upward in _levels_crossed(v0, v1, SIGN_WIDTH_DEG):
            t = _crossing(read, t0, v0, t1, level, upward)
            index = round(level / SIGN_WIDTH_DEG)
            entered, left = (index, index - 1) if upward else (index - 1, index)
            event = SkyEvent(
                kind="ingress",
                body=key,
                at=_minute(t),
                sign=SIGN_KEYS[entered % 12],
                from_sign=SIGN_KEYS[left % 12],
                detail="direct" if upward else "retrograde",
                longitude=level % 360.0,
            )
            found.append((t, _rank("ingress", key), event))
    return found


def _event(
    kind: EventKind, body: str, t: float, longitude: float, detail: str | None = None
) -> SkyEvent:
    lon = longitude % 360.0
    sign = sign_of_longitude(lon).key
    return SkyEvent(kind, body, _minute(t), sign, detail=detail, longitude=lon)


# --- the Moon's phases and eclipses -------------------------------------------------------------


def _lunation_events(lo: float, hi: float) -> list[tuple[float, int, SkyEvent]]:
    read_pair = _reader(("sun", "moon"))
    read_moon = _reader(("moon", "moon_latitude"))

    def elongation(t: float) -> float:
        sun, moon = read_pair(t)
        return moon - sun

    grid = _grid(lo, hi, _LUNATION_STEP_DAYS * _DAY_S)
    points = list(zip(grid, _continuous(elongation(t) for t in grid), strict=True))
    found = []
    for (t0, v0), (t1, v1) in pairwise(points):
        for level, _ in _levels_crossed(v0, v1, _LUNATION_WIDTH_DEG):
            t = _crossing(elongation, t0, v0, t1, level, upward=True)
            kind = LUNATION_KINDS[round(level / _LUNATION_WIDTH_DEG) % 4]
            moon, latitude = read_moon(t)
            found.append((t, _rank(kind, "moon"), _event(kind, "moon", t, moon)))
            eclipse = _eclipse(kind, latitude)
            if eclipse is not None:
                kind, detail = eclipse
                body = "sun" if kind == "eclipse-solar" else "moon"
                event = _event(kind, body, t, moon, detail=detail)
                found.append((t, _rank(kind, body), event))
    return found


def _eclipse(kind: EventKind, moon_latitude: float) -> tuple[EventKind, str] | None:
    """The eclipse a new or full moon may bring, and how sure it is, from the Moon's latitude
    (limits and sources in the module docstring)."""
    if kind == "new-moon":
        eclipse: EventKind = "eclipse-solar"
        certain, possible = SOLAR_ECLIPSE_LIMITS_DEG
    elif kind == "full-moon":
        eclipse = "eclipse-lunar"
        certain, possible = LUNAR_ECLIPSE_LIMITS_DEG
    else:
        return None
    beta = abs(moon_latitude)
    if beta >= possible:
        return None
    return eclipse, "certain" if beta < certain else "possible"
