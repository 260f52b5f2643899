"""The sky from the JPL DE421 ephemeris: where the Sun, Moon and planets stand, and the big three.

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
from oraculum.domain.zodiac import Sign, sign_of_longitude

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
MAX_ASCENDANT_LATITUDE = 66.0
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
NO_TIME_REASON = "the rising sign changes about every two hours; a birth time is needed"
NO_PLACE_REASON = "the rising sign depends on the birth place; latitude and longitude are needed"
POLAR_REASON = (
    f"beyond {MAX_ASCENDANT_LATITUDE:.0f}° of latitude the ecliptic can lie along the horizon, "
    "so the rising sign is not well defined there"
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


def _ephemeris() -> _Ephemeris:
    """The kernel and timescale, loaded once per process."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(_load())
    return _loaded[0]


def ephemeris_range() -> tuple[date, date]:
    """The first and last dates (inclusive) the sky can be computed for."""
    eph = _ephemeris()
    return eph.start, eph.end


def __getattr__(name: str) -> date:
    # EPHEMERIS_START / EPHEMERIS_END come from the kernel itself, read on first access.
    if name == "EPHEMERIS_START":
        return ephemeris_range()[0]
    if name == "EPHEMERIS_END":
        return ephemeris_range()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- input checks -------------------------------------------------------------------------------


def _check_date(day: date, field: str) -> None:
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


def _check_coordinate(value: float, limit: float, field: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and -limit <= value <= limit):
        raise InvalidInput(field, f"must lie between -{limit:g} and {limit:g} degrees, not {value}")


def _local_day(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
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


def _skyfield_time(eph: _Ephemeris, instants: list[datetime]) -> Any:
    """A skyfield Time array: UTC since 1972, UT1 (the clocks of the day) before."""
    if instants[0] >= _LEAP_SECOND_ERA:
        return eph.timescale.from_datetimes(instants)
    return eph.timescale.ut1_jd([_UNIX_EPOCH_JD + i.timestamp() / 86400.0 for i in instants])


def _latlon(keys: tuple[str, ...], instants: list[datetime]) -> dict[str, LatLon]:
    """Apparent ecliptic latitudes and longitudes (degrees) of each body at each instant.

    One skyfield call per body, over all the instants at once (a Time array).
    """
    eph = _ephemeris()
    observer = eph.earth.at(_skyfield_time(eph, instants))
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
    latlon = _latlon(BODY_KEYS, [utc - SPEED_STEP, utc, utc + SPEED_STEP])
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
    _check_date(day, "date")
    return _sky(datetime.combine(day, time(12), tzinfo=zone_info).astimezone(UTC))


# --- signs of a day, and the natal big three ----------------------------------------------------


def _sign_at_and_change(
    keys: tuple[str, ...], day: date, at: time | None, tz: ZoneInfo
) -> dict[str, tuple[float, bool]]:
    """For each body: its longitude at `at` (local noon without one), and whether it changed
    sign during that local day."""
    start, end = _local_day(day, tz)
    moment = datetime.combine(day, time(12) if at is None else at, tzinfo=tz).astimezone(UTC)
    latlon = _latlon(keys, [start, moment, end])
    out: dict[str, tuple[float, bool]] = {}
    for key in keys:
        lon_start, lon, lon_end = latlon[key][1]
        changed = sign_of_longitude(lon_start) != sign_of_longitude(lon_end)
        out[key] = (lon % 360.0, changed)
    return out


def sun_sign_on(day: date, time: time | None = None, tz: str = "UTC") -> tuple[Sign, bool]:
    """The Sun's sign on a (birth) day, and whether that local day is a cusp day.

    Without a time the sign is the one at local noon. On a cusp day the Sun changed sign during
    the day, so only a time of day settles the sign: the caller should ask for one.
    """
    zone_info = zone(tz)
    _check_date(day, "date")
    lon, cusp = _sign_at_and_change(("sun",), day, time, zone_info)["sun"]
    return sign_of_longitude(lon), cusp


@dataclass(frozen=True, slots=True)
class BigThree:
    sun: Sign
    moon: Sign
    rising: Sign | None
    rising_missing_reason: str | None
    moon_uncertain: bool
    sun_uncertain: bool
    sun_longitude: float
    moon_longitude: float
    ascendant_longitude: float | None
    instant: datetime


def true_obliquity_and_last(utc: datetime, longitude: float) -> tuple[float, float]:
    """True obliquity of the ecliptic and local apparent sidereal time, both in degrees."""
    from skyfield.nutationlib import iau2000a_radians, mean_obliquity

    t = _skyfield_time(_ephemeris(), [utc])[0]
    _, d_eps = iau2000a_radians(t)
    obliquity = float(mean_obliquity(t.tdb)) / 3600.0 + math.degrees(d_eps)
    return obliquity, (float(t.gast) * 15.0 + longitude) % 360.0


def ascendant(last_deg: float, obliquity_deg: float, latitude: float) -> float:
    """Ecliptic longitude rising on the eastern horizon (the standard formula, Meeus ch. 14).

    λ = atan2(cos θ, −(sin θ cos ε + tan φ sin ε)) with θ the local sidereal time, ε the
    obliquity and φ the latitude. Valid away from the polar circles.
    """
    theta, eps, phi = (math.radians(x) for x in (last_deg, obliquity_deg, latitude))
    y = math.cos(theta)
    x = -(math.sin(theta) * math.cos(eps) + math.tan(phi) * math.sin(eps))
    return math.degrees(math.atan2(y, x)) % 360.0


def _rising(
    utc: datetime, latitude: float | None, longitude: float | None, known_time: bool
) -> tuple[float | None, str | None]:
    if not known_time:
        return None, NO_TIME_REASON
    if latitude is None or longitude is None:
        return None, NO_PLACE_REASON
    if abs(latitude) > MAX_ASCENDANT_LATITUDE:
        return None, POLAR_REASON
    obliquity, last = true_obliquity_and_last(utc, longitude)
    return ascendant(last, obliquity, latitude), None


def natal_big_three(
    birth_date: date,
    birth_time: time | None,
    tz: str,
    latitude: float | None,
    longitude: float | None,
) -> BigThree:
    """Sun, Moon and rising sign of a birth.

    Without a birth time, the Sun and Moon are taken at local noon, `rising` is None and
    `rising_missing_reason` says why; `moon_uncertain` / `sun_uncertain` say whether that body
    changed sign during the birth day. Without latitude and longitude, likewise no rising sign.
    A local time in a daylight-saving gap or overlap is read with the earlier offset (fold=0).
    """
    zone_info = zone(tz)
    if latitude is not None:
        _check_coordinate(latitude, 90.0, "latitude")
    if longitude is not None:
        _check_coordinate(longitude, 180.0, "longitude")
    _check_date(birth_date, "birth_date")
    known = birth_time is not None
    found = _sign_at_and_change(("sun", "moon"), birth_date, birth_time, zone_info)
    (sun_lon, sun_changed), (moon_lon, moon_changed) = found["sun"], found["moon"]
    local = datetime.combine(birth_date, time(12) if birth_time is None else birth_time)
    utc = local.replace(tzinfo=zone_info).astimezone(UTC)
    asc, reason = _rising(utc, latitude, longitude, known)
    return BigThree(
        sun=sign_of_longitude(sun_lon),
        moon=sign_of_longitude(moon_lon),
        rising=None if asc is None else sign_of_longitude(asc),
        rising_missing_reason=reason,
        moon_uncertain=moon_changed and not known,
        sun_uncertain=sun_changed and not known,
        sun_longitude=sun_lon,
        moon_longitude=moon_lon,
        ascendant_longitude=asc,
        instant=utc,
    )
