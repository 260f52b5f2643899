"""The natal "big three": the Sun's and Moon's signs at a birth, and the rising sign.

Built on domain/sky.py's positions (the DE421 table); the ascendant comes from the true
obliquity and the local apparent sidereal time (Meeus, ch. 14).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from oraculum.domain import sky_table
from oraculum.domain.sky import apparent_longitudes, check_coordinate, check_date, local_day, zone
from oraculum.domain.zodiac import Sign, sign_of_longitude

MAX_ASCENDANT_LATITUDE = 66.0
NO_TIME_REASON = "the rising sign changes about every two hours; a birth time is needed"
NO_PLACE_REASON = "the rising sign depends on the birth place; latitude and longitude are needed"
POLAR_REASON = (
    f"beyond {MAX_ASCENDANT_LATITUDE:.0f}° of latitude the ecliptic can lie along the horizon, "
    "so the rising sign is not well defined there"
)


def _sign_at_and_change(
    keys: tuple[str, ...], day: date, at: time | None, tz: ZoneInfo
) -> dict[str, tuple[float, bool]]:
    """For each body: its longitude at `at` (local noon without one), and whether it changed
    sign during that local day."""
    start, end = local_day(day, tz)
    moment = datetime.combine(day, time(12) if at is None else at, tzinfo=tz).astimezone(UTC)
    lons = apparent_longitudes(keys, [start, moment, end])
    out: dict[str, tuple[float, bool]] = {}
    for key in keys:
        lon_start, lon, lon_end = lons[key]
        changed = sign_of_longitude(lon_start) != sign_of_longitude(lon_end)
        out[key] = (lon % 360.0, changed)
    return out


def sun_sign_on(day: date, time: time | None = None, tz: str = "UTC") -> tuple[Sign, bool]:
    """The Sun's sign on a (birth) day, and whether that local day is a cusp day.

    Without a time the sign is the one at local noon. On a cusp day the Sun changed sign during
    the day, so only a time of day settles the sign: the caller should ask for one.
    """
    zone_info = zone(tz)
    check_date(day, "date")
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
    table = sky_table.table()
    tt = table.tt_jd(utc)
    columns = (table.column("true_obliquity"), table.column("equation_of_equinoxes"))
    obliquity, equation_of_equinoxes = table.interpolate(tt, columns)
    gast = sky_table.gmst_degrees(table.ut1_jd(tt), tt) + equation_of_equinoxes
    return obliquity, (gast + longitude) % 360.0


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
        check_coordinate(latitude, 90.0, "latitude")
    if longitude is not None:
        check_coordinate(longitude, 180.0, "longitude")
    check_date(birth_date, "birth_date")
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
