"""House cusps (domain/houses.py) and the Moon's nodes (domain/nodes.py) against an independent
oracle, and their own properties.

The oracle is the Swiss Ephemeris through pyswisseph, a test-only dependency (AGPL: never
imported by src/), with its built-in Moshier ephemeris (FLG_MOSEPH: no files needed). It has its
own sidereal time, nutation and ΔT, and its own house code. Where pyswisseph is missing those
tests are skipped; the rest run.

Two comparisons are made. End to end, the oracle gets the clock time as UT (UTC and UT1 differ
by under 0.9 s; before 1972 clock time is UT1 by our convention): what a user sees. Then the
oracle gets our own UT1 (from the sky table's ΔT), which isolates the house formulas: they agree
to about 1e-5°.
"""

from __future__ import annotations

import math
import random
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oraculum.domain import sky_table
from oraculum.domain.errors import InvalidInput
from oraculum.domain.houses import (
    FALLBACK_SYSTEM,
    HOUSE_SYSTEMS,
    MAX_QUADRANT_LATITUDE,
    Houses,
    house_cusps,
    house_of,
    houses,
    midheaven,
)
from oraculum.domain.natal_chart import natal_big_three
from oraculum.domain.nodes import lunar_nodes, mean_node, mean_node_longitude, true_node
from oraculum.domain.sky import OutOfEphemerisRange

UNIX_EPOCH_JD = 2440587.5
SWE_CODES = {"placidus": b"P", "koch": b"K", "equal": b"E", "whole-sign": b"W"}


@pytest.fixture(scope="module")
def swe() -> Any:
    return pytest.importorskip("swisseph")


def jd_clock(t: datetime) -> float:
    """The clock time as a Julian date: UT for the oracle."""
    return UNIX_EPOCH_JD + t.timestamp() / 86400.0


def jd_ut1(t: datetime) -> float:
    """UT1 as the sky table derives it (the time our sidereal time is computed for)."""
    table = sky_table.table()
    return table.ut1_jd(table.tt_jd(t))


def gap(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def random_cases(n: int, seed: int, max_lat: float = 60.0) -> list[tuple[datetime, float, float]]:
    rng = random.Random(seed)
    start = datetime(1900, 1, 1, tzinfo=UTC)
    span = (datetime(2050, 1, 1, tzinfo=UTC) - start).total_seconds()
    return [
        (
            start + timedelta(seconds=rng.uniform(0.0, span)),
            rng.uniform(-max_lat, max_lat),
            rng.uniform(-180.0, 180.0),
        )
        for _ in range(n)
    ]


CASES = random_cases(300, seed=20260515)


# --- against the Swiss Ephemeris ----------------------------------------------------------------


@pytest.mark.parametrize("system", HOUSE_SYSTEMS)
def test_cusps_and_angles_match_swiss_ephemeris_end_to_end(swe, system):
    # Measured at this seed: 0.012° at most for every system, all of it the sidereal time's
    # UT1 − UTC (under 0.9 s) and the two ΔT predictions after 2025, about 0.004° a second.
    worst = {"cusps": 0.0, "asc": 0.0, "mc": 0.0}
    for t, lat, lon in CASES:
        ours = houses(t, lat, lon, system)
        cusps, angles = swe.houses_ex(jd_clock(t), lat, lon, SWE_CODES[system])
        worst["cusps"] = max(
            worst["cusps"], *(gap(a, b) for a, b in zip(ours.cusps, cusps, strict=True))
        )
        worst["asc"] = max(worst["asc"], gap(ours.ascendant, angles[0]))
        worst["mc"] = max(worst["mc"], gap(ours.midheaven, angles[1]))
        assert ours.system == system and ours.fallback_reason is None
    assert worst["cusps"] < 0.05, worst
    assert worst["asc"] < 0.05, worst
    assert worst["mc"] < 0.05, worst


@pytest.mark.parametrize("system", HOUSE_SYSTEMS)
def test_house_formulas_match_swiss_ephemeris_at_the_same_ut1(swe, system):
    # The same sidereal time on both sides: what remains is the house division itself, the
    # obliquity and the nutation. Measured: 4e-6° at most (Placidus, Koch, equal), 0 whole-sign.
    worst = 0.0
    for t, lat, lon in CASES:
        ours = houses(t, lat, lon, system)
        cusps, angles = swe.houses_ex(jd_ut1(t), lat, lon, SWE_CODES[system])
        worst = max(worst, *(gap(a, b) for a, b in zip(ours.cusps, cusps, strict=True)))
        worst = max(worst, gap(ours.ascendant, angles[0]), gap(ours.midheaven, angles[1]))
        assert gap(ours.ramc, angles[2]) < 1e-4
    assert worst < 1e-4


@pytest.mark.parametrize("system", ["placidus", "koch"])
def test_quadrant_systems_hold_up_to_the_fallback_latitude(swe, system):
    # 60°–66°, where the semi-arcs stretch and the iteration works hardest. Measured: 1e-4° at
    # most (Koch), 3e-5° (Placidus).
    rng = random.Random(66)
    for t, _, lon in random_cases(200, seed=6660):
        lat = rng.choice((-1.0, 1.0)) * rng.uniform(60.0, MAX_QUADRANT_LATITUDE)
        ours = houses(t, lat, lon, system)
        cusps, _ = swe.houses_ex(jd_ut1(t), lat, lon, SWE_CODES[system])
        assert max(gap(a, b) for a, b in zip(ours.cusps, cusps, strict=True)) < 1e-3, (t, lat, lon)


def test_a_published_chart_ho_chi_minh_city_1990(swe):
    # 1990-05-15 14:30 in Ho Chi Minh City (10.8231 N, 106.6297 E, UTC+7): the Ascendant is
    # published at about 1°55' Libra; the oracle puts it at 181.913°.
    birth = datetime(1990, 5, 15, 14, 30, tzinfo=timezone(timedelta(hours=7)))
    ours = houses(birth, 10.8231, 106.6297)
    _, angles = swe.houses_ex(jd_clock(birth), 10.8231, 106.6297, b"P")
    assert ours.ascendant == pytest.approx(181.9, abs=0.1)
    assert gap(ours.ascendant, angles[0]) < 0.05
    assert gap(ours.midheaven, angles[1]) < 0.05
    assert ours.house_of(ours.ascendant) == 1
    big = natal_big_three(
        birth.date(), birth.time().replace(tzinfo=None), "Asia/Ho_Chi_Minh", 10.8231, 106.6297
    )
    assert big.rising is not None and big.rising.key == "libra"
    assert big.ascendant_longitude == pytest.approx(ours.ascendant, abs=1e-9)


# --- the high-latitude fallback -----------------------------------------------------------------


@pytest.mark.parametrize("latitude", [70.0, -70.0, 78.2232])
@pytest.mark.parametrize("system", ["placidus", "koch"])
def test_beyond_the_polar_limit_quadrant_systems_fall_back_to_equal(swe, system, latitude):
    t = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    ours = houses(t, latitude, 15.6, system)
    assert ours.requested_system == system
    assert ours.system == FALLBACK_SYSTEM == "equal"
    assert ours.fallback_reason is not None
    assert system.capitalize() in ours.fallback_reason
    assert f"{MAX_QUADRANT_LATITUDE:.0f}°" in ours.fallback_reason
    assert "equal houses" in ours.fallback_reason
    assert ours.cusps[0] == ours.ascendant
    # The oracle agrees the system cannot be computed there, and gives the same equal houses
    # (with the same convention for the Ascendant inside the polar circle).
    with pytest.raises(swe.Error):
        swe.houses_ex(jd_ut1(t), latitude, 15.6, SWE_CODES[system])
    cusps, angles = swe.houses_ex(jd_ut1(t), latitude, 15.6, b"E")
    assert max(gap(a, b) for a, b in zip(ours.cusps, cusps, strict=True)) < 1e-3
    assert gap(ours.ascendant, angles[0]) < 1e-3


def test_the_polar_ascendant_follows_the_mc_like_the_swiss_ephemeris(swe):
    # Inside the polar circle the horizon can meet the ecliptic "behind" the MC; the Swiss
    # Ephemeris then takes the opposite point, so the houses still run in zodiac order.
    for t, lat, lon in random_cases(300, seed=90, max_lat=89.0):
        if abs(lat) <= 67.0:
            continue
        ours = houses(t, lat, lon, "equal")
        _, angles = swe.houses_ex(jd_ut1(t), lat, lon, b"E")
        assert gap(ours.ascendant, angles[0]) < 1e-3
        assert 0.0 < (ours.ascendant - ours.midheaven) % 360.0 < 180.0


def test_equal_and_whole_sign_are_never_a_fallback():
    t = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    for system in ("equal", "whole-sign"):
        chart = houses(t, 70.0, 25.0, system)
        assert chart.system == chart.requested_system == system
        assert chart.fallback_reason is None
    assert houses(t, MAX_QUADRANT_LATITUDE, 25.0).fallback_reason is None


def test_house_cusps_refuses_a_quadrant_system_beyond_the_limit():
    with pytest.raises(ValueError, match="undefined"):
        house_cusps(100.0, 23.44, 70.0, "placidus")
    with pytest.raises(ValueError, match="unknown"):
        house_cusps(100.0, 23.44, 40.0, "porphyry")


# --- the systems as defined ---------------------------------------------------------------------


@pytest.mark.parametrize(("t", "lat", "lon"), CASES[:50])
def test_equal_and_whole_sign_are_exactly_as_defined(t, lat, lon):
    equal = houses(t, lat, lon, "equal")
    whole = houses(t, lat, lon, "whole-sign")
    for i in range(12):
        assert equal.cusps[i] == (equal.ascendant + 30.0 * i) % 360.0
        assert whole.cusps[i] == (30.0 * math.floor(equal.ascendant / 30.0) + 30.0 * i) % 360.0
        assert whole.cusps[i] % 30.0 == 0.0
    assert whole.house_of(whole.ascendant) == 1
    assert whole.ascendant == equal.ascendant


@pytest.mark.parametrize(("t", "lat", "lon"), CASES[:50])
@pytest.mark.parametrize("system", ["placidus", "koch"])
def test_quadrant_cusps_keep_the_angles_and_their_order(t, lat, lon, system):
    chart = houses(t, lat, lon, system)
    assert chart.cusp(1) == chart.ascendant
    assert chart.cusp(10) == chart.midheaven
    for house in range(1, 7):
        assert gap(chart.cusp(house + 6), chart.cusp(house) + 180.0) < 1e-9
    widths = [(chart.cusps[(i + 1) % 12] - chart.cusps[i]) % 360.0 for i in range(12)]
    assert all(w > 0.0 for w in widths)
    assert math.fsum(widths) == pytest.approx(360.0)


def test_midheaven_sits_on_the_meridian():
    for ramc in (0.0, 45.0, 90.0, 180.0, 270.0, 359.0):
        mc = midheaven(ramc, 23.4393)
        assert gap(mc, ramc) < 2.5  # within the ecliptic's tilt of the RAMC
    assert midheaven(90.0, 23.4) == pytest.approx(90.0)
    assert midheaven(270.0, 23.4) == pytest.approx(270.0)


def test_at_the_equator_placidus_and_koch_coincide_with_the_semi_arcs_of_90():
    # With φ = 0 every semi-arc is 90°: both systems reduce to equal steps of right ascension.
    from oraculum.domain.houses import _longitude_of_ra

    for ramc in (10.0, 100.0, 200.0, 300.0):
        plac = house_cusps(ramc, 23.44, 0.0, "placidus")
        koch = house_cusps(ramc, 23.44, 0.0, "koch")
        for offset, house in ((30.0, 11), (60.0, 12), (120.0, 2), (150.0, 3)):
            expected = _longitude_of_ra(ramc + offset, 23.44)
            assert gap(plac[house - 1], expected) < 1e-9
            assert gap(koch[house - 1], expected) < 1e-9


# --- house_of -----------------------------------------------------------------------------------

longitudes = st.floats(min_value=-720.0, max_value=720.0, allow_nan=False, allow_infinity=False)


@st.composite
def cusp_sets(draw: st.DrawFn) -> list[float]:
    """Twelve cusps in zodiac order: a start anywhere and twelve positive widths adding to 360."""
    raw = draw(st.lists(st.floats(min_value=0.5, max_value=10.0), min_size=12, max_size=12))
    start = draw(st.floats(min_value=0.0, max_value=359.999))
    scale = 360.0 / math.fsum(raw)
    cusps, at = [], start
    for width in raw:
        cusps.append(at % 360.0)
        at += width * scale
    return cusps


def inside(lon: float, start: float, end: float) -> bool:
    return (lon - start) % 360.0 < (end - start) % 360.0 or (end - start) % 360.0 == 0.0


@given(cusp_sets(), longitudes)
def test_house_of_puts_a_longitude_between_its_cusp_and_the_next(cusps, lon):
    house = house_of(lon, cusps)
    assert 1 <= house <= 12
    start, end = cusps[house - 1], cusps[house % 12]
    ahead = (lon - start) % 360.0
    width = (end - start) % 360.0
    assert ahead < width + 1e-9 or ahead > 360.0 - 1e-9  # up to rounding at the next cusp
    # and no other cusp lies strictly between its cusp and the longitude
    for other in cusps:
        between = (other - start) % 360.0
        assert not (1e-9 < between < ahead - 1e-9)


@given(cusp_sets(), st.integers(min_value=1, max_value=12))
def test_house_of_a_cusp_is_the_house_it_begins(cusps, house):
    assert house_of(cusps[house - 1], cusps) == house


@given(longitudes, longitudes)
def test_house_of_equal_houses_is_a_division_by_thirty(asc, lon):
    cusps = [(asc + 30.0 * i) % 360.0 for i in range(12)]
    expected = int(((lon - asc) % 360.0) // 30.0) % 12 + 1
    got = house_of(lon, cusps)
    # at a cusp's own degree, rounding may put the point on either side of it
    on_cusp = min(gap(lon, c) for c in cusps) < 1e-9
    assert got == expected or on_cusp


def test_house_of_wraps_at_360():
    cusps = [350.0 + 30.0 * i for i in range(12)]  # house 1 runs from 350° across 0° to 20°
    cusps = [c % 360.0 for c in cusps]
    assert house_of(355.0, cusps) == 1
    assert house_of(0.0, cusps) == 1
    assert house_of(360.0, cusps) == 1
    assert house_of(19.999, cusps) == 1
    assert house_of(20.0, cusps) == 2
    assert house_of(349.999, cusps) == 12
    assert house_of(-5.0, cusps) == 1
    assert house_of(725.0, cusps) == 1


def test_house_of_rejects_bad_input():
    with pytest.raises(InvalidInput, match="twelve"):
        house_of(10.0, [0.0, 30.0])
    with pytest.raises(InvalidInput):
        house_of(math.nan, [30.0 * i for i in range(12)])


# --- input checks and speed ---------------------------------------------------------------------


def test_bad_inputs_are_named():
    t = datetime(2000, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="system"):
        houses(t, 10.0, 10.0, "porphyry")
    with pytest.raises(InvalidInput, match="time zone"):
        houses(datetime(2000, 1, 1), 10.0, 10.0)
    with pytest.raises(InvalidInput, match="latitude"):
        houses(t, 91.0, 10.0)
    with pytest.raises(InvalidInput, match="longitude"):
        houses(t, 10.0, 181.0)
    with pytest.raises(OutOfEphemerisRange):
        houses(datetime(1800, 1, 1, tzinfo=UTC), 10.0, 10.0)


def test_a_chart_is_well_under_five_milliseconds():
    t = datetime(2001, 9, 9, 1, 46, tzinfo=UTC)
    houses(t, 52.52, 13.405)  # the sky table is read once, on first use
    n = 200
    start = time.perf_counter()
    for i in range(n):
        houses(t + timedelta(minutes=7 * i), 59.9 - i * 0.5, 13.405, HOUSE_SYSTEMS[i % 4])
    per_chart = (time.perf_counter() - start) / n
    assert per_chart < 0.005, f"{per_chart * 1000:.2f} ms a chart"


def test_houses_is_a_plain_record():
    chart = houses(datetime(2000, 1, 1, 12, tzinfo=UTC), 48.85, 2.35)
    assert isinstance(chart, Houses)
    assert len(chart.cusps) == 12
    assert all(0.0 <= c < 360.0 for c in chart.cusps)
    assert 23.0 < chart.obliquity < 24.0


# --- the Moon's nodes ---------------------------------------------------------------------------


def test_mean_node_matches_swiss_ephemeris(swe):
    # Measured: 3e-5° at most (Meeus's polynomial plus the nutation in longitude).
    for t, _, _ in CASES:
        theirs, _ = swe.calc_ut(jd_ut1(t), swe.MEAN_NODE, swe.FLG_MOSEPH)
        nodes = lunar_nodes(t)
        assert gap(nodes.north, theirs[0]) < 0.05
        assert gap(nodes.north, theirs[0]) < 1e-3
        assert gap(nodes.south, nodes.north + 180.0) < 1e-12
        assert nodes.kind == "mean"


def test_true_node_matches_swiss_ephemeris(swe):
    # The osculating node amplifies the Moon's latitude about elevenfold: the Moshier Moon and
    # DE421 differ by up to 2" there, so 0.013° is measured at most.
    for t, _, _ in CASES:
        theirs, _ = swe.calc_ut(jd_ut1(t), swe.TRUE_NODE, swe.FLG_MOSEPH)
        assert gap(true_node(t), theirs[0]) < 0.03


def test_mean_node_is_meeus_example():
    # Astronomical Algorithms, example 47.a: 1992 April 12, 0h TD (JDE 2448724.5),
    # Ω = 274.400656°.
    assert mean_node_longitude(2448724.5) == pytest.approx(274.400656, abs=1e-6)
    # Example 22.a (nutation): 1987 April 10, 0h TD (JDE 2446895.5), Ω = 11.2531°.
    assert mean_node_longitude(2446895.5) == pytest.approx(11.2531, abs=1e-4)


def test_nodes_regress_and_the_kinds_are_checked():
    t = datetime(2026, 11, 26, 12, tzinfo=UTC)
    later = t + timedelta(days=30)
    assert 0.0 < (mean_node(t) - mean_node(later)) % 360.0 < 2.0  # about 1.6° a month, backwards
    assert gap(true_node(t), mean_node(t)) < 2.0
    with pytest.raises(InvalidInput, match="kind"):
        lunar_nodes(t, "osculating")
    with pytest.raises(InvalidInput, match="time zone"):
        lunar_nodes(datetime(2000, 1, 1))
