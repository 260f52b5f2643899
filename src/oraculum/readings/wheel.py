"""A chart wheel as SVG, drawn with the standard library's XML writer.

The Ascendant lies at nine o'clock and the zodiac runs counter-clockwise, as printed charts
draw it (without a birth time, 0° Aries takes the Ascendant's place). From the outside in: the
twelve signs with their glyphs, the house cusps with their numbers, each body's glyph and
floored degree (spread apart where bodies crowd), and the aspects as lines across the centre,
coloured by kind. Every element carries a `data-` attribute naming what it draws, so tests and
scripts can read the wheel back.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from oraculum.domain.chart import Chart
from oraculum.domain.zodiac import SIGN_KEYS, SIGNS

SIZE = 600
CENTER = SIZE / 2
R_OUTER, R_SIGNS, R_HOUSES, R_PLANETS, R_ASPECTS = 290.0, 250.0, 215.0, 180.0, 140.0
MIN_GAP_DEG = 7.0  # bodies closer than this on the wheel are fanned out
GLYPHS = {
    "sun": "☉", "moon": "☽", "mercury": "☿", "venus": "♀", "mars": "♂", "jupiter": "♃",
    "saturn": "♄", "uranus": "♅", "neptune": "♆", "pluto": "♇", "north-node": "☊",
    "south-node": "☋", "ascendant": "AC", "midheaven": "MC",
}  # fmt: skip
ASPECT_COLOURS = {
    "conjunction": "#6b5b95", "sextile": "#2a9d8f", "trine": "#2a6fdb", "square": "#d62828",
    "opposition": "#e76f51",
}  # fmt: skip
ELEMENT_COLOURS = {"fire": "#fde2d8", "earth": "#e6efd8", "air": "#fff6d6", "water": "#dbe9f6"}


def _point(lon: float, radius: float, asc: float) -> tuple[float, float]:
    """Screen coordinates of a longitude: the Ascendant at 180° on screen, counter-clockwise."""
    angle = math.radians(180.0 + (lon - asc))
    return CENTER + radius * math.cos(angle), CENTER - radius * math.sin(angle)


def _centred(size: str) -> dict[str, str]:
    return {"text-anchor": "middle", "dominant-baseline": "central", "font-size": size}


def _fmt(value: float) -> str:
    return f"{value:.2f}"


def _spread(longitudes: list[tuple[str, float]]) -> dict[str, float]:
    """Where each body's glyph goes: its longitude, nudged so that none overlap."""
    placed: dict[str, float] = {}
    last = None
    for body, lon in sorted(longitudes, key=lambda kv: kv[1]):
        shown = lon if last is None or lon - last >= MIN_GAP_DEG else last + MIN_GAP_DEG
        placed[body] = shown
        last = shown
    return placed


def wheel_svg(chart: Chart, title: str = "") -> str:
    asc = chart.houses.ascendant if chart.houses else 0.0
    svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", width=str(SIZE), height=str(SIZE),
                     viewBox=f"0 0 {SIZE} {SIZE}", role="img")  # fmt: skip
    ET.SubElement(svg, "title").text = title or "natal chart wheel"
    ET.SubElement(svg, "circle", cx=_fmt(CENTER), cy=_fmt(CENTER), r=_fmt(R_OUTER),
                  fill="white", stroke="#333")  # fmt: skip
    _signs(svg, asc)
    if chart.houses:
        _houses(svg, chart, asc)
    _aspects(svg, chart, asc)
    _bodies(svg, chart, asc)
    return ET.tostring(svg, encoding="unicode")


def _signs(svg: ET.Element, asc: float) -> None:
    for i, key in enumerate(SIGN_KEYS):
        start = i * 30.0
        x0, y0 = _point(start, R_OUTER, asc)
        x1, y1 = _point(start, R_SIGNS, asc)
        x2, y2 = _point(start + 30.0, R_OUTER, asc)
        x3, y3 = _point(start + 30.0, R_SIGNS, asc)
        outer = f"A{R_OUTER},{R_OUTER} 0 0 0 {_fmt(x2)},{_fmt(y2)}"
        inner = f"A{R_SIGNS},{R_SIGNS} 0 0 1 {_fmt(x1)},{_fmt(y1)}"
        path = f"M{_fmt(x0)},{_fmt(y0)} {outer} L{_fmt(x3)},{_fmt(y3)} {inner} Z"
        ET.SubElement(svg, "path", d=path, fill=ELEMENT_COLOURS[SIGNS[key].element],
                      stroke="#333", **{"data-sign": key})  # fmt: skip
        gx, gy = _point(start + 15.0, (R_OUTER + R_SIGNS) / 2, asc)
        glyph = ET.SubElement(svg, "text", x=_fmt(gx), y=_fmt(gy), **{
            "text-anchor": "middle", "dominant-baseline": "central", "font-size": "22",
            "data-sign-glyph": key})  # fmt: skip
        glyph.text = SIGNS[key].symbol


def _houses(svg: ET.Element, chart: Chart, asc: float) -> None:
    assert chart.houses is not None
    cusps = chart.houses.cusps
    ET.SubElement(svg, "circle", cx=_fmt(CENTER), cy=_fmt(CENTER), r=_fmt(R_HOUSES),
                  fill="none", stroke="#999")  # fmt: skip
    for n, cusp in enumerate(cusps, start=1):
        x0, y0 = _point(cusp, R_SIGNS, asc)
        x1, y1 = _point(cusp, R_ASPECTS, asc)
        angle = n in (1, 4, 7, 10)
        ET.SubElement(svg, "line", x1=_fmt(x0), y1=_fmt(y0), x2=_fmt(x1), y2=_fmt(y1),
                      stroke="#333" if angle else "#999",
                      **{"stroke-width": "2" if angle else "1", "data-house": str(n)})  # fmt: skip
        nxt = cusps[n % 12]
        middle = cusp + ((nxt - cusp) % 360.0) / 2
        tx, ty = _point(middle, (R_SIGNS + R_HOUSES) / 2, asc)
        label = ET.SubElement(svg, "text", x=_fmt(tx), y=_fmt(ty), **{
            "text-anchor": "middle", "dominant-baseline": "central", "font-size": "12",
            "fill": "#666"})  # fmt: skip
        label.text = str(n)


def _aspects(svg: ET.Element, chart: Chart, asc: float) -> None:
    lons = {p.body: p.longitude for p in chart.placements}
    ET.SubElement(svg, "circle", cx=_fmt(CENTER), cy=_fmt(CENTER), r=_fmt(R_ASPECTS),
                  fill="none", stroke="#ccc")  # fmt: skip
    for a in chart.aspects:
        if a.kind not in ASPECT_COLOURS:
            continue
        x0, y0 = _point(lons[a.a], R_ASPECTS, asc)
        x1, y1 = _point(lons[a.b], R_ASPECTS, asc)
        named = {"stroke-width": "1.5", "data-aspect": f"{a.a} {a.kind} {a.b}"}
        ET.SubElement(svg, "line", x1=_fmt(x0), y1=_fmt(y0), x2=_fmt(x1), y2=_fmt(y1),
                      stroke=ASPECT_COLOURS[a.kind], **named)  # fmt: skip


def _bodies(svg: ET.Element, chart: Chart, asc: float) -> None:
    shown = [(p.body, p.longitude) for p in chart.placements if p.body in GLYPHS]
    placed = _spread(shown)
    for p in chart.placements:
        if p.body not in GLYPHS:
            continue
        tick_x, tick_y = _point(p.longitude, R_HOUSES if chart.houses else R_SIGNS, asc)
        x, y = _point(placed[p.body], R_PLANETS, asc)
        ET.SubElement(svg, "line", x1=_fmt(tick_x), y1=_fmt(tick_y), x2=_fmt(x), y2=_fmt(y),
                      stroke="#bbb")  # fmt: skip
        group = ET.SubElement(svg, "g", **{"data-body": p.body, "data-sign": p.sign,
                                           "data-degree": str(p.degree)})  # fmt: skip
        glyph = ET.SubElement(group, "text", x=_fmt(x), y=_fmt(y), **_centred("18"))
        glyph.text = GLYPHS[p.body]
        dx, dy = _point(placed[p.body], R_PLANETS - 24, asc)
        degree = ET.SubElement(group, "text", x=_fmt(dx), y=_fmt(dy), **_centred("10"))
        degree.text = f"{p.degree}°" + ("℞" if p.retrograde and "node" not in p.body else "")
