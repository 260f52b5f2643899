"""The full natal chart as a reader gets it. The maths is checked against the Swiss Ephemeris in
tests/unit/test_houses.py and test_aspects.py; here, what the reading does with it."""

from __future__ import annotations

from datetime import date, time

import pytest

from oraculum.readings.natal import NatalRequest, natal_reading

pytestmark = pytest.mark.slow
HCMC = NatalRequest(date(1990, 5, 15), time(14, 30), "Asia/Ho_Chi_Minh", 10.8231, 106.6297)


def test_a_chart_with_time_and_place_has_every_placement_house_and_angle(services):
    chart = natal_reading(HCMC, services).as_dict()["chart"]
    bodies = [p["body"] for p in chart["placements"]]
    assert bodies[:10] == ["sun", "moon", "mercury", "venus", "mars", "jupiter", "saturn",
                           "uranus", "neptune", "pluto"]  # fmt: skip
    assert {"north-node", "south-node", "ascendant", "midheaven"} <= set(bodies)
    assert all(1 <= p["house"] <= 12 for p in chart["placements"])
    asc = next(p for p in chart["placements"] if p["body"] == "ascendant")
    assert (asc["sign"], asc["degree"]) == ("libra", 1)  # 181.9°: published charts agree
    assert chart["houses"]["system"] == "placidus" and len(chart["houses"]["cusps"]) == 12
    assert chart["ruler"] == "venus" and sum(chart["elements"].values()) == 10
    kinds = {(a["a"], a["b"], a["kind"]) for a in chart["aspects"]}
    assert ("moon", "saturn", "conjunction") in kinds
    assert all(a["orb"] <= 10 for a in chart["aspects"])


def test_the_ascendant_near_a_cusp_is_a_warning_in_both_languages(services):
    en = natal_reading(HCMC, services).as_dict()
    warning = next(w for w in en["chart"]["warnings"] if w["point"] == "ascendant")
    assert (warning["now"], warning["other"], warning["minutes"]) == ("libra", "virgo", -8)
    assert "8 minutes earlier it would be in Virgo" in en["text"]
    vi = natal_reading(NatalRequest(**{**HCMC.__dict__, "lang": "vi"}), services).as_dict()
    assert (
        "8 phút" in vi["text"] and "Xử Nữ" in vi["text"] and "kiểm tra lại giờ sinh" in vi["text"]
    )


def test_without_a_birth_time_the_chart_says_what_is_missing(services):
    answer = natal_reading(NatalRequest(date(1990, 5, 15), lang="vi"), services).as_dict()
    chart = answer["chart"]
    assert chart["missing"] == ["no-time"] and chart["houses"] is None
    assert all(p["house"] is None for p in chart["placements"])
    assert "Không có giờ sinh" in answer["text"]


def test_other_house_systems_and_the_polar_fallback(services):
    koch = natal_reading(NatalRequest(**{**HCMC.__dict__, "house_system": "koch"}), services)
    assert koch.reading["chart"]["houses"]["system"] == "koch"
    tromso = NatalRequest(date(1990, 5, 15), time(14, 30), "Europe/Oslo", 69.65, 18.96)
    chart = natal_reading(tromso, services).reading["chart"]
    assert (
        chart["houses"]["system"] == "equal" and chart["houses"]["requested_system"] == "placidus"
    )
    assert chart["houses"]["fallback_reason"]


def test_each_planet_reads_its_own_sign_and_house(services):
    answer = natal_reading(HCMC, services).as_dict()
    for p in answer["chart"]["placements"][:10]:
        house = f"planet-in-house/{p['body']}-in-house-{p['house']}/en#"
        sign = f"planet-in-sign/{p['body']}-in-{p['sign']}/en#"
        assert any(s.startswith(house) for s in answer["sources"]), house
        assert any(s.startswith(sign) for s in answer["sources"]), sign


def test_minor_aspects_on_request(services):
    major = natal_reading(HCMC, services).reading["chart"]["aspects"]
    both = natal_reading(NatalRequest(**{**HCMC.__dict__, "minor_aspects": True}), services)
    kinds = {a["kind"] for a in both.reading["chart"]["aspects"]}
    assert kinds - {a["kind"] for a in major} and kinds & {"semi-sextile", "semi-square",
                                                          "sesquiquadrate", "quincunx", "quintile"}  # fmt: skip
