"""The daily sky table against skyfield and DE421 itself, on random instants across its range.

The product reads positions from src/oraculum/domain/data/sky_de421.bin (built by
scripts/build_sky_table.py); skyfield and the kernel are test dependencies only. Here both are
asked the same questions: the table must agree with the kernel to well under an arc-second
(a sign boundary is 30°; published charts round to the arc-minute).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scripts import build_sky_table as reference

from oraculum.domain import sky_table
from oraculum.domain.natal_chart import true_obliquity_and_last
from oraculum.domain.sky import BODY_KEYS, apparent_longitudes, moon_latitude

ARCSEC = 1 / 3600
# Measured on 3,000 random instants: 0.06" for the Sun and planets, 0.33" for the Moon (its
# float32 rows and its 13° a day). Within a degree or two of the Sun the Sun's light
# deflection of a planet changes within hours, which daily rows cannot follow: up to 2.3".
TOLERANCE = {"moon": 0.5 * ARCSEC}
DEFAULT_TOLERANCE = 0.2 * ARCSEC
NEAR_SUN_DEG, NEAR_SUN_TOLERANCE = 2.0, 3.0 * ARCSEC


@pytest.fixture(scope="module")
def kernel():
    pytest.importorskip("skyfield_data")
    _, ts, eph = reference.load()
    yield ts, eph
    eph.close()


def random_instants(count: int, seed: int) -> list[datetime]:
    table = sky_table.table()
    start = datetime.combine(table.start, datetime.min.time(), tzinfo=UTC)
    span = (table.end - table.start).total_seconds()
    rng = random.Random(seed)
    return [start + timedelta(seconds=rng.uniform(0.0, span)) for _ in range(count)]


def angle(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


INSTANTS = random_instants(240, seed=20261126)


@pytest.mark.parametrize("instant", INSTANTS[:120], ids=lambda i: i.isoformat(timespec="minutes"))
def test_positions_agree_with_the_kernel(kernel, instant):
    ts, eph = kernel
    observer = eph["earth"].at(reference.clock_times(ts, [instant])[0])
    ours = apparent_longitudes(BODY_KEYS, [instant])
    theirs = {}
    for key in BODY_KEYS:
        lat, theirs[key] = reference.apparent_latlon(eph, observer, key)
        if key == "moon":
            assert abs(moon_latitude(instant) - lat) < 0.5 * ARCSEC
    for key in BODY_KEYS:
        near_sun = key != "sun" and angle(theirs[key], theirs["sun"]) < NEAR_SUN_DEG
        limit = NEAR_SUN_TOLERANCE if near_sun else TOLERANCE.get(key, DEFAULT_TOLERANCE)
        assert angle(ours[key][0], theirs[key]) < limit, (key, instant)


@pytest.mark.parametrize("instant", INSTANTS[120:], ids=lambda i: i.isoformat(timespec="minutes"))
def test_time_scales_obliquity_and_sidereal_time_agree(kernel, instant):
    ts, _ = kernel
    t = reference.clock_times(ts, [instant])[0]
    table = sky_table.table()
    assert abs(table.tt_jd(instant) - t.tt) * 86400 < 1e-3  # a millisecond
    assert abs(table.ut1_jd(t.tt) - t.ut1) * 86400 < 1e-3
    obliquity, last = true_obliquity_and_last(instant, 0.0)
    assert abs(obliquity - float(reference.true_obliquity(t))) < 0.01 * ARCSEC
    assert angle(last, float(t.gast) * 15) < 0.01 * ARCSEC


def test_leap_seconds_are_skyfields(kernel):
    ts, _ = kernel
    table = sky_table.table()
    assert [list(p) for p in zip(table.leap_jds, table.leap_offsets, strict=True)] == (
        reference.leap_seconds(ts)
    )
    assert (table.leap_jds[0], table.leap_offsets[0]) == (2441317.5, 10.0)  # 1972-01-01


def test_a_leap_second_is_counted_from_its_day():
    # TAI − UTC went from 36 s to 37 s at 2017-01-01 00:00 UTC.
    table = sky_table.table()
    before = table.tt_jd(datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC))
    after = table.tt_jd(datetime(2017, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert (after - before) * 86400 == pytest.approx(3.0, abs=1e-4)  # two clock seconds + leap


def test_instants_outside_the_rows_are_refused():
    table = sky_table.table()
    with pytest.raises(ValueError, match="outside the sky table"):
        table.interpolate(table.first_jd + 1.0, (0,))
    with pytest.raises(ValueError, match="outside the sky table"):
        table.interpolate(table.first_jd + table.rows - 2.5, (0,))


def test_a_broken_table_says_what_is_wrong(tmp_path: Path):
    good = sky_table.TABLE_PATH.read_bytes()
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(good[:-1000])
    with pytest.raises(sky_table.SkyTableError, match=r"truncated.*rebuild"):
        sky_table.read(truncated)
    foreign = tmp_path / "foreign.bin"
    foreign.write_bytes(b"PK\x03\x04" + good[4:])
    with pytest.raises(sky_table.SkyTableError, match="not an Oraculum sky table"):
        sky_table.read(foreign)
    with pytest.raises(sky_table.SkyTableError, match="cannot be read"):
        sky_table.read(tmp_path / "missing.bin")
