"""A full natal chart: ten bodies and the lunar nodes with their signs, houses and motion, the
angles, the houses in a chosen system, the aspects, the balance of elements and modalities, the
chart ruler, and what a few minutes of birth time would change.

Without a birth time (or place) there are no houses and no angles: the chart says so, and
places the bodies at local noon, naming the ones that changed sign that day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from oraculum.domain.aspects import Aspect, aspects, chart_ruler, element_balance, modality_balance
from oraculum.domain.errors import InvalidInput
from oraculum.domain.houses import Houses, houses
from oraculum.domain.natal_chart import MAX_ASCENDANT_LATITUDE, _sign_at_and_change
from oraculum.domain.nodes import lunar_nodes
from oraculum.domain.sky import (
    BODY_KEYS,
    apparent_longitudes,
    check_coordinate,
    check_date,
    sky_at,
    zone,
)
from oraculum.domain.zodiac import sign_of_longitude

T = TypeVar("T")
NEAR_MINUTES = 10  # a change within this many minutes of the birth time is worth a warning


@dataclass(frozen=True)
class Placement:
    body: str  # sun … pluto, north-node, south-node, ascendant, midheaven
    longitude: float
    sign: str
    degree: int  # whole degrees in the sign, floored as ephemerides print them
    house: int | None
    retrograde: bool = False
    changed_sign_that_day: bool = False


@dataclass(frozen=True)
class Warning:
    """What a few minutes either side of the birth time would change."""

    point: str  # ascendant, midheaven, or a body
    what: str  # sign | house
    now: str | int
    other: str | int
    minutes: int  # how many minutes earlier (negative) or later the other value begins


@dataclass(frozen=True)
class Chart:
    instant: datetime | None  # the birth moment in UTC, or None without a time
    placements: tuple[Placement, ...]
    houses: Houses | None
    aspects: tuple[Aspect, ...]
    elements: dict[str, int]
    modalities: dict[str, int]
    ruler: str | None  # the chart ruler (traditional), from the rising sign
    missing: tuple[str, ...] = ()  # what cannot be computed, and why
    warnings: tuple[Warning, ...] = field(default=())

    def placement(self, body: str) -> Placement:
        return next(p for p in self.placements if p.body == body)


def _place(body: str, lon: float, house: Houses | None, retro: bool, changed: bool) -> Placement:
    lon %= 360.0
    sign = sign_of_longitude(lon)
    degree = int(lon - sign.start_longitude)
    return Placement(body, lon, sign.key, degree, house.house_of(lon) if house else None,
                     retro, changed)  # fmt: skip


def _first_change(
    value_at: Callable[[datetime], T], instant: datetime, limit: int
) -> tuple[T, int] | None:
    """The other value nearest in time within `limit` minutes, and its signed minute."""
    now = value_at(instant)
    for minutes in range(1, limit + 1):
        for signed in (-minutes, minutes):
            other = value_at(instant + timedelta(minutes=signed))
            if other != now:
                return other, signed
    return None


def near_changes(
    instant: datetime, lat: float, lon: float, system: str, bodies: dict[str, float]
) -> list[Warning]:
    """The angles' signs, and the bodies' houses, that a few minutes of birth time would move."""
    out = []

    def asc_sign(t: datetime) -> str:
        return sign_of_longitude(houses(t, lat, lon, system).ascendant).key

    def mc_sign(t: datetime) -> str:
        return sign_of_longitude(houses(t, lat, lon, system).midheaven).key

    for point, fn in (("ascendant", asc_sign), ("midheaven", mc_sign)):
        found = _first_change(fn, instant, NEAR_MINUTES)
        if found:
            out.append(Warning(point, "sign", fn(instant), found[0], found[1]))
    for body, body_lon in bodies.items():

        def house(t: datetime, b: float = body_lon) -> int:
            return houses(t, lat, lon, system).house_of(b)

        found = _first_change(house, instant, NEAR_MINUTES)
        if found:
            out.append(Warning(body, "house", house(instant), found[0], found[1]))
    out += _sign_changes(instant, bodies)
    return out


def _sign_changes(instant: datetime, bodies: dict[str, float]) -> list[Warning]:
    """Bodies that change sign within minutes of the birth (the Moon moves a degree in two
    hours): only those within half a degree of a sign's edge are looked at minute by minute."""
    out = []
    for body, lon in bodies.items():
        if min(lon % 30.0, 30.0 - lon % 30.0) > 0.5:
            continue

        def sign(t: datetime, b: str = body) -> str:
            return sign_of_longitude(apparent_longitudes((b,), [t])[b][0]).key

        found = _first_change(sign, instant, NEAR_MINUTES)
        if found:
            out.append(Warning(body, "sign", sign(instant), found[0], found[1]))
    return out


def birth_instant(day: date, at: time, tz: str, field: str = "birth_time") -> datetime:
    """The UTC instant of a local birth time, refusing a time the zone skipped (clocks moved
    forward) or lived twice (clocks moved back): which one was meant is not ours to guess."""
    where = zone(tz)
    first = datetime.combine(day, at, tzinfo=where).replace(fold=0)
    second = first.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    off = [_offset(x) for x in (first, second)]
    if first.astimezone(UTC).astimezone(where).replace(tzinfo=None) != first.replace(tzinfo=None):
        raise InvalidInput(field, f"{day} {at:%H:%M} did not exist in {tz}: the clocks jumped "
                           f"from {off[0]} to {off[1]} that night; check the time")  # fmt: skip
    raise InvalidInput(field, f"{day} {at:%H:%M} happened twice in {tz} ({off[0]}, then "
                       f"{off[1]}); give the zone as a fixed offset, e.g. --tz "
                       f"{_etc(first)} for the first")  # fmt: skip


def _offset(moment: datetime) -> str:
    minutes = int((moment.utcoffset() or timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _etc(moment: datetime) -> str:
    """The IANA fixed-offset zone of a whole-hour offset (Etc/GMT signs are inverted)."""
    hours = int((moment.utcoffset() or timedelta(0)).total_seconds() // 3600)
    return f"Etc/GMT{-hours:+d}" if hours else "Etc/GMT"


def natal_chart(
    day: date,
    at: time | None,
    tz: str,
    latitude: float | None,
    longitude: float | None,
    system: str = "placidus",
    *,
    node: str = "mean",
    minor: bool = False,
) -> Chart:
    """The chart of a birth. `at` is local time in `tz`; without it, or without the place,
    the chart has no houses or angles and says why in `missing`."""
    check_date(day, "birth_date")
    where: ZoneInfo = zone(tz)
    missing: list[str] = []
    if latitude is not None:
        check_coordinate(latitude, 90.0, "latitude")
    if longitude is not None:
        check_coordinate(longitude, 180.0, "longitude")
    moment = (
        birth_instant(day, at, tz) if at is not None
        else datetime.combine(day, time(12), tzinfo=where).astimezone(UTC)
    )  # fmt: skip
    sky = sky_at(moment)
    changed = {k: v[1] for k, v in _sign_at_and_change(BODY_KEYS, day, at, where).items()}
    house: Houses | None = None
    if at is None:
        missing.append("no-time")
    elif latitude is None or longitude is None:
        missing.append("no-place")
    else:
        house = houses(moment, latitude, longitude, system)
        if abs(latitude) > MAX_ASCENDANT_LATITUDE:
            missing.append("polar")
    nodes = lunar_nodes(moment, node)
    placements = [
        _place(p.body, p.longitude, house, p.retrograde, changed[p.body] and at is None)
        for p in sky.bodies
    ]
    placements += [_place("north-node", nodes.north, house, True, False),
                   _place("south-node", nodes.south, house, True, False)]  # fmt: skip
    if house is not None:
        placements += [_place("ascendant", house.ascendant, house, False, False),
                       _place("midheaven", house.midheaven, house, False, False)]  # fmt: skip
    longitudes = {p.body: p.longitude for p in placements if p.body in BODY_KEYS}
    if house is not None:
        longitudes |= {"ascendant": house.ascendant, "midheaven": house.midheaven}
    speeds = {p.body: p.speed_deg_per_day for p in sky.bodies}
    found = [
        a
        for a in aspects(
            longitudes, minor=minor, speeds=speeds | {"ascendant": 0.0, "midheaven": 0.0}
        )
        if {a.a, a.b} != {"ascendant", "midheaven"}  # always near a square: says nothing
    ]
    ten = [p for p in placements if p.body in BODY_KEYS]
    warnings: list[Warning] = []
    if house is not None and latitude is not None and longitude is not None:
        warnings = near_changes(
            moment, latitude, longitude, system, {p.body: p.longitude for p in ten}
        )
    return Chart(
        instant=moment if at is not None else None,
        placements=tuple(placements),
        houses=house,
        aspects=tuple(found),
        elements=element_balance({p.body: p.longitude for p in ten}),
        modalities=modality_balance({p.body: p.longitude for p in ten}),
        ruler=chart_ruler(house.ascendant).traditional if house else None,
        missing=tuple(missing),
        warnings=tuple(warnings),
    )
