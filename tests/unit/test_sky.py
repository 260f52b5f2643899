"""The sky against published ephemerides: ingresses, Mercury's stations, moon phases, charts.

Every expectation below is a fixed value from a published source, cited where it is used; none
is computed by the code under test. Times are UTC unless a time zone is named.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from oraculum.domain import sky
from oraculum.domain.errors import InvalidInput, OraculumError
from oraculum.domain.natal_chart import (
    NO_PLACE_REASON,
    NO_TIME_REASON,
    POLAR_REASON,
    ascendant,
    natal_big_three,
    sun_sign_on,
)
from oraculum.domain.sky import (
    BODY_KEYS,
    OutOfEphemerisRange,
    moon_phase,
    sky_at,
    sky_on,
)
from oraculum.domain.zodiac import SIGN_KEYS, get_sign


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def arc(degrees: int, minutes: int, sign: str) -> float:
    """A published position such as 18°03' Aquarius, as an ecliptic longitude."""
    return SIGN_KEYS.index(sign) * 30.0 + degrees + minutes / 60.0


def angle_between(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


# --- DESIGN.md's check ----------------------------------------------------------------------------


def test_positions_match_swiss_ephemeris_on_2026_11_25():
    # DESIGN.md, "Facts measured": 2026-11-25 00:00 UT, Sun 242.72°, Moon 68.05°, equal to the
    # Swiss Ephemeris (astro.com).
    s = sky_at(utc("2026-11-25 00:00"))
    assert s.body("sun").longitude == pytest.approx(242.72, abs=0.05)
    assert s.body("moon").longitude == pytest.approx(68.05, abs=0.05)
    assert s.body("sun").sign == "sagittarius"
    assert s.body("moon").sign == "gemini"


# --- the Sun's ingresses --------------------------------------------------------------------------

# The Sun's entry into each sign, UTC, to the minute. Equinoxes and solstices: USNO, "Earth's
# Seasons and Apsides" (2024: Mar 20 03:06, Jun 20 20:51, Sep 22 12:44, Dec 21 09:20; 2025:
# Mar 20 09:01, Jun 21 02:42, Sep 22 18:19, Dec 21 15:03; 2026: Mar 20 14:46, Jun 21 08:24,
# Sep 23 00:05, Dec 21 20:50). The other ingresses: the astro.com (Swiss Ephemeris) and
# timeanddate.com tables of the Sun's sign changes.
INGRESSES = [
    ("aquarius", "2024-01-20 14:07"), ("pisces", "2024-02-19 04:13"),
    ("aries", "2024-03-20 03:06"), ("taurus", "2024-04-19 14:00"),
    ("gemini", "2024-05-20 12:59"), ("cancer", "2024-06-20 20:51"),
    ("leo", "2024-07-22 07:44"), ("virgo", "2024-08-22 14:55"),
    ("libra", "2024-09-22 12:44"), ("scorpio", "2024-10-22 22:15"),
    ("sagittarius", "2024-11-21 19:56"), ("capricorn", "2024-12-21 09:20"),
    ("aquarius", "2025-01-19 20:00"), ("pisces", "2025-02-18 10:06"),
    ("aries", "2025-03-20 09:01"), ("taurus", "2025-04-19 19:56"),
    ("gemini", "2025-05-20 18:55"), ("cancer", "2025-06-21 02:42"),
    ("leo", "2025-07-22 13:29"), ("virgo", "2025-08-22 20:34"),
    ("libra", "2025-09-22 18:19"), ("scorpio", "2025-10-23 03:51"),
    ("sagittarius", "2025-11-22 01:35"), ("capricorn", "2025-12-21 15:03"),
    ("aquarius", "2026-01-20 01:45"), ("pisces", "2026-02-18 15:52"),
    ("aries", "2026-03-20 14:46"), ("taurus", "2026-04-20 01:39"),
    ("gemini", "2026-05-21 00:37"), ("cancer", "2026-06-21 08:24"),
    ("leo", "2026-07-22 19:13"), ("virgo", "2026-08-23 02:19"),
    ("libra", "2026-09-23 00:05"), ("scorpio", "2026-10-23 09:38"),
    ("sagittarius", "2026-11-22 07:23"), ("capricorn", "2026-12-21 20:50"),
]  # fmt: skip


def previous_sign(key: str) -> str:
    return SIGN_KEYS[(SIGN_KEYS.index(key) - 1) % 12]


@pytest.mark.parametrize(("entered", "at"), INGRESSES, ids=[a for _, a in INGRESSES])
def test_sun_sign_on_both_sides_of_each_boundary(entered, at):
    ingress = utc(at)
    before, day = previous_sign(entered), ingress.date()
    assert sun_sign_on(day - timedelta(days=1)) == (get_sign(before), False)
    assert sun_sign_on(day + timedelta(days=1)) == (get_sign(entered), False)
    assert sun_sign_on(day)[1] is True  # the cusp day: a birth time is needed
    # Two minutes either side of the published minute (the day may differ near midnight).
    for offset, expected in ((-2, before), (2, entered)):
        moment = ingress + timedelta(minutes=offset)
        sign, _ = sun_sign_on(moment.date(), moment.time())
        assert sign.key == expected, f"{moment} should be {expected}"


def test_cusp_day_follows_the_local_calendar():
    # 2025-12-21 15:03 UTC (USNO December solstice) is 2025-12-22 00:03 in Tokyo (UTC+9) and
    # 22:03 on the 21st in Ho Chi Minh City (UTC+7).
    assert sun_sign_on(date(2025, 12, 21), tz="Asia/Tokyo") == (get_sign("sagittarius"), False)
    assert sun_sign_on(date(2025, 12, 22), tz="Asia/Tokyo")[1] is True
    assert sun_sign_on(date(2025, 12, 21), tz="Asia/Ho_Chi_Minh")[1] is True
    assert sun_sign_on(date(2025, 12, 22), tz="Asia/Ho_Chi_Minh")[1] is False
    hcm = "Asia/Ho_Chi_Minh"
    assert sun_sign_on(date(2025, 12, 21), time(22, 0), hcm)[0].key == "sagittarius"
    assert sun_sign_on(date(2025, 12, 21), time(22, 10), hcm)[0].key == "capricorn"


# --- Mercury's retrograde periods 2025–2027 -------------------------------------------------------

# Station retrograde and station direct dates (UTC) as widely published, e.g. the astro.com
# (Swiss Ephemeris) ephemeris and timeanddate.com's "Mercury retrograde" pages.
MERCURY_RETROGRADES = [
    ("2025-03-15", "2025-04-07"), ("2025-07-18", "2025-08-11"), ("2025-11-09", "2025-11-29"),
    ("2026-02-26", "2026-03-20"), ("2026-06-29", "2026-07-23"), ("2026-10-24", "2026-11-13"),
    ("2027-02-09", "2027-03-03"), ("2027-06-10", "2027-07-04"), ("2027-10-07", "2027-10-28"),
]  # fmt: skip


@pytest.mark.parametrize(("station_r", "station_d"), MERCURY_RETROGRADES)
def test_mercury_retrograde_periods(station_r, station_d):
    start, end = date.fromisoformat(station_r), date.fromisoformat(station_d)
    middle = start + (end - start) / 2

    def retrograde(day: date) -> bool:
        return sky_on(day).body("mercury").retrograde

    assert retrograde(middle)
    assert retrograde(start + timedelta(days=1))
    assert retrograde(end - timedelta(days=1))
    assert not retrograde(start - timedelta(days=2))
    assert not retrograde(end + timedelta(days=2))
    assert sky_on(middle).body("mercury").speed_deg_per_day < 0


def test_sun_and_moon_are_never_retrograde_and_speeds_are_plausible():
    for month in range(1, 13):
        s = sky_on(date(2025, month, 1))
        sun, moon = s.body("sun"), s.body("moon")
        assert not sun.retrograde and not moon.retrograde
        assert 0.95 < sun.speed_deg_per_day < 1.03  # the Sun: 57′–61′ a day
        assert 11.7 < moon.speed_deg_per_day < 15.5  # the Moon: about 12°–15° a day


# --- moon phases ----------------------------------------------------------------------------------

# USNO, "Phases of the Moon" for 2025 (UTC).
FULL_MOONS_2025 = [
    "2025-01-13 22:27", "2025-02-12 13:53", "2025-03-14 06:55", "2025-04-13 00:22",
    "2025-05-12 16:56", "2025-06-11 07:44", "2025-07-10 20:37", "2025-08-09 07:55",
    "2025-09-07 18:09", "2025-10-07 03:48", "2025-11-05 13:19", "2025-12-04 23:14",
]  # fmt: skip
NEW_MOONS_2025 = [
    "2025-01-29 12:36", "2025-02-28 00:45", "2025-03-29 10:58", "2025-04-27 19:31",
    "2025-05-27 03:02", "2025-06-25 10:31", "2025-07-24 19:11", "2025-08-23 06:06",
    "2025-09-21 19:54", "2025-10-21 12:25", "2025-11-20 06:47", "2025-12-20 01:43",
]  # fmt: skip
FIRST_QUARTERS_2025 = ["2025-01-06 23:56", "2025-02-05 08:02", "2025-03-06 16:32"]
LAST_QUARTERS_2025 = ["2025-01-21 20:31", "2025-02-20 17:33", "2025-03-22 11:29"]


@pytest.mark.parametrize("at", FULL_MOONS_2025)
def test_full_moons_2025(at):
    phase = sky_at(utc(at)).moon_phase
    assert (phase.key, phase.name) == ("full-moon", "Full Moon")
    assert phase.illumination > 0.99
    assert angle_between(phase.elongation_deg, 180.0) < 0.05  # the Moon moves 0.5° an hour


@pytest.mark.parametrize("at", NEW_MOONS_2025)
def test_new_moons_2025(at):
    phase = sky_at(utc(at)).moon_phase
    assert (phase.key, phase.name) == ("new-moon", "New Moon")
    assert phase.illumination < 0.01
    assert angle_between(phase.elongation_deg, 0.0) < 0.05


@pytest.mark.parametrize(
    ("at", "key", "elongation"),
    [(a, "first-quarter", 90.0) for a in FIRST_QUARTERS_2025]
    + [(a, "last-quarter", 270.0) for a in LAST_QUARTERS_2025],
)
def test_quarter_moons_2025(at, key, elongation):
    phase = sky_at(utc(at)).moon_phase
    assert phase.key == key
    assert phase.illumination == pytest.approx(0.5, abs=0.01)
    assert angle_between(phase.elongation_deg, elongation) < 0.05


def test_waxing_and_waning_between_the_published_phases():
    # Three days after the USNO new moon of 2025-01-29 the Moon is a waxing crescent; three
    # days after the full moon of 2025-01-13, a waning gibbous.
    assert sky_at(utc("2025-02-01 12:36")).moon_phase.key == "waxing-crescent"
    assert sky_at(utc("2025-01-16 22:27")).moon_phase.key == "waning-gibbous"


@pytest.mark.parametrize(
    ("elongation", "key"),
    [
        (0.0, "new-moon"), (22.4, "new-moon"), (337.6, "new-moon"), (359.9, "new-moon"),
        (22.6, "waxing-crescent"), (67.4, "waxing-crescent"), (67.6, "first-quarter"),
        (135.0, "waxing-gibbous"), (157.6, "full-moon"), (202.4, "full-moon"),
        (225.0, "waning-gibbous"), (270.0, "last-quarter"), (315.0, "waning-crescent"),
    ],
)  # fmt: skip
def test_moon_phase_bins_are_45_degrees_centred_on_the_principal_phases(elongation, key):
    sun = 100.0
    assert moon_phase(sun, (sun + elongation) % 360.0).key == key


def test_illumination_follows_the_elongation():
    assert moon_phase(0.0, 0.0).illumination == pytest.approx(0.0)
    assert moon_phase(0.0, 90.0).illumination == pytest.approx(0.5)
    assert moon_phase(0.0, 180.0).illumination == pytest.approx(1.0)
    # The Moon 5° off the ecliptic at opposition is not quite fully lit.
    lit = (1 + math.cos(math.radians(5.0))) / 2
    assert moon_phase(0.0, 180.0, 5.0).illumination == pytest.approx(lit)


def test_moon_uncertain_on_a_day_the_moon_changes_sign():
    # At the USNO full moon of 2025-03-14 06:55 UTC the Moon stood at 23°54' Virgo (opposite
    # the Sun at 23°54' Pisces); moving about 0.5° an hour, it enters Libra that evening (UTC).
    without_time = natal_big_three(date(2025, 3, 14), None, "UTC", None, None)
    assert without_time.moon.key == "virgo"  # at local noon
    assert without_time.moon_uncertain
    late = natal_big_three(date(2025, 3, 14), time(23, 0), "UTC", None, None)
    assert late.moon.key == "libra"
    assert not late.moon_uncertain  # a birth time settles it
    assert not natal_big_three(date(2025, 3, 16), None, "UTC", None, None).moon_uncertain


# --- natal big three against published charts -----------------------------------------------------

# Astro-Databank (astro.com), positions as published there:
# - Barack Obama, 1961-08-04 19:24 HST, Honolulu 21°18'N 157°51'W (Rodden AA, birth
#   certificate): Sun 12°33' Leo, Moon 3°21' Gemini, Ascendant 18°03' Aquarius.
# - Diana, Princess of Wales, 1961-07-01 19:45 BST, Sandringham 52°50'N 0°30'E (Rodden A):
#   Sun 9°40' Cancer, Moon 25°02' Aquarius, Ascendant 18°24' Sagittarius.
# - King Charles III, 1948-11-14 21:14 GMT, London 51°30'N 0°08'W (Rodden AA, palace bulletin):
#   Sun 22°25' Scorpio, Moon 0°26' Taurus, Ascendant 5°24' Leo.
CHARTS = {
    "obama": (
        (date(1961, 8, 4), time(19, 24), "Pacific/Honolulu", 21 + 18 / 60, -(157 + 51 / 60)),
        (arc(12, 33, "leo"), arc(3, 21, "gemini"), arc(18, 3, "aquarius")),
    ),
    "diana": (
        (date(1961, 7, 1), time(19, 45), "Europe/London", 52 + 50 / 60, 30 / 60),
        (arc(9, 40, "cancer"), arc(25, 2, "aquarius"), arc(18, 24, "sagittarius")),
    ),
    "charles": (
        (date(1948, 11, 14), time(21, 14), "Europe/London", 51 + 30 / 60, -8 / 60),
        (arc(22, 25, "scorpio"), arc(0, 26, "taurus"), arc(5, 24, "leo")),
    ),
}


@pytest.mark.parametrize("who", CHARTS)
def test_natal_big_three_matches_published_charts(who):
    birth, (sun, moon, asc) = CHARTS[who]
    chart = natal_big_three(*birth)
    assert chart.sun.key == SIGN_KEYS[int(sun // 30)]
    assert chart.moon.key == SIGN_KEYS[int(moon // 30)]
    assert chart.rising is not None and chart.rising.key == SIGN_KEYS[int(asc // 30)]
    assert chart.rising_missing_reason is None
    # Within 2 arc-minutes: the published figures are rounded to the minute, and the
    # ascendant moves about a minute of arc every four seconds of time.
    assert angle_between(chart.sun_longitude, sun) < 2 / 60
    assert angle_between(chart.moon_longitude, moon) < 2 / 60
    assert angle_between(chart.ascendant_longitude, asc) < 2 / 60


def test_obama_birth_instant_is_converted_from_hawaii_time():
    chart = natal_big_three(date(1961, 8, 4), time(19, 24), "Pacific/Honolulu", 21.3, -157.85)
    assert chart.instant == utc("1961-08-05 05:24")


def test_without_a_birth_time_there_is_no_rising_sign():
    chart = natal_big_three(date(1961, 8, 4), None, "Pacific/Honolulu", 21.3, -157.85)
    assert chart.rising is None and chart.ascendant_longitude is None
    assert chart.rising_missing_reason == NO_TIME_REASON
    assert "birth time" in chart.rising_missing_reason
    assert chart.instant == utc("1961-08-04 22:00")  # local noon
    # Astro-Databank, as above: the Moon at 3°21' Gemini at 19:24, moving about 0.5° an hour,
    # entered Gemini that afternoon; at noon it was still in Taurus, so without the birth time
    # the Moon's sign is uncertain. The Sun (12°33' Leo) is not.
    assert chart.sun.key == "leo" and not chart.sun_uncertain
    assert chart.moon.key == "taurus" and chart.moon_uncertain


def test_without_a_place_there_is_no_rising_sign():
    chart = natal_big_three(date(1961, 8, 4), time(19, 24), "Pacific/Honolulu", None, None)
    assert chart.rising is None
    assert chart.rising_missing_reason == NO_PLACE_REASON
    assert chart.sun.key == "leo"


@pytest.mark.parametrize("latitude", [66.5, 70.0, -78.2, 90.0])
def test_polar_latitudes_have_no_rising_sign(latitude):
    chart = natal_big_three(date(2000, 1, 1), time(12), "UTC", latitude, 15.0)
    assert chart.rising is None
    assert chart.rising_missing_reason == POLAR_REASON


def test_ascendant_formula_puts_the_point_on_the_eastern_horizon():
    # Spherical astronomy, independent of the formula: the ecliptic point (λ, β = 0) has
    # altitude 0 and a rising hour angle (sin H < 0) for every sidereal time and latitude.
    eps = 23.44
    for latitude in (-60.0, -33.9, 0.0, 21.3, 45.0, 60.0, 65.9):
        for last in range(0, 360, 15):
            lam = math.radians(ascendant(float(last), eps, latitude))
            e, phi = math.radians(eps), math.radians(latitude)
            ra = math.atan2(math.sin(lam) * math.cos(e), math.cos(lam))
            dec = math.asin(math.sin(e) * math.sin(lam))
            hour = math.radians(last) - ra
            sin_alt = math.sin(phi) * math.sin(dec) + math.cos(phi) * math.cos(dec) * math.cos(hour)
            assert abs(sin_alt) < 1e-9, (latitude, last)
            assert math.sin(hour) < 0, (latitude, last)


# --- the Sky object -------------------------------------------------------------------------------


def test_sky_lists_the_ten_bodies_in_order_with_consistent_signs():
    s = sky_at(datetime(2025, 6, 1, 19, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert s.instant == utc("2025-06-01 12:00")
    assert s.instant.tzinfo is UTC
    assert tuple(p.body for p in s.bodies) == BODY_KEYS
    for p in s.bodies:
        assert 0.0 <= p.longitude < 360.0
        assert 0.0 <= p.degree_in_sign < 30.0
        assert p.sign == SIGN_KEYS[int(p.longitude // 30)]
        assert type(p.longitude) is float and type(p.retrograde) is bool
    assert s.body("pluto").body == "pluto"
    assert s.in_sign(s.body("sun").sign)[0].body == "sun"
    assert s.in_sign("no-such-sign") == []
    json.dumps(asdict(s), default=str)  # plain floats and bools: serializable as they are


def test_unknown_body_names_the_field():
    with pytest.raises(InvalidInput) as err:
        sky_at(utc("2025-06-01 12:00")).body("vulcan")
    assert err.value.field == "body"


def test_sky_on_uses_local_noon():
    assert sky_on(date(2025, 6, 1), "Asia/Ho_Chi_Minh").instant == utc("2025-06-01 05:00")
    assert sky_on(date(2025, 6, 1)).instant == utc("2025-06-01 12:00")
    # New York is on daylight time (UTC-4) in June.
    assert sky_on(date(2025, 6, 1), "America/New_York").instant == utc("2025-06-01 16:00")


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (95.0, 0.0, "latitude"),
        (-90.5, 0.0, "latitude"),
        (math.nan, 0.0, "latitude"),
        (10.0, 180.5, "longitude"),
        (10.0, -181.0, "longitude"),
        (10.0, math.inf, "longitude"),
    ],
)
def test_bad_coordinates_name_the_field(latitude, longitude, field):
    with pytest.raises(InvalidInput) as err:
        natal_big_three(date(2000, 1, 1), time(12), "UTC", latitude, longitude)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}:")


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "../etc/passwd", "UTC+7"])
def test_unknown_time_zone_names_the_field(tz):
    with pytest.raises(InvalidInput) as err:
        sky_on(date(2025, 1, 1), tz)
    assert err.value.field == "tz"
    with pytest.raises(InvalidInput):
        sun_sign_on(date(2025, 1, 1), tz=tz)
    with pytest.raises(InvalidInput):
        natal_big_three(date(2025, 1, 1), None, tz, None, None)


def test_naive_datetime_is_refused():
    with pytest.raises(InvalidInput) as err:
        sky_at(datetime(2025, 1, 1, 12, 0))
    assert err.value.field == "instant"
    assert isinstance(err.value, OraculumError)
    assert "time zone" in str(err.value)


def test_the_ephemeris_range_comes_from_de421():
    # DE421 covers 1899-07-29 to 2053-10-09 (JPL). The table keeps a day inside each end, and
    # interpolation needs two days before an instant and three after, time zones included.
    assert date(1899, 7, 29) < sky.EPHEMERIS_START <= date(1899, 8, 5)
    assert date(2053, 10, 1) <= sky.EPHEMERIS_END < date(2053, 10, 9)
    with pytest.raises(AttributeError):
        _ = sky.NO_SUCH_NAME


@pytest.mark.parametrize("day", [date(1800, 1, 1), date(2100, 1, 1)])
def test_dates_outside_the_ephemeris_give_a_clear_error(day):
    start, end = sky.EPHEMERIS_START.isoformat(), sky.EPHEMERIS_END.isoformat()
    calls = {
        "date": lambda: sky_on(day),
        "instant": lambda: sky_at(datetime.combine(day, time(12), tzinfo=UTC)),
        "birth_date": lambda: natal_big_three(day, None, "UTC", None, None),
    }
    for field, call in calls.items():
        with pytest.raises(OutOfEphemerisRange) as err:
            call()
        assert err.value.field == field
        assert start in str(err.value) and end in str(err.value)
        assert "DE421" in str(err.value)
    with pytest.raises(OutOfEphemerisRange):
        sun_sign_on(day)


def test_both_ends_of_the_range_work_in_any_time_zone():
    first, last = sky.EPHEMERIS_START, sky.EPHEMERIS_END
    for tz in ("Pacific/Kiritimati", "Etc/GMT+12", "UTC"):  # UTC+14 and UTC-12
        sky_on(first, tz)
        sky_on(last, tz)
        sun_sign_on(first, tz=tz)
        natal_big_three(last, time(23, 59), tz, 10.0, 10.0)
    with pytest.raises(OutOfEphemerisRange):
        sky_on(first - timedelta(days=1))
    with pytest.raises(OutOfEphemerisRange):
        sky_on(last + timedelta(days=1))


def test_import_is_cheap_and_loading_is_quiet():
    # Neither importing the module nor computing a sky imports skyfield or numpy (the Lambda
    # packages carry neither); reading the table must neither download nor warn (-W error turns
    # any warning into a failure).
    code = (
        "import sys\n"
        "from datetime import datetime, timezone\n"
        "import oraculum.domain.sky as sky\n"
        "from oraculum.domain.natal_chart import natal_big_three\n"
        "print(sky.sky_at(datetime(2025, 1, 1, tzinfo=timezone.utc)).body('sun').sign)\n"
        "natal_big_three(datetime(1990, 1, 1).date(), datetime(1990, 1, 1, 6).time(), 'UTC', 10.0, 10.0)\n"
        "assert not {'skyfield', 'numpy'} & set(sys.modules), sorted(sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "capricorn"
    assert done.stderr == ""
