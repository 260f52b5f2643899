"""What a full natal chart reads: each placement with its own passages (the planet in its sign,
in its house; the Ascendant's sign), the tightest aspects with the aspect's passage, and the
facts the chart computes (balance, ruler, what a few minutes of birth time would change, what
is missing), in the reading's language."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from oraculum.domain.chart import Chart, Placement
from oraculum.domain.sky import BODY_KEYS
from oraculum.ports import ContextGroup, ContextItem
from oraculum.readings.services import Services
from oraculum.readings.words import Words

ASPECTS_READ = 6  # the tightest major aspects the reading dwells on (all are in the JSON)
MAJOR = ("conjunction", "sextile", "square", "trine", "opposition")


def point_name(body: str, w: Words) -> str:
    return w.points[body] if body in w.points else w.body(body)


def placement_phrase(p: Placement, w: Words) -> str:
    retro = w.chart["retro"] if p.retrograde and p.body in BODY_KEYS[2:] else ""
    key = "placement" if p.house else "placement_no_house"
    return w.chart[key].format(body=point_name(p.body, w), sign=w.sign(p.sign),
                               degree=p.degree, retro=retro, house=p.house)  # fmt: skip


def _natal(entity: str, section: str, lang: str, services: Services, n: int, title: str):  # noqa: ANN202
    items, _ = services.knowledge.sections(entity, lang, (section,))
    return [replace(i, sentences=n, title=title) for i in items[:1]]


def chart_groups(chart: Chart, lang: str, services: Services, w: Words) -> list[ContextGroup]:
    groups = []
    if chart.houses is not None:
        asc = chart.placement("ascendant")
        heading = w.chart["ascendant_heading"].format(sign=w.sign(asc.sign), degree=asc.degree)
        items = _natal(f"zodiac-sign/{asc.sign}", "ascendant", lang, services, 3, heading)
        groups.append(ContextGroup(heading, tuple(items)))
    for p in chart.placements:
        if p.body not in BODY_KEYS:
            continue
        heading = placement_phrase(p, w)
        depth = 3 if p.body in ("sun", "moon") else 2
        items: list[ContextItem] = _natal(
            f"planet-in-sign/{p.body}-in-{p.sign}", "natal", lang, services, depth, heading
        )
        if p.house:
            items += _natal(f"planet-in-house/{p.body}-in-house-{p.house}", "natal", lang,
                            services, 1, heading)  # fmt: skip
        groups.append(ContextGroup(heading, tuple(items)))
    explained: set[str] = set()  # each kind of aspect is explained once, at its tightest
    for a in [a for a in chart.aspects if a.kind in MAJOR][:ASPECTS_READ]:
        heading = w.chart["aspect"].format(a=point_name(a.a, w), b=point_name(a.b, w),
                                           aspect=w.aspects[a.kind], orb=a.orb)  # fmt: skip
        items = [] if a.kind in explained else _natal(f"aspect/{a.kind}", "natal", lang,
                                                      services, 1, heading)  # fmt: skip
        explained.add(a.kind)
        groups.append(ContextGroup(heading, tuple(items)))
    return groups


def chart_facts(chart: Chart, w: Words) -> list[str]:
    facts = [w.chart[m].format(system=w.chart["equal"]) for m in chart.missing]
    facts.append(w.chart["elements"].format(**chart.elements, **chart.modalities))
    element, n = max(chart.elements.items(), key=lambda kv: kv[1])
    facts.append(w.chart["strong"].format(element=w.elements[element], n=n))
    facts += [w.chart["lacking"].format(element=w.elements[e]) for e, k in chart.elements.items()
              if k == 0]  # fmt: skip
    if chart.houses is not None:
        if chart.houses.fallback_reason and "polar" not in chart.missing:
            facts.append(chart.houses.fallback_reason)
        facts.append(w.chart["houses"].format(system=w.chart[chart.houses.system]))
    if chart.ruler:
        asc = chart.placement("ascendant")
        ruler = chart.placement(chart.ruler)
        where = w.chart["where"].format(sign=w.sign(ruler.sign), degree=ruler.degree,
                                        house=ruler.house)  # fmt: skip
        facts.append(w.chart["ruler"].format(planet=w.body(chart.ruler), sign=w.sign(asc.sign),
                                             where=where))  # fmt: skip
    for warn in chart.warnings:
        when = w.chart["earlier" if warn.minutes < 0 else "later"]
        if warn.what == "sign":
            p = chart.placement(warn.point)
            facts.append(w.chart["near_sign"].format(
                point=point_name(warn.point, w), degree=p.degree, sign=w.sign(str(warn.now)),
                minutes=abs(warn.minutes), when=when, other=w.sign(str(warn.other)),
            ))  # fmt: skip
        else:
            facts.append(w.chart["near_house"].format(body=point_name(warn.point, w),
                         minutes=abs(warn.minutes), when=when, other=warn.other))  # fmt: skip
    return facts


def chart_dict(chart: Chart) -> dict[str, Any]:
    h = chart.houses
    return {
        "instant": chart.instant.isoformat() if chart.instant else None,
        "placements": [
            {
                "body": p.body,
                "longitude": round(p.longitude, 4),
                "sign": p.sign,
                "degree": p.degree,
                "house": p.house,
                "retrograde": p.retrograde,
            }
            for p in chart.placements
        ],
        "houses": None
        if h is None
        else {
            "system": h.system,
            "requested_system": h.requested_system,
            "fallback_reason": h.fallback_reason,
            "cusps": [round(c, 4) for c in h.cusps],
        },
        "aspects": [
            {"a": a.a, "b": a.b, "kind": a.kind, "orb": round(a.orb, 2), "applying": a.applying}
            for a in chart.aspects
        ],
        "elements": chart.elements,
        "modalities": chart.modalities,
        "ruler": chart.ruler,
        "warnings": [
            {"point": x.point, "what": x.what, "now": x.now, "other": x.other, "minutes": x.minutes}
            for x in chart.warnings
        ],
        "missing": list(chart.missing),
    }
