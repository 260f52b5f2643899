"""The sky from the JPL DE421 ephemeris: where the Sun, Moon and planets stand (natal_chart.py
builds the big three on it).

Positions are apparent geocentric ecliptic longitudes of date (tropical zodiac: true equinox and
ecliptic of date), with light-time, aberration and the Sun's light deflection — the conventions of
published astrological ephemerides (Swiss Ephemeris). The outer planets and Pluto are their
system barycentres, as DE421 gives them (the difference is far below an arc-second).

They come from the daily table of domain/sky_table.py (built from DE421 with skyfield, read with
the standard library), read once per process on first use; nothing is downloaded, and neither
numpy nor skyfield is imported at run time.

Speeds come from three instants (t − 1 h, t, t + 1 h): a body is retrograde when its longitude
decreases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oraculum.domain import sky_table
from oraculum.domain.errors import InvalidInput
from oraculum.domain.zodiac import sign_of_longitude

BODY_KEYS: tuple[str, ...] = (
    "sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto",
)  # fmt: skip
SPEED_STEP = timedelta(hours=1)

MOON_PHASES: tuple[tuple[str, str], ...] = (
    ("new-moon", "New Moon"),
    ("waxing-crescent", "Waxing Crescent"),
    ("first-quarter", "First Quarter"),
    ("waxing-gibbous", "Waxing Gibbous"),
    ("full-moon", "Full Moon"),
    ("waning-gibbous", "Waning Gibbous"),
    ("last-quarter", "Last Quarter"),
    ("waning-crescent", "Waning Crescent"),
)


class OutOfEphemerisRange(InvalidInput):
    """A date the bundled ephemeris (JPL DE421) does not cover."""

    def __init__(self, field: str, value: date | datetime, start: date, end: date) -> None:
        self.value = value
        self.start = start
        self.end = end
        super().__init__(
            field,
            f"{value.isoformat()} is outside the ephemeris (JPL DE421): "
            f"dates from {start.isoformat()} to {end.isoformat()} are supported",
        )


def ephemeris_range() -> tuple[date, date]:
    """The first and last dates (inclusive) the sky can be computed for, in any time zone."""
    table = sky_table.table()
    return table.start, table.end


def __getattr__(name: str) -> date:
    # EPHEMERIS_START / EPHEMERIS_END come from the table's header, read on first access.
    if name == "EPHEMERIS_START":
        return ephemeris_range()[0]
    if name == "EPHEMERIS_END":
        return ephemeris_range()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- input checks -------------------------------------------------------------------------------


def check_date(day: date, field: str) -> None:
    start, end = ephemeris_range()
    if not start <= day <= end:
        raise OutOfEphemerisRange(field, day, start, end)


def _as_utc(instant: datetime, field: str) -> datetime:
    if not isinstance(instant, datetime):
        raise InvalidInput(field, f"must be a datetime, not {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(field, "must carry a time zone (a naive datetime is ambiguous)")
    utc = instant.astimezone(UTC)
    start, end = ephemeris_range()
    if not start <= utc.date() <= end:
        raise OutOfEphemerisRange(field, instant, start, end)
    return utc


def zone(tz: str, field: str = "tz") -> ZoneInfo:
    """The IANA time zone called `tz` ("Asia/Ho_Chi_Minh", "UTC")."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput(
            field, f"unknown time zone {tz!r}; use an IANA name such as 'Asia/Ho_Chi_Minh'"
        ) from None


def check_coordinate(value: float, limit: float, field: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and -limit <= value <= limit):
        raise InvalidInput(field, f"must lie between -{limit:g} and {limit:g} degrees, not {value}")


def local_day(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight at the start of `day` and of the next day, in UTC."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


# --- positions ----------------------------------------------------------------------------------


def apparent_longitudes(keys: tuple[str, ...], instants: list[datetime]) -> dict[str, list[float]]:
    """Apparent ecliptic longitudes (degrees, 0–360) of each body at each aware instant."""
    table = sky_table.table()
    columns = tuple(table.column(key) for key in keys)
    rows = [table.interpolate(table.tt_jd(instant), columns) for instant in instants]
    return {key: [row[i] % 360.0 for row in rows] for i, key in enumerate(keys)}


def moon_latitude(instant: datetime) -> float:
    """The Moon's apparent ecliptic latitude (degrees) at an aware instant."""
    table = sky_table.table()
    return table.interpolate(table.tt_jd(instant), (table.column("moon_latitude"),))[0]


def _signed_delta(a: float, b: float) -> float:
    """b − a in degrees, taken the short way round the circle (−180, 180]."""
    return -((a - b + 180.0) % 360.0 - 180.0)


@dataclass(frozen=True, slots=True)
class BodyPosition:
    body: str
    longitude: float
    sign: str
    degree_in_sign: float
    speed_deg_per_day: float
    retrograde: bool


@dataclass(frozen=True, slots=True)
class MoonPhase:
    key: str
    name: str
    elongation_deg: float
    illumination: float


@dataclass(frozen=True, slots=True)
class Sky:
    instant: datetime
    bodies: tuple[BodyPosition, ...]
    moon_phase: MoonPhase

    def body(self, name: str) -> BodyPosition:
        for position in self.bodies:
            if position.body == name:
                return position
        raise InvalidInput("body", f"unknown body {name!r}; use one of {', '.join(BODY_KEYS)}")

    def in_sign(self, sign_key: str) -> list[BodyPosition]:
        return [p for p in self.bodies if p.sign == sign_key]


def _position(body: str, lon_before: float, lon: float, lon_after: float) -> BodyPosition:
    lon = lon % 360.0
    sign = sign_of_longitude(lon)
    step_days = SPEED_STEP / timedelta(days=1)
    speed = _signed_delta(lon_before, lon_after) / (2 * step_days)
    return BodyPosition(
        body=body,
        longitude=lon,
        sign=sign.key,
        degree_in_sign=lon - sign.start_longitude,
        speed_deg_per_day=speed,
        retrograde=speed < 0,
    )


def moon_phase(sun_lon: float, moon_lon: float, moon_lat: float = 0.0) -> MoonPhase:
    """The phase from apparent longitudes: eight bins of 45° centred on 0°, 45°, ... 315°.

    Illumination is (1 − cos ψ) / 2 with ψ the Sun–Moon angular distance (longitude
    difference and the Moon's ecliptic latitude), which is the lit fraction to within 0.2%.
    """
    elongation = (moon_lon - sun_lon) % 360.0
    key, name = MOON_PHASES[int(((elongation + 22.5) % 360.0) // 45.0)]
    cos_psi = math.cos(math.radians(moon_lat)) * math.cos(math.radians(elongation))
    return MoonPhase(key, name, elongation, (1.0 - cos_psi) / 2.0)


def _sky(utc: datetime) -> Sky:
    lons = apparent_longitudes(BODY_KEYS, [utc - SPEED_STEP, utc, utc + SPEED_STEP])
    bodies = tuple(_position(key, *lons[key]) for key in BODY_KEYS)
    phase = moon_phase(lons["sun"][1], lons["moon"][1], moon_latitude(utc))
    return Sky(instant=utc, bodies=bodies, moon_phase=phase)


def sky_at(instant: datetime) -> Sky:
    """Where the bodies stand at an aware instant (any time zone; the result is in UTC)."""
    return _sky(_as_utc(instant, "instant"))


def sky_on(day: date, tz: str = "UTC") -> Sky:
    """The sky at local noon of `day` in the IANA time zone `tz`."""
    zone_info = zone(tz)
    check_date(day, "date")
    return _sky(datetime.combine(day, time(12), tzinfo=zone_info).astimezone(UTC))
