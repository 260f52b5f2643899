"""The sky from the JPL DE421 ephemeris: where the Sun, Moon and planets stand (natal_chart.py
builds the big three on it).

Positions are apparent geocentric ecliptic longitudes of date (tropical zodiac: true equinox and
ecliptic of date), with light-time, aberration and the Sun's light deflection — the conventions of
published astrological ephemerides (Swiss Ephemeris). The outer planets and Pluto are their
system barycentres, as DE421 gives them (the difference is far below an arc-second).

The only I/O is reading `de421.bsp` from the `skyfield-data` wheel, once per process, on first
use; nothing is downloaded. skyfield itself is imported on first use too, so importing this
module stays cheap for code that never asks for the sky.

Speeds come from one vectorized call per body over three instants (t − 1 h, t, t + 1 h): a
body is retrograde when its longitude decreases.
"""

from __future__ import annotations

import atexit
import math
import threading
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oraculum.domain.errors import InvalidInput
from oraculum.domain.zodiac import sign_of_longitude

BODY_KEYS: tuple[str, ...] = (
    "sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto",
)  # fmt: skip
_DE421_TARGETS = {
    "sun": "sun",
    "moon": "moon",
    "mercury": "mercury",
    "venus": "venus",
    "mars": "mars",
    "jupiter": "jupiter barycenter",
    "saturn": "saturn barycenter",
    "uranus": "uranus barycenter",
    "neptune": "neptune barycenter",
    "pluto": "pluto barycenter",
}
_SUN_ONLY = (10,)  # light deflection by the Sun alone, as Swiss Ephemeris does (NAIF code 10)
SPEED_STEP = timedelta(hours=1)
# Dates this close to the kernel's ends are refused: light time (Pluto: ~5 h), the speed step
# and any time zone offset (±14 h) must all stay inside the kernel.
_EDGE_MARGIN = timedelta(days=1)
_EXPIRED_WARNING = r"The file finals2000A\.all has expired"

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


@dataclass(frozen=True, slots=True)
class _Ephemeris:
    timescale: Any
    earth: Any
    bodies: dict[str, Any]
    frame: Any
    start: date
    end: date


_lock = threading.Lock()
_loaded: list[_Ephemeris] = []


def _load() -> _Ephemeris:
    warnings.filterwarnings("ignore", message=_EXPIRED_WARNING, category=RuntimeWarning)
    import skyfield_data
    from skyfield.api import Loader
    from skyfield.framelib import ecliptic_frame

    load = Loader(skyfield_data.get_skyfield_data_path(), expire=False, verbose=False)
    timescale = load.timescale(builtin=True)
    kernel = load("de421.bsp")
    atexit.register(kernel.close)  # kept open for the life of the process, closed cleanly
    first = min(seg.spk_segment.start_jd for seg in kernel.segments)
    last = max(seg.spk_segment.end_jd for seg in kernel.segments)
    start = timescale.tdb_jd(first).utc_datetime() + _EDGE_MARGIN
    end = timescale.tdb_jd(last).utc_datetime() - _EDGE_MARGIN
    return _Ephemeris(
        timescale=timescale,
        earth=kernel["earth"],
        bodies={key: kernel[target] for key, target in _DE421_TARGETS.items()},
        frame=ecliptic_frame,
        start=(start + timedelta(days=1)).date(),  # the first whole day inside
        end=(end - timedelta(days=1)).date(),  # the last whole day inside
    )


def ephemeris() -> _Ephemeris:
    """The kernel and timescale, loaded once per process."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(_load())
    return _loaded[0]


def ephemeris_range() -> tuple[date, date]:
    """The first and last dates (inclusive) the sky can be computed for."""
    eph = ephemeris()
    return eph.start, eph.end


def __getattr__(name: str) -> date:
    # EPHEMERIS_START / EPHEMERIS_END come from the kernel itself, read on first access.
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


LatLon = tuple[list[float], list[float]]
# Before 1972 civil time followed the Earth's rotation (UT); skyfield would read such clock
# times as atomic UTC and land 9 s (1961) to 40 s (1900) off: 2–10 arc-minutes of ascendant.
_LEAP_SECOND_ERA = datetime(1972, 1, 1, tzinfo=UTC)
_UNIX_EPOCH_JD = 2440587.5


def skyfield_time(eph: _Ephemeris, instants: list[datetime]) -> Any:
    """A skyfield Time array: UTC since 1972, UT1 (the clocks of the day) before."""
    if instants[0] >= _LEAP_SECOND_ERA:
        return eph.timescale.from_datetimes(instants)
    return eph.timescale.ut1_jd([_UNIX_EPOCH_JD + i.timestamp() / 86400.0 for i in instants])


def apparent_latlon(keys: tuple[str, ...], instants: list[datetime]) -> dict[str, LatLon]:
    """Apparent ecliptic latitudes and longitudes (degrees) of each body at each instant.

    One skyfield call per body, over all the instants at once (a Time array).
    """
    eph = ephemeris()
    observer = eph.earth.at(skyfield_time(eph, instants))
    out: dict[str, LatLon] = {}
    for key in keys:
        apparent = observer.observe(eph.bodies[key]).apparent(deflectors=_SUN_ONLY)
        lat, lon, _ = apparent.frame_latlon(eph.frame)
        out[key] = (lat.degrees.tolist(), lon.degrees.tolist())
    return out


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
    latlon = apparent_latlon(BODY_KEYS, [utc - SPEED_STEP, utc, utc + SPEED_STEP])
    bodies = tuple(_position(key, *latlon[key][1]) for key in BODY_KEYS)
    (_, sun_lon), (moon_lat, moon_lon) = latlon["sun"], latlon["moon"]
    phase = moon_phase(sun_lon[1], moon_lon[1], moon_lat[1])
    return Sky(instant=utc, bodies=bodies, moon_phase=phase)


def sky_at(instant: datetime) -> Sky:
    """Where the bodies stand at an aware instant (any time zone; the result is in UTC)."""
    return _sky(_as_utc(instant, "instant"))


def sky_on(day: date, tz: str = "UTC") -> Sky:
    """The sky at local noon of `day` in the IANA time zone `tz`."""
    zone_info = zone(tz)
    check_date(day, "date")
    return _sky(datetime.combine(day, time(12), tzinfo=zone_info).astimezone(UTC))
