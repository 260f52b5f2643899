"""House cusps for a moment and a place: Placidus (the default), Koch, equal and whole-sign.

Every system starts from the same three numbers: the right ascension of the meridian (RAMC,
the local apparent sidereal time), the true obliquity ε, both from the sky table as
natal_chart.py computes them, and the geographic latitude φ. The Ascendant is natal_chart's
(Meeus, "Astronomical Algorithms", ch. 14); the MC is the ecliptic point on the meridian.

Sources, restated in our own words and code:

- Placidus divides time, not space: the cusp of house 11 is the ecliptic point that has
  covered one third of its own diurnal semi-arc since rising, house 12 two thirds; houses 2 and
  3 do the same with the nocturnal semi-arc below the horizon. Because the semi-arc depends on
  the point's declination, which depends on the point, the cusp is found by iterating from a
  first guess (R. W. Holden, "The Elements of House Division", 1977; the Swiss Ephemeris
  documentation, chapter "House systems").
- Koch (the "birthplace" system) trisects the diurnal semi-arc of the MC degree at the birth
  latitude: cusps 11 and 12 are the Ascendants of the sidereal times when the MC degree had
  covered one and two thirds of its way from rising to culminating, cusps 2 and 3 those of the
  times one and two thirds of the same arc after the birth (Holden, op. cit.; Swiss Ephemeris
  documentation).
- Equal houses are 30° steps from the Ascendant; whole-sign houses are the signs themselves,
  the first being the rising sign.

Opposite cusps are 180° apart in all four systems, so only 10, 11, 12, 1, 2 and 3 are computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from oraculum.domain.errors import InvalidInput
from oraculum.domain.natal_chart import (
    MAX_ASCENDANT_LATITUDE,
    ascendant,
    true_obliquity_and_last,
)
from oraculum.domain.sky import _as_utc, check_coordinate
from oraculum.domain.zodiac import SIGN_WIDTH_DEG

HOUSE_SYSTEMS: tuple[str, ...] = ("placidus", "koch", "equal", "whole-sign")
QUADRANT_SYSTEMS = frozenset({"placidus", "koch"})
FALLBACK_SYSTEM = "equal"
MAX_QUADRANT_LATITUDE = MAX_ASCENDANT_LATITUDE
FALLBACK_REASON = (
    f"beyond {MAX_QUADRANT_LATITUDE:.0f}° of latitude, near and inside the polar circle, some "
    "ecliptic degrees barely or never rise and set, so the semi-arcs that {system} divides are "
    "undefined for some cusps; equal houses from the Ascendant are given instead"
)
_TOLERANCE_DEG = 1e-9
_MAX_ITERATIONS = 100


@dataclass(frozen=True, slots=True)
class Houses:
    """The twelve cusps (ecliptic longitudes of date, degrees; `cusps[0]` is house 1) and the
    angles. `system` is the system used; it differs from `requested_system` only when a
    quadrant system could not be computed, and then `fallback_reason` says why."""

    cusps: tuple[float, ...]
    ascendant: float
    midheaven: float
    system: str
    requested_system: str
    fallback_reason: str | None
    ramc: float
    obliquity: float

    def cusp(self, house: int) -> float:
        """The longitude where `house` (1–12) begins."""
        return self.cusps[house - 1]

    def house_of(self, longitude: float) -> int:
        """The house (1–12) a longitude falls in."""
        return house_of(longitude, self.cusps)


# --- the angles ----------------------------------------------------------------------------------


def midheaven(ramc_deg: float, obliquity_deg: float) -> float:
    """The MC: the ecliptic longitude whose right ascension is the RAMC.

    tan λ = tan RAMC / cos ε, taken in RAMC's quadrant (atan2 keeps it there), so the MC
    is always the culminating point, never its opposite.
    """
    ramc, eps = math.radians(ramc_deg), math.radians(obliquity_deg)
    return math.degrees(math.atan2(math.sin(ramc), math.cos(ramc) * math.cos(eps))) % 360.0


def _eastern_ascendant(ramc_deg: float, obliquity_deg: float, latitude: float) -> float:
    """natal_chart's Ascendant, taken in the half of the zodiac that follows the MC.

    Outside the polar circles the formula already gives that point and this changes nothing.
    Inside them the horizon can cut the ecliptic so that the formula's point lies before the
    MC; the Swiss Ephemeris documentation then takes the opposite point, and so do we, so the
    houses still run 10, 11, 12, 1 in zodiac order.
    """
    asc = ascendant(ramc_deg, obliquity_deg, latitude)
    if (asc - midheaven(ramc_deg, obliquity_deg)) % 360.0 > 180.0:
        asc = (asc + 180.0) % 360.0
    return asc


# --- the semi-arcs -------------------------------------------------------------------------------


def _declination(longitude_deg: float, obliquity_deg: float) -> float:
    """Declination (radians) of an ecliptic point: sin δ = sin ε sin λ."""
    eps, lon = math.radians(obliquity_deg), math.radians(longitude_deg)
    return math.asin(math.sin(eps) * math.sin(lon))


def _diurnal_semi_arc(declination_rad: float, latitude: float) -> float:
    """Half the time (as an hour angle, degrees) a point of this declination spends above the
    horizon: 90° plus its ascensional difference, sin AD = tan φ tan δ."""
    x = math.tan(math.radians(latitude)) * math.tan(declination_rad)
    return 90.0 + math.degrees(math.asin(max(-1.0, min(1.0, x))))


def _longitude_of_ra(ra_deg: float, obliquity_deg: float) -> float:
    """The ecliptic point with right ascension `ra`: the MC formula, which is just that."""
    return midheaven(ra_deg, obliquity_deg)


# --- the systems ---------------------------------------------------------------------------------

# Placidus cusps as RA = RAMC + base + share·DSA(δ of the cusp) (the hour angle is RAMC − RA):
# 11 and 12 lie 1/3 and 2/3 of their diurnal semi-arc east of the meridian; 3 and 2 lie 1/3 and
# 2/3 of their nocturnal semi-arc (180° − DSA) east of the lower meridian, which is the same
# form with 180° − NSA/3 = 120° + DSA/3 and 180° − 2·NSA/3 = 60° + 2·DSA/3.
_PLACIDUS: dict[int, tuple[float, float]] = {
    11: (0.0, 1.0 / 3.0),
    12: (0.0, 2.0 / 3.0),
    2: (60.0, 2.0 / 3.0),
    3: (120.0, 1.0 / 3.0),
}


def _placidus_cusp(ramc: float, eps: float, lat: float, base: float, share: float) -> float:
    """One Placidus cusp by fixed-point iteration on its own semi-arc.

    The first guess takes every semi-arc as 90° (the cusp at the equator); each step reads the
    guess's declination, its semi-arc, the right ascension that semi-arc implies, and the
    ecliptic point there. Inside MAX_QUADRANT_LATITUDE the step is a contraction and this
    settles to 1e-9° in a few dozen steps at most.
    """
    lon = _longitude_of_ra(ramc + base + share * 90.0, eps)
    for _ in range(_MAX_ITERATIONS):
        semi_arc = _diurnal_semi_arc(_declination(lon, eps), lat)
        new = _longitude_of_ra(ramc + base + share * semi_arc, eps)
        step = (new - lon + 180.0) % 360.0 - 180.0
        lon = new
        if abs(step) < _TOLERANCE_DEG:
            break
    return lon


def _placidus(ramc: float, eps: float, lat: float) -> dict[int, float]:
    return {
        h: _placidus_cusp(ramc, eps, lat, base, share) for h, (base, share) in _PLACIDUS.items()
    }


def _koch(ramc: float, eps: float, lat: float, mc: float) -> dict[int, float]:
    """Ascendants at the RAMCs that trisect the MC degree's diurnal semi-arc.

    The MC degree rose at RAMC − DSA(MC), when it was itself the Ascendant; cusps 11 and 12 are
    the Ascendants two and one thirds of that arc before the birth. Below the horizon the IC
    degree's nocturnal semi-arc equals the MC degree's diurnal one, so cusps 2 and 3 are the
    Ascendants one and two thirds of the same arc after it.
    """
    arc = _diurnal_semi_arc(_declination(mc, eps), lat)
    shifts = {11: -2.0 / 3.0, 12: -1.0 / 3.0, 2: 1.0 / 3.0, 3: 2.0 / 3.0}
    return {h: ascendant(ramc + k * arc, eps, lat) for h, k in shifts.items()}


def _from_first(first: float) -> tuple[float, ...]:
    return tuple((first + SIGN_WIDTH_DEG * i) % 360.0 for i in range(12))


def _quadrant(found: dict[int, float], asc: float, mc: float) -> tuple[float, ...]:
    """Twelve cusps from 10, 11, 12, 1, 2, 3 and their opposites."""
    upper = {**found, 1: asc, 10: mc}
    full = dict(upper)
    for house, lon in upper.items():
        full[(house + 5) % 12 + 1] = (lon + 180.0) % 360.0
    return tuple(full[h] % 360.0 for h in range(1, 13))


def house_cusps(
    ramc_deg: float, obliquity_deg: float, latitude: float, system: str = "placidus"
) -> tuple[float, ...]:
    """The twelve cusps of `system` from the RAMC, the obliquity and the latitude (degrees).

    Placidus and Koch are only defined within MAX_QUADRANT_LATITUDE; `houses` falls back
    before calling this, so a direct caller beyond it gets a ValueError, not a wrong chart.
    """
    asc = _eastern_ascendant(ramc_deg, obliquity_deg, latitude)
    mc = midheaven(ramc_deg, obliquity_deg)
    if system == "equal":
        return _from_first(asc)
    if system == "whole-sign":
        return _from_first(asc - asc % SIGN_WIDTH_DEG)
    if system not in QUADRANT_SYSTEMS:
        raise ValueError(f"unknown house system {system!r}")
    if abs(latitude) > MAX_QUADRANT_LATITUDE:
        raise ValueError(f"{system} houses are undefined at latitude {latitude}")
    if system == "placidus":
        return _quadrant(_placidus(ramc_deg, obliquity_deg, latitude), asc, mc)
    return _quadrant(_koch(ramc_deg, obliquity_deg, latitude, mc), asc, mc)


# --- the public entry ----------------------------------------------------------------------------


def _check_system(system: str) -> str:
    if system not in HOUSE_SYSTEMS:
        raise InvalidInput(
            "system", f"unknown house system {system!r}; use one of {', '.join(HOUSE_SYSTEMS)}"
        )
    return system


def houses(
    instant: datetime, latitude: float, longitude: float, system: str = "placidus"
) -> Houses:
    """The houses of an aware instant at a place (latitude north +, longitude east +).

    Placidus and Koch divide semi-arcs, which stop existing where ecliptic degrees become
    circumpolar (beyond 90° − ε ≈ 66.6°) and are numerically fragile just before. Beyond
    MAX_QUADRANT_LATITUDE (66°, the limit natal_chart already uses for the rising sign) we give
    equal houses and say so in `fallback_reason`. Equal rather than whole-sign because it keeps
    what the asked-for chart promised: cusp 1 is the Ascendant degree itself, as in every
    quadrant system, so a planet just below the Ascendant stays in house 12 and a planet just
    above it in house 1; whole-sign would move cusp 1 back to 0° of the rising sign. The Swiss
    Ephemeris falls back to Porphyry there, which we do not offer.
    """
    _check_system(system)
    check_coordinate(latitude, 90.0, "latitude")
    check_coordinate(longitude, 180.0, "longitude")
    obliquity, ramc = true_obliquity_and_last(_as_utc(instant, "instant"), longitude)
    used, reason = system, None
    if system in QUADRANT_SYSTEMS and abs(latitude) > MAX_QUADRANT_LATITUDE:
        used, reason = FALLBACK_SYSTEM, FALLBACK_REASON.format(system=system.capitalize())
    return Houses(
        cusps=house_cusps(ramc, obliquity, latitude, used),
        ascendant=_eastern_ascendant(ramc, obliquity, latitude),
        midheaven=midheaven(ramc, obliquity),
        system=used,
        requested_system=system,
        fallback_reason=reason,
        ramc=ramc,
        obliquity=obliquity,
    )


def house_of(longitude: float, cusps: tuple[float, ...] | list[float]) -> int:
    """The house (1–12) of an ecliptic longitude, given twelve cusps in zodiac order.

    A house runs from its cusp up to the next one, across 360° → 0° where it must. The house is
    the one whose cusp was passed most recently going backwards from the longitude: the smallest
    (longitude − cusp) mod 360. That needs no special case for the wrap, and a longitude exactly
    on a cusp belongs to the house that cusp begins.
    """
    if len(cusps) != 12:
        raise InvalidInput("cusps", f"twelve cusps are needed, not {len(cusps)}")
    if not math.isfinite(longitude):
        raise InvalidInput("longitude", f"must be a finite number of degrees, not {longitude}")
    behind = [(longitude - cusp) % 360.0 for cusp in cusps]
    best = 0
    for i, distance in enumerate(behind):
        if distance <= behind[best]:  # an empty house (equal cusps) gives way to the next
            best = i
    return best + 1
