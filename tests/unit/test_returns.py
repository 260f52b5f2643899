"""Returns and crossings against the Swiss Ephemeris (test-only oracle), and the composite's
midpoints."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oraculum.domain.returns import crossings, lunar_returns, midpoint, solar_return
from oraculum.domain.sky import apparent_longitudes

swe = pytest.importorskip("swisseph")


def from_jd(jd: float) -> datetime:
    y, m, d, h = swe.revjul(jd)
    return datetime(y, m, d, tzinfo=UTC) + timedelta(hours=h)


@pytest.mark.parametrize("seed", range(12))
def test_solar_returns_agree_with_the_swiss_ephemeris_to_the_minute(seed):
    rng = random.Random(seed)
    birthday = date(rng.randint(1920, 2010), rng.randint(1, 12), rng.randint(1, 28))
    born = datetime(birthday.year, birthday.month, birthday.day, rng.randint(0, 23), tzinfo=UTC)
    sun = apparent_longitudes(("sun",), [born])["sun"][0]
    year = rng.randint(2000, 2040)
    ours = solar_return(sun, year, birthday)
    start = swe.julday(year, birthday.month, max(1, birthday.day - 3), 0.0)
    theirs = from_jd(swe.solcross_ut(sun, start, swe.FLG_MOSEPH))
    assert abs((ours - theirs).total_seconds()) <= 90, (ours, theirs)


def test_a_month_of_lunar_returns_agrees_with_the_swiss_ephemeris():
    moon = 294.85  # a Capricorn Moon
    ours = lunar_returns(moon, date(2026, 12, 1), date(2026, 12, 31))
    theirs = from_jd(swe.mooncross_ut(moon, swe.julday(2026, 12, 1, 0.0), swe.FLG_MOSEPH))
    assert len(ours) == 1 and abs((ours[0] - theirs).total_seconds()) <= 90


def test_a_retrograde_planet_crosses_a_degree_three_times():
    # Mercury's retrograde of March 2026 in Pisces: 20° Pisces is passed, re-passed, passed
    found = crossings("mercury", 350.0, datetime(2026, 2, 1, tzinfo=UTC),
                      datetime(2026, 5, 1, tzinfo=UTC))  # fmt: skip
    assert [t.date().isoformat() for t in found] == ["2026-02-20", "2026-03-04", "2026-04-07"]
    for t in found:  # each is where the Swiss Ephemeris has Mercury at 350°, within a minute
        jd = swe.julday(t.year, t.month, t.day, t.hour + t.minute / 60)
        lon = swe.calc_ut(jd, swe.MERCURY, swe.FLG_MOSEPH)[0][0]
        assert abs(lon - 350.0) < 0.02


@given(st.floats(0, 360, exclude_max=True), st.floats(0, 360, exclude_max=True))
def test_the_midpoint_lies_on_the_shorter_arc(a, b):
    m = midpoint(a, b)
    gap = min(abs(a - b), 360 - abs(a - b))
    to_a = min(abs(m - a), 360 - abs(m - a))
    to_b = min(abs(m - b), 360 - abs(m - b))
    assert abs(to_a - gap / 2) < 1e-6 and abs(to_b - gap / 2) < 1e-6
