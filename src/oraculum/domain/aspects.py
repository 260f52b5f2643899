"""Aspects between placements, the balance of elements and modalities, and the chart ruler.

An aspect is an angular distance between two ecliptic longitudes close to one of a few set
angles; how close counts is the orb. Orbs are a convention, not a measurement, so ours is
stated and can be overridden per call. We follow the common modern Western rule taught in
Kepler College's introductory course ("Orbs": 7–8° for the major aspects, 1–3° for the minor
ones, the Sun and the Moon given more, up to 10°, for the major aspects): the top of the
major range save for the sextile, the weakest of them; the quincunx, the strongest minor one,
at the top of the minor range:

- conjunction, opposition, trine, square: 8°; sextile: 6°;
- quincunx: 3°; semi-sextile, semi-square, sesquiquadrate, quintile: 2°;
- plus LUMINARY_BONUS (2°) on a major aspect when either side is the Sun or the Moon.

Transits and synastry are usually read with tighter orbs: pass `orbs` for them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oraculum.domain.errors import InvalidInput
from oraculum.domain.zodiac import Sign, get_sign, sign_of_longitude

LUMINARIES = frozenset({"sun", "moon"})
LUMINARY_BONUS = 2.0
ELEMENTS: tuple[str, ...] = ("fire", "earth", "air", "water")
MODALITIES: tuple[str, ...] = ("cardinal", "fixed", "mutable")


@dataclass(frozen=True, slots=True)
class AspectKind:
    key: str
    angle: float
    orb: float
    major: bool


ASPECT_KINDS: dict[str, AspectKind] = {
    kind.key: kind
    for kind in (
        AspectKind("conjunction", 0.0, 8.0, True),
        AspectKind("sextile", 60.0, 6.0, True),
        AspectKind("square", 90.0, 8.0, True),
        AspectKind("trine", 120.0, 8.0, True),
        AspectKind("opposition", 180.0, 8.0, True),
        AspectKind("semi-sextile", 30.0, 2.0, False),
        AspectKind("semi-square", 45.0, 2.0, False),
        AspectKind("quintile", 72.0, 2.0, False),
        AspectKind("sesquiquadrate", 135.0, 2.0, False),
        AspectKind("quincunx", 150.0, 3.0, False),
    )
}
MAJOR_ASPECTS: tuple[str, ...] = tuple(k for k, kind in ASPECT_KINDS.items() if kind.major)
MINOR_ASPECTS: tuple[str, ...] = tuple(k for k, kind in ASPECT_KINDS.items() if not kind.major)


@dataclass(frozen=True, slots=True)
class Aspect:
    """Placement `a` (of the first set) in aspect `kind` to `b` (of the second).

    `angle` is the measured distance (0–180°), `orb` how far it is from the exact angle.
    `applying` is True while the aspect is getting tighter, False while it separates (or is
    exact), None when the speeds of both sides were not given or are equal.
    """

    a: str
    b: str
    kind: str
    angle: float
    orb: float
    applying: bool | None


def separation(lon_a: float, lon_b: float) -> float:
    """The shorter angular distance between two longitudes, 0–180°."""
    return abs((lon_b - lon_a + 180.0) % 360.0 - 180.0)


def _signed(lon_a: float, lon_b: float) -> float:
    """lon_b − lon_a taken the short way round, in [−180°, 180°)."""
    return (lon_b - lon_a + 180.0) % 360.0 - 180.0


def _allowed(kind: AspectKind, a: str, b: str, orbs: Mapping[str, float], bonus: float) -> float:
    orb = orbs.get(kind.key, kind.orb)
    if kind.major and (a in LUMINARIES or b in LUMINARIES):
        orb += bonus
    return orb


def _applying(
    signed: float, exact: float, speed_a: float | None, speed_b: float | None
) -> bool | None:
    """Whether |distance − exact| is shrinking, from the two speeds (degrees a day).

    The distance is |signed|; it grows at sign(signed)·(v_b − v_a). At the exact angle the
    aspect can only separate next, so it is reported as separating.
    """
    if speed_a is None or speed_b is None or speed_a == speed_b:
        return None
    deviation = abs(signed) - exact
    if deviation == 0.0:
        return False
    distance_rate = math.copysign(1.0, signed) * (speed_b - speed_a)
    return math.copysign(1.0, deviation) * distance_rate < 0.0


def _check(longitudes: Mapping[str, float], field: str) -> None:
    for name, lon in longitudes.items():
        if not (isinstance(lon, int | float) and math.isfinite(lon)):
            raise InvalidInput(field, f"{name}: must be a finite number of degrees, not {lon!r}")


def _kinds(minor: bool) -> list[AspectKind]:
    return [kind for kind in ASPECT_KINDS.values() if minor or kind.major]


def _pairs(
    first: Mapping[str, float], second: Mapping[str, float] | None
) -> list[tuple[str, str, float, float]]:
    if second is None:  # within one chart: each unordered pair once, in the mapping's order
        names = list(first)
        return [(a, b, first[a], first[b]) for i, a in enumerate(names) for b in names[i + 1 :]]
    return [(a, b, la, lb) for a, la in first.items() for b, lb in second.items()]


def aspects(
    first: Mapping[str, float],
    second: Mapping[str, float] | None = None,
    *,
    minor: bool = False,
    orbs: Mapping[str, float] | None = None,
    speeds: Mapping[str, float] | None = None,
    second_speeds: Mapping[str, float] | None = None,
    luminary_bonus: float = LUMINARY_BONUS,
) -> list[Aspect]:
    """The aspects between two sets of placements (name → ecliptic longitude), tightest first.

    Without `second`, the aspects within `first` (a natal chart with itself); with it, every
    placement of `first` against every one of `second` (natal and transits, chart A and chart
    B). Major aspects only unless `minor`. `orbs` replaces the default orb of the kinds it
    names. `speeds` (of `first`) and `second_speeds` (of `second`, defaulting to `speeds`
    within one chart), in degrees a day, tell applying from separating; give a natal chart's
    points speed 0 against transits, since they do not move. A pair is reported once, in the
    kind it is nearest to.
    """
    _check(first, "first")
    if second is not None:
        _check(second, "second")
    orbs = orbs or {}
    first_speeds, other_speeds = speeds or {}, (second_speeds if second is not None else speeds)
    other_speeds = other_speeds or {}
    kinds = _kinds(minor)
    found: list[Aspect] = []
    for a, b, lon_a, lon_b in _pairs(first, second):
        signed = _signed(lon_a, lon_b)
        distance = abs(signed)
        best: tuple[float, AspectKind] | None = None
        for kind in kinds:
            orb = abs(distance - kind.angle)
            if orb <= _allowed(kind, a, b, orbs, luminary_bonus) and (
                best is None or orb < best[0]
            ):
                best = (orb, kind)
        if best is not None:
            applying = _applying(signed, best[1].angle, first_speeds.get(a), other_speeds.get(b))
            found.append(Aspect(a, b, best[1].key, distance, best[0], applying))
    found.sort(key=lambda x: (x.orb, x.a, x.b))
    return found


# --- balance and rulers --------------------------------------------------------------------------

Placement = float | Sign | str


def _sign(placement: Placement) -> Sign:
    if isinstance(placement, Sign):
        return placement
    if isinstance(placement, str):
        return get_sign(placement)
    return sign_of_longitude(placement)


def _values(placements: Mapping[str, Placement] | Iterable[Placement]) -> Iterable[Placement]:
    return placements.values() if isinstance(placements, Mapping) else placements


def element_balance(placements: Mapping[str, Placement] | Iterable[Placement]) -> dict[str, int]:
    """How many placements fall in fire, earth, air and water signs (all four keys, in order).

    A placement is a longitude, a Sign or a sign's name; a mapping's values are counted.
    """
    counts = dict.fromkeys(ELEMENTS, 0)
    for placement in _values(placements):
        counts[_sign(placement).element] += 1
    return counts


def modality_balance(placements: Mapping[str, Placement] | Iterable[Placement]) -> dict[str, int]:
    """How many placements fall in cardinal, fixed and mutable signs (all three keys)."""
    counts = dict.fromkeys(MODALITIES, 0)
    for placement in _values(placements):
        counts[_sign(placement).modality] += 1
    return counts


@dataclass(frozen=True, slots=True)
class ChartRuler:
    """The ruler of the rising sign: the classical one and the modern one (they differ for
    Scorpio, Aquarius and Pisces, which the outer planets were given once found)."""

    sign: str
    traditional: str
    modern: str


def chart_ruler(ascendant_sign: Placement) -> ChartRuler:
    """The chart ruler, from the rising sign (a Sign, its name, or the Ascendant's longitude)."""
    sign = _sign(ascendant_sign)
    return ChartRuler(sign=sign.key, traditional=sign.traditional_ruler, modern=sign.ruler)
