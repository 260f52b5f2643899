"""The chart wheel: valid SVG that holds every placement where the chart puts it."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date, time

from oraculum.domain.chart import natal_chart
from oraculum.readings.wheel import CENTER, R_PLANETS, wheel_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_the_wheel_parses_and_holds_every_body_sign_house_and_aspect():
    chart = natal_chart(date(1990, 5, 15), time(14, 30), "Asia/Ho_Chi_Minh", 10.8231, 106.6297)
    root = ET.fromstring(wheel_svg(chart, "An"))
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text == "An"
    bodies = {g.get("data-body"): g for g in root.iter(f"{SVG}g")}
    assert set(bodies) == {p.body for p in chart.placements}  # ten bodies, nodes and angles
    for p in chart.placements:
        g = bodies[p.body]
        assert (g.get("data-sign"), g.get("data-degree")) == (p.sign, str(p.degree))
        assert g.find(f"{SVG}text").text  # its glyph
    signs = [e.get("data-sign") for e in root.iter(f"{SVG}path")]
    assert len(signs) == 12
    assert len([e for e in root.iter(f"{SVG}line") if e.get("data-house")]) == 12
    drawn = {e.get("data-aspect") for e in root.iter(f"{SVG}line") if e.get("data-aspect")}
    assert "moon conjunction saturn" in drawn


def test_the_ascendant_is_at_nine_o_clock():
    chart = natal_chart(date(1990, 5, 15), time(14, 30), "Asia/Ho_Chi_Minh", 10.8231, 106.6297)
    root = ET.fromstring(wheel_svg(chart))
    asc = next(g for g in root.iter(f"{SVG}g") if g.get("data-body") == "ascendant")
    x, y = float(asc[0].get("x")), float(asc[0].get("y"))
    assert math.isclose(x, CENTER - R_PLANETS, abs_tol=1.0) and math.isclose(y, CENTER, abs_tol=1.0)


def test_a_chart_without_a_birth_time_has_a_wheel_without_houses():
    root = ET.fromstring(wheel_svg(natal_chart(date(1990, 5, 15), None, "UTC", None, None)))
    assert not [e for e in root.iter(f"{SVG}line") if e.get("data-house")]
    assert len([g for g in root.iter(f"{SVG}g") if g.get("data-body")]) == 12
