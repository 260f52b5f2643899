"""The Moon's nodes: where its orbit crosses the ecliptic, going north (the North Node) and
south (the South Node, always exactly opposite).

Two conventions are in use, and both are here:

- the mean node, the slow uniform regression (one turn in about 18.6 years) of Meeus,
  "Astronomical Algorithms" (2nd ed., ch. 47, the polynomial for Ω), referred like every other
  position of the product to the true equinox of date: the nutation in longitude Δψ is added,
  read from the sky table's equation of the equinoxes (Δψ cos ε);
- the true (osculating) node, the node of the plane through the Earth that holds the Moon's
  position and its velocity at the instant. It wobbles about the mean node by up to about
  1.7° in a fortnight. It is computed from the sky table's apparent longitude and latitude of
  the Moon and their rates (the distance and its rate drop out of the plane's orientation), as
  the Swiss Ephemeris documentation describes its own "true node".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from oraculum.domain import sky_table
from oraculum.domain.errors import InvalidInput
from oraculum.domain.sky import _as_utc

NODE_KINDS: tuple[str, ...] = ("mean", "true")
_J2000 = 2451545.0
_DAYS_PER_CENTURY = 36525.0
# Half the span of the central difference that gives the Moon's rates: long enough that the
# table's float32 rounding does not show, short enough that the Moon's changing speed does not.
_RATE_STEP_DAYS = 0.05


@dataclass(frozen=True, slots=True)
class LunarNodes:
    """The North (ascending) and South (descending) nodes, ecliptic longitudes of date."""

    north: float
    south: float
    kind: str


def mean_node_longitude(tt_jd: float) -> float:
    """Meeus's mean ascending node Ω (mean equinox of date) at a TT Julian date, degrees.

    Ω = 125.0445479° − 1934.1362891° T + 0.0020754° T² + T³ / 467441 − T⁴ / 60616000, with T in
    Julian centuries of TT from J2000.0 (Astronomical Algorithms, eq. 47.7).
    """
    t = (tt_jd - _J2000) / _DAYS_PER_CENTURY
    omega = 125.0445479 + t * (-1934.1362891 + t * (0.0020754 + t * (1 / 467441 - t / 60616000)))
    return omega % 360.0


def osculating_node(lon_deg: float, lat_deg: float, lon_rate: float, lat_rate: float) -> float:
    """Ascending node of the plane holding a geocentric position and its motion, degrees.

    The orbit's pole is h = u × w, with u the unit position (λ, β) and w its direction of motion
    (λ' cos β eastward, β' northward); the ascending node lies along ẑ × h = (−h_y, h_x, 0).
    """
    lam, beta = math.radians(lon_deg), math.radians(lat_deg)
    cl, sl, cb, sb = math.cos(lam), math.sin(lam), math.cos(beta), math.sin(beta)
    u = (cb * cl, cb * sl, sb)
    east, north = lon_rate * cb, lat_rate
    w = (-east * sl - north * sb * cl, east * cl - north * sb * sl, north * cb)
    h_x = u[1] * w[2] - u[2] * w[1]
    h_y = u[2] * w[0] - u[0] * w[2]
    return math.degrees(math.atan2(h_x, -h_y)) % 360.0


def _tt(instant: datetime) -> float:
    """TT Julian date of an aware instant inside the ephemeris (sky.py's checks)."""
    return sky_table.table().tt_jd(_as_utc(instant, "instant"))


def _mean(tt_jd: float) -> float:
    table = sky_table.table()
    columns = (table.column("true_obliquity"), table.column("equation_of_equinoxes"))
    obliquity, equation_of_equinoxes = table.interpolate(tt_jd, columns)
    nutation = equation_of_equinoxes / math.cos(math.radians(obliquity))
    return (mean_node_longitude(tt_jd) + nutation) % 360.0


def _true(tt_jd: float) -> float:
    table = sky_table.table()
    columns = (table.column("moon"), table.column("moon_latitude"))
    before, now, after = (
        table.interpolate(tt_jd + k * _RATE_STEP_DAYS, columns) for k in (-1, 0, 1)
    )
    span = 2.0 * _RATE_STEP_DAYS
    lon_rate = ((after[0] - before[0] + 180.0) % 360.0 - 180.0) / span
    lat_rate = (after[1] - before[1]) / span
    return osculating_node(now[0], now[1], lon_rate, lat_rate)


def lunar_nodes(instant: datetime, kind: str = "mean") -> LunarNodes:
    """The Moon's nodes at an aware instant: `kind` "mean" (the default, the usual choice of
    published ephemerides and most charts) or "true"."""
    if kind not in NODE_KINDS:
        raise InvalidInput(
            "kind", f"unknown node kind {kind!r}; use one of {', '.join(NODE_KINDS)}"
        )
    tt_jd = _tt(instant)
    north = _mean(tt_jd) if kind == "mean" else _true(tt_jd)
    return LunarNodes(north=north, south=(north + 180.0) % 360.0, kind=kind)


def mean_node(instant: datetime) -> float:
    """The mean North Node's longitude (true equinox of date) at an aware instant."""
    return lunar_nodes(instant, "mean").north


def true_node(instant: datetime) -> float:
    """The true (osculating) North Node's longitude (true equinox of date) at an instant."""
    return lunar_nodes(instant, "true").north
