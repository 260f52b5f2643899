"""The twelve signs: names in English and Vietnamese, longitudes, opposites and elements."""

from __future__ import annotations

import math
import unicodedata

import pytest

from oraculum.domain.errors import InvalidInput, OraculumError
from oraculum.domain.zodiac import (
    SIGN_KEYS,
    SIGNS,
    UnknownSign,
    get_sign,
    opposite,
    same_element,
    sign_of_longitude,
)


def test_twelve_signs_in_zodiac_order():
    assert SIGN_KEYS == (
        "aries", "taurus", "gemini", "cancer", "leo", "virgo",
        "libra", "scorpio", "sagittarius", "capricorn", "aquarius", "pisces",
    )  # fmt: skip
    assert list(SIGNS) == list(SIGN_KEYS)
    assert [SIGNS[k].index for k in SIGN_KEYS] == list(range(12))


@pytest.mark.parametrize(
    ("key", "name", "symbol", "element", "modality", "ruler", "traditional"),
    [
        ("aries", "Aries", "♈", "fire", "cardinal", "mars", "mars"),
        ("taurus", "Taurus", "♉", "earth", "fixed", "venus", "venus"),
        ("gemini", "Gemini", "♊", "air", "mutable", "mercury", "mercury"),
        ("cancer", "Cancer", "♋", "water", "cardinal", "moon", "moon"),
        ("leo", "Leo", "♌", "fire", "fixed", "sun", "sun"),
        ("virgo", "Virgo", "♍", "earth", "mutable", "mercury", "mercury"),
        ("libra", "Libra", "♎", "air", "cardinal", "venus", "venus"),
        ("scorpio", "Scorpio", "♏", "water", "fixed", "pluto", "mars"),
        ("sagittarius", "Sagittarius", "♐", "fire", "mutable", "jupiter", "jupiter"),
        ("capricorn", "Capricorn", "♑", "earth", "cardinal", "saturn", "saturn"),
        ("aquarius", "Aquarius", "♒", "air", "fixed", "uranus", "saturn"),
        ("pisces", "Pisces", "♓", "water", "mutable", "neptune", "jupiter"),
    ],
)
def test_sign_attributes(key, name, symbol, element, modality, ruler, traditional):
    sign = SIGNS[key]
    assert (sign.key, sign.name, sign.symbol) == (key, name, symbol)
    assert (sign.element, sign.modality) == (element, modality)
    assert (sign.ruler, sign.traditional_ruler) == (ruler, traditional)


@pytest.mark.parametrize(
    ("longitude", "key"),
    [
        (0.0, "aries"),
        (29.999999, "aries"),
        (30.0, "taurus"),
        (89.5, "gemini"),
        (90.0, "cancer"),
        (180.0, "libra"),
        (270.0, "capricorn"),
        (359.999999, "pisces"),
        (360.0, "aries"),
        (765.0, "taurus"),
        (-0.5, "pisces"),
        (-1e-17, "pisces"),  # -1e-17 % 360 rounds to 360.0: must not fall off the end
        (-90.0, "capricorn"),
    ],
)
def test_sign_of_longitude(longitude, key):
    assert sign_of_longitude(longitude).key == key


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_sign_of_longitude_rejects_non_finite(bad):
    with pytest.raises(InvalidInput) as err:
        sign_of_longitude(bad)
    assert err.value.field == "longitude"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Aries", "aries"),
        ("aries", "aries"),
        ("  LEO ", "leo"),
        ("Sagittarius", "sagittarius"),
        ("♏", "scorpio"),
        # Vietnamese names, with and without diacritics, any case and separator.
        ("Bạch Dương", "aries"),
        ("bach duong", "aries"),
        ("BẠCH DƯƠNG", "aries"),
        ("bach-duong", "aries"),
        ("Kim Ngưu", "taurus"),
        ("Song Tử", "gemini"),
        ("song tu", "gemini"),
        ("Cự Giải", "cancer"),
        ("Sư Tử", "leo"),
        ("su tu", "leo"),
        ("Xử Nữ", "virgo"),
        ("Trinh Nữ", "virgo"),
        ("Thiên Bình", "libra"),
        ("Bọ Cạp", "scorpio"),
        ("Thiên Yết", "scorpio"),
        ("Nhân Mã", "sagittarius"),
        ("Ma Kết", "capricorn"),
        ("Bảo Bình", "aquarius"),
        ("bao binh", "aquarius"),
        ("Song Ngư", "pisces"),
        ("song ngu", "pisces"),
    ],
)
def test_get_sign_by_name(name, key):
    assert get_sign(name).key == key


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_every_vietnamese_name_round_trips(form):
    for sign in SIGNS.values():
        assert get_sign(unicodedata.normalize(form, sign.name_vi)) is sign
        assert get_sign(sign.name.upper()) is sign


@pytest.mark.parametrize("bad", ["Ophiuchus", "", "Arie", "song"])
def test_unknown_sign_names_the_field_and_lists_the_valid_ones(bad):
    with pytest.raises(UnknownSign) as err:
        get_sign(bad)
    assert err.value.field == "sign"
    assert isinstance(err.value, InvalidInput) and isinstance(err.value, OraculumError)
    message = str(err.value)
    assert message.startswith("sign:")
    for sign in SIGNS.values():
        assert sign.name in message


def test_unknown_sign_can_name_another_field():
    with pytest.raises(UnknownSign) as err:
        get_sign("nope", field="partner_sign")
    assert err.value.field == "partner_sign"


def test_opposites():
    pairs = {"aries": "libra", "taurus": "scorpio", "gemini": "sagittarius"}
    pairs |= {"cancer": "capricorn", "leo": "aquarius", "virgo": "pisces"}
    for a, b in pairs.items():
        assert opposite(a).key == b
        assert opposite(SIGNS[b]).key == a
    for sign in SIGNS.values():
        assert opposite(opposite(sign)) is sign
        assert opposite(sign).modality == sign.modality


def test_same_element_gives_the_two_other_signs_in_order():
    assert [s.key for s in same_element("aries")] == ["leo", "sagittarius"]
    assert [s.key for s in same_element("Bảo Bình")] == ["gemini", "libra"]
    assert [s.key for s in same_element(SIGNS["cancer"])] == ["scorpio", "pisces"]
    for sign in SIGNS.values():
        others = same_element(sign)
        assert len(others) == 2
        assert sign not in others
        assert all(o.element == sign.element for o in others)


def test_sign_start_longitudes():
    assert [SIGNS[k].start_longitude for k in SIGN_KEYS] == [30.0 * i for i in range(12)]
