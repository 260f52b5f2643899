"""Aspects, element and modality balance, and the chart ruler (domain/aspects.py).

Hand-made longitudes pin the orbs and the wrap at 0°/360°; a natal chart's aspects are checked
against those the Swiss Ephemeris's longitudes imply (pyswisseph, a test-only oracle: AGPL,
never imported by src/; Moshier ephemeris, no files needed).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oraculum.domain.aspects import (
    ASPECT_KINDS,
    ELEMENTS,
    LUMINARY_BONUS,
    MAJOR_ASPECTS,
    MINOR_ASPECTS,
    MODALITIES,
    Aspect,
    aspects,
    chart_ruler,
    element_balance,
    modality_balance,
    separation,
)
from oraculum.domain.errors import InvalidInput
from oraculum.domain.houses import houses
from oraculum.domain.sky import BODY_KEYS, sky_at
from oraculum.domain.zodiac import SIGN_KEYS, SIGNS, get_sign

UNIX_EPOCH_JD = 2440587.5


def only(found: list[Aspect]) -> Aspect:
    assert len(found) == 1, found
    return found[0]


# --- orbs ---------------------------------------------------------------------------------------


def test_the_stated_default_orbs():
    assert {k: (v.angle, v.orb) for k, v in ASPECT_KINDS.items()} == {
        "conjunction": (0.0, 8.0),
        "sextile": (60.0, 6.0),
        "square": (90.0, 8.0),
        "trine": (120.0, 8.0),
        "opposition": (180.0, 8.0),
        "semi-sextile": (30.0, 2.0),
        "semi-square": (45.0, 2.0),
        "quintile": (72.0, 2.0),
        "sesquiquadrate": (135.0, 2.0),
        "quincunx": (150.0, 3.0),
    }
    assert MAJOR_ASPECTS == ("conjunction", "sextile", "square", "trine", "opposition")
    assert LUMINARY_BONUS == 2.0


def test_a_square_at_7_5_is_in_and_at_8_5_is_out():
    found = only(aspects({"mars": 10.0, "saturn": 107.5}))
    assert (found.a, found.b, found.kind) == ("mars", "saturn", "square")
    assert found.angle == pytest.approx(97.5)
    assert found.orb == pytest.approx(7.5)
    assert found.applying is None
    assert aspects({"mars": 10.0, "saturn": 108.5}) == []
    assert aspects({"mars": 10.0, "saturn": 91.5}) == []  # 8.5° short of the square


def test_the_luminaries_get_two_degrees_more_on_major_aspects_only():
    assert only(aspects({"sun": 10.0, "saturn": 109.5})).kind == "square"
    assert aspects({"sun": 10.0, "saturn": 110.5}) == []
    assert only(aspects({"moon": 0.0, "venus": 67.9})).kind == "sextile"
    assert aspects({"moon": 0.0, "venus": 68.1}) == []
    assert aspects({"sun": 10.0, "saturn": 109.5}, luminary_bonus=0.0) == []
    # a minor aspect keeps its own orb, luminary or not
    assert only(aspects({"sun": 0.0, "venus": 46.9}, minor=True)).kind == "semi-square"
    assert aspects({"sun": 0.0, "venus": 47.1}, minor=True) == []


def test_the_wrap_at_zero_degrees():
    found = only(aspects({"venus": 358.0, "mars": 3.0}))
    assert (found.kind, found.angle, found.orb) == (
        "conjunction",
        pytest.approx(5.0),
        pytest.approx(5.0),
    )
    found = only(aspects({"venus": 359.5, "mars": 178.0}))
    assert found.kind == "opposition" and found.orb == pytest.approx(1.5)
    found = only(aspects({"venus": 355.0, "mars": 85.0}))
    assert found.kind == "square" and found.orb == pytest.approx(0.0, abs=1e-12)
    found = only(aspects({"venus": 5.0, "mars": 245.0}))  # 120° the short way round
    assert found.kind == "trine" and found.angle == pytest.approx(120.0)
    assert only(aspects({"venus": -2.0, "mars": 722.0})).kind == "conjunction"


def test_minor_aspects_only_on_request():
    chart = {"mercury": 0.0, "venus": 45.5, "mars": 151.0, "jupiter": 72.5, "saturn": 136.0}
    assert {a.kind for a in aspects(chart)} == {"square", "sextile"}  # venus–saturn, jupiter–saturn
    kinds = {(a.a, a.b): a.kind for a in aspects(chart, minor=True)}
    assert kinds[("mercury", "venus")] == "semi-square"
    assert kinds[("mercury", "mars")] == "quincunx"
    assert kinds[("mercury", "jupiter")] == "quintile"
    assert kinds[("mercury", "saturn")] == "sesquiquadrate"
    assert only(aspects({"mercury": 10.0, "venus": 41.5}, minor=True)).kind == "semi-sextile"
    assert set(MINOR_ASPECTS) == {
        "semi-sextile", "semi-square", "quintile", "sesquiquadrate", "quincunx",
    }  # fmt: skip


def test_sorted_by_tightness_and_each_pair_once():
    chart = {"mercury": 0.0, "venus": 93.0, "mars": 121.0, "jupiter": 178.0}
    found = aspects(chart)
    # venus–mars (28°) is nothing among the major aspects; equal orbs go by name
    assert [(a.a, a.b, a.kind, a.orb) for a in found] == [
        ("mercury", "mars", "trine", pytest.approx(1.0)),
        ("mercury", "jupiter", "opposition", pytest.approx(2.0)),
        ("mars", "jupiter", "sextile", pytest.approx(3.0)),
        ("mercury", "venus", "square", pytest.approx(3.0)),
        ("venus", "jupiter", "square", pytest.approx(5.0)),
    ]


def test_a_pair_takes_the_nearest_kind_when_orbs_overlap():
    # 68° from the Sun is a sextile 8° wide (its orb with the luminary's 2°); with the
    # quintile's orb widened to 7° it is also a quintile 4° wide, and the tighter one wins.
    assert only(aspects({"sun": 0.0, "venus": 68.0})).kind == "sextile"
    found = only(aspects({"sun": 0.0, "venus": 68.0}, minor=True, orbs={"quintile": 7.0}))
    assert found.kind == "quintile" and found.orb == pytest.approx(4.0)


def test_orbs_can_be_overridden_per_kind():
    assert aspects({"mars": 0.0, "saturn": 93.0}, orbs={"square": 2.0}) == []
    assert only(aspects({"mars": 0.0, "saturn": 91.5}, orbs={"square": 2.0})).kind == "square"


# --- applying and separating --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon_a", "lon_b", "speed_a", "speed_b", "applying"),
    [
        (0.0, 85.0, 0.0, 1.0, True),  # 85 → 90: closing on the square
        (0.0, 95.0, 0.0, 1.0, False),  # 95 → 96: leaving it
        (0.0, 95.0, 0.0, -1.0, True),  # retrograde back towards 90
        (0.0, 175.0, 0.0, 1.0, True),  # opposition approached from below
        (0.0, 185.0, 0.0, 1.0, False),  # 185 is 175 the other way, and widening
        (0.0, 185.0, 0.0, -1.0, True),
        (358.0, 3.0, 1.0, 0.5, True),  # the faster one catching up across 0°
        (3.0, 358.0, 1.0, 0.5, False),
        (10.0, 10.0, 1.0, 0.5, False),  # exact: it can only separate next
        (0.0, 85.0, 13.0, 1.0, False),  # the Moon running ahead widens 85 → beyond
        (0.0, 85.0, 1.0, 1.0, None),  # no relative motion
    ],
)
def test_applying_and_separating(lon_a, lon_b, speed_a, speed_b, applying):
    found = only(aspects({"a": lon_a, "b": lon_b}, speeds={"a": speed_a, "b": speed_b}))
    assert found.applying is applying


def test_applying_needs_both_speeds():
    found = only(aspects({"a": 0.0, "b": 85.0}, speeds={"b": 1.0}))
    assert found.applying is None


def test_natal_to_transit_pairs_every_point_with_every_point():
    natal = {"sun": 100.0, "moon": 250.0}
    transits = {"sun": 103.0, "saturn": 161.0}
    fixed = {"sun": 0.0, "moon": 0.0}  # natal points do not move
    found = aspects(natal, transits, speeds=fixed, second_speeds={"sun": 1.0, "saturn": -0.05})
    assert [(a.a, a.b, a.kind, a.orb, a.applying) for a in found] == [
        ("moon", "saturn", "square", 1.0, True),  # 89°, retrograde Saturn widening it to 90°
        ("sun", "saturn", "sextile", 1.0, True),  # 61°, closing to 60°
        ("sun", "sun", "conjunction", 3.0, False),  # the transit Sun 3° past the natal Sun
    ]
    # moon–sun (147°) is a quincunx, a minor aspect
    assert ("moon", "sun", "quincunx") in {
        (a.a, a.b, a.kind) for a in aspects(natal, transits, minor=True)
    }


# --- a natal chart against the Swiss Ephemeris --------------------------------------------------


@pytest.fixture(scope="module")
def swe() -> Any:
    return pytest.importorskip("swisseph")


def brute_force(longitudes: dict[str, float]) -> dict[tuple[str, str], tuple[str, float]]:
    """The definition, spelled out: every pair, every major kind, the nearest one in orb."""
    out = {}
    names = list(longitudes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            d = abs(longitudes[a] - longitudes[b]) % 360.0
            d = min(d, 360.0 - d)
            best = None
            for key in MAJOR_ASPECTS:
                kind = ASPECT_KINDS[key]
                allowed = kind.orb + (2.0 if {a, b} & {"sun", "moon"} else 0.0)
                off = abs(d - kind.angle)
                if off <= allowed and (best is None or off < best[1]):
                    best = (key, off)
            if best is not None:
                out[(a, b)] = best
    return out


def swiss_chart(swe: Any, t: datetime, lat: float, lon: float) -> tuple[dict, dict]:
    jd = UNIX_EPOCH_JD + t.timestamp() / 86400.0
    ipl = {
        "sun": swe.SUN, "moon": swe.MOON, "mercury": swe.MERCURY, "venus": swe.VENUS,
        "mars": swe.MARS, "jupiter": swe.JUPITER, "saturn": swe.SATURN, "uranus": swe.URANUS,
        "neptune": swe.NEPTUNE, "pluto": swe.PLUTO,
    }  # fmt: skip
    lons, speeds = {}, {}
    for name, body in ipl.items():
        x, _ = swe.calc_ut(jd, body, swe.FLG_MOSEPH | swe.FLG_SPEED)
        lons[name], speeds[name] = x[0], x[3]
    _, angles = swe.houses_ex(jd, lat, lon, b"P")
    lons["ascendant"], lons["midheaven"] = angles[0], angles[1]
    return lons, speeds


def our_chart(t: datetime, lat: float, lon: float) -> tuple[dict, dict]:
    sky = sky_at(t)
    lons = {key: sky.body(key).longitude for key in BODY_KEYS}
    speeds = {key: sky.body(key).speed_deg_per_day for key in BODY_KEYS}
    chart = houses(t, lat, lon)
    lons["ascendant"], lons["midheaven"] = chart.ascendant, chart.midheaven
    return lons, speeds


def borderline(pair: tuple[str, str], lons: dict[str, float], margin: float = 0.05) -> bool:
    """Whether the pair's distance lies within `margin` of an orb's edge, where two ephemerides
    that differ by a few arc-seconds may honestly disagree."""
    a, b = pair
    d = separation(lons[a], lons[b])
    for key in MAJOR_ASPECTS:
        kind = ASPECT_KINDS[key]
        allowed = kind.orb + (LUMINARY_BONUS if {a, b} & {"sun", "moon"} else 0.0)
        if abs(abs(d - kind.angle) - allowed) < margin:
            return True
    return False


def test_natal_aspects_match_those_of_the_swiss_ephemeris(swe):
    rng = random.Random(1990)
    start = datetime(1930, 1, 1, tzinfo=UTC)
    compared = 0
    for _ in range(40):
        t = start + timedelta(days=rng.uniform(0.0, 36500.0))
        lat, lon = rng.uniform(-55.0, 55.0), rng.uniform(-180.0, 180.0)
        their_lons, their_speeds = swiss_chart(swe, t, lat, lon)
        our_lons, our_speeds = our_chart(t, lat, lon)
        theirs = {(x.a, x.b): x for x in aspects(their_lons, speeds=their_speeds)}
        ours = {(x.a, x.b): x for x in aspects(our_lons, speeds=our_speeds)}
        # what the oracle's longitudes imply, by the definition itself
        assert {k: v.kind for k, v in theirs.items()} == {
            k: v[0] for k, v in brute_force(their_lons).items()
        }
        for pair in set(ours) | set(theirs):
            if borderline(pair, their_lons):
                continue
            assert pair in ours and pair in theirs, (t, pair)
            assert ours[pair].kind == theirs[pair].kind
            assert ours[pair].orb == pytest.approx(theirs[pair].orb, abs=0.02)
            if ours[pair].orb > 0.05:  # an exact aspect flips between the two at a hair
                assert ours[pair].applying == theirs[pair].applying, (t, pair)
            compared += 1
    assert compared > 300


# --- balance and rulers -------------------------------------------------------------------------


def test_element_and_modality_balance_of_a_chart():
    chart = {"sun": 15.0, "moon": 135.0, "mercury": 45.0, "venus": 75.0, "mars": 285.0}
    # Aries, Leo, Taurus, Gemini, Capricorn
    assert element_balance(chart) == {"fire": 2, "earth": 2, "air": 1, "water": 0}
    assert modality_balance(chart) == {"cardinal": 2, "fixed": 2, "mutable": 1}
    assert list(element_balance(chart)) == list(ELEMENTS)
    assert list(modality_balance(chart)) == list(MODALITIES)


def test_balance_takes_signs_names_and_longitudes():
    placements = [SIGNS["cancer"], "Bọ Cạp", "pisces", 359.9, -0.1]
    assert element_balance(placements) == {"fire": 0, "earth": 0, "air": 0, "water": 5}
    assert modality_balance(placements) == {"cardinal": 1, "fixed": 1, "mutable": 3}
    assert element_balance([]) == {"fire": 0, "earth": 0, "air": 0, "water": 0}


@given(st.lists(st.floats(min_value=-1e4, max_value=1e4), max_size=30))
def test_balance_counts_every_placement_once(lons):
    assert sum(element_balance(lons).values()) == len(lons)
    assert sum(modality_balance(lons).values()) == len(lons)


@pytest.mark.parametrize(
    ("sign", "traditional", "modern"),
    [
        ("aries", "mars", "mars"),
        ("taurus", "venus", "venus"),
        ("cancer", "moon", "moon"),
        ("leo", "sun", "sun"),
        ("scorpio", "mars", "pluto"),
        ("aquarius", "saturn", "uranus"),
        ("pisces", "jupiter", "neptune"),
    ],
)
def test_chart_ruler(sign, traditional, modern):
    ruler = chart_ruler(sign)
    assert (ruler.sign, ruler.traditional, ruler.modern) == (sign, traditional, modern)
    assert chart_ruler(get_sign(sign)) == ruler
    assert chart_ruler(SIGN_KEYS.index(sign) * 30.0 + 12.5) == ruler


def test_chart_ruler_from_a_computed_ascendant():
    chart = houses(datetime(1990, 5, 15, 7, 30, tzinfo=UTC), 10.8231, 106.6297)
    assert chart_ruler(chart.ascendant).sign == "libra"
    assert chart_ruler(chart.ascendant).traditional == "venus"
    assert chart_ruler("Thiên Bình").modern == "venus"


def test_bad_input_is_named():
    with pytest.raises(InvalidInput, match="first"):
        aspects({"sun": math.nan})
    with pytest.raises(InvalidInput, match="second"):
        aspects({"sun": 1.0}, {"moon": math.inf})
    with pytest.raises(InvalidInput, match="sign"):
        chart_ruler("ophiuchus")
