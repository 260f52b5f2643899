"""Charts against a date and against each other: transits with the moment each aspect is
exact, synastry, composite, solar and lunar returns. Shared by the command line and the API;
each returns what the JSON shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from oraculum.domain.aspects import aspects
from oraculum.domain.chart import Chart, natal_chart
from oraculum.domain.errors import InvalidInput
from oraculum.domain.returns import composite, crossings, lunar_returns, solar_return
from oraculum.domain.sky import BODY_KEYS, sky_at, zone
from oraculum.domain.zodiac import SIGNS, sign_of_longitude
from oraculum.readings.compatibility import relation

# Transits are felt within a few degrees: tighter than natal orbs.
TRANSIT_ORBS = {"conjunction": 3.0, "opposition": 3.0, "square": 3.0, "trine": 3.0,
                "sextile": 2.0}  # fmt: skip
ANGLE = {"conjunction": 0.0, "sextile": 60.0, "square": 90.0, "trine": 120.0, "opposition": 180.0}
EXACT_WINDOW = timedelta(days=60)  # searched either side of the date for the exact moment
SYNASTRY_PAIRS = (("sun", "sun"), ("moon", "moon"), ("venus", "mars"), ("mars", "venus"),
                  ("sun", "moon"), ("moon", "sun"))  # fmt: skip


@dataclass(frozen=True)
class Person:
    name: str
    day: date
    at: time | None
    tz: str
    lat: float | None
    lon: float | None


def chart_of(p: Person) -> Chart:
    return natal_chart(p.day, p.at, p.tz, p.lat, p.lon)


def points(chart: Chart) -> dict[str, float]:
    keep = (*BODY_KEYS, "ascendant", "midheaven")
    return {p.body: p.longitude for p in chart.placements if p.body in keep}


def where(lon: float) -> str:
    sign = sign_of_longitude(lon)
    return f"{sign.name} {int(lon - sign.start_longitude)}°"


def exact_moment(body: str, natal: float, kind: str, near: datetime) -> datetime | None:
    """When the transiting body is exactly in aspect, nearest to `near` (within the window)."""
    targets = {(natal + ANGLE[kind]) % 360, (natal - ANGLE[kind]) % 360}
    lo, hi = near - EXACT_WINDOW, near + EXACT_WINDOW
    found = [t for target in targets for t in crossings(body, target, lo, hi)]
    return min(found, key=lambda t: abs(t - near)) if found else None


def transits(p: Person, on: date) -> dict[str, Any]:
    natal = points(chart_of(p))
    at = datetime.combine(on, time(12), zone(p.tz)).astimezone(UTC)
    sky = sky_at(at)
    moving = {b.body: b.longitude for b in sky.bodies}
    speeds = {b.body: b.speed_deg_per_day for b in sky.bodies}
    found = aspects(moving, natal, orbs=TRANSIT_ORBS, speeds=speeds,
                    second_speeds=dict.fromkeys(natal, 0.0), luminary_bonus=0.0)  # fmt: skip
    rows = []
    for a in found:
        exact = None if a.a == "moon" else exact_moment(a.a, natal[a.b], a.kind, at)
        rows.append({
            "transit": a.a, "natal": a.b, "kind": a.kind, "orb": round(a.orb, 2),
            "applying": a.applying, "transit_at": where(moving[a.a]),
            "natal_at": where(natal[a.b]),
            "exact_utc": exact.strftime("%Y-%m-%dT%H:%MZ") if exact else None,
        })  # fmt: skip
    return {"person": p.name, "date": on.isoformat(), "aspects": rows}


def _overlay(of: Chart, onto: Chart) -> dict[str, int]:
    if onto.houses is None:
        return {}
    return {p.body: onto.houses.house_of(p.longitude) for p in of.placements
            if p.body in BODY_KEYS}  # fmt: skip


def synastry(a_person: Person, b_person: Person) -> dict[str, Any]:
    a, b = chart_of(a_person), chart_of(b_person)
    found = aspects(points(a), points(b))
    summary = [
        {"a": x, "b": y, "a_sign": a.placement(x).sign, "b_sign": b.placement(y).sign,
         "relation": relation(SIGNS[a.placement(x).sign], SIGNS[b.placement(y).sign])}
        for x, y in SYNASTRY_PAIRS
    ]  # fmt: skip
    return {
        "people": [a_person.name, b_person.name],
        "aspects": [{"a": x.a, "b": x.b, "kind": x.kind, "orb": round(x.orb, 2)} for x in found],
        "a_in_b_houses": _overlay(a, b),
        "b_in_a_houses": _overlay(b, a),
        "elements": {"a": a.elements, "b": b.elements},
        "summary": summary,
    }


def composite_of(a_person: Person, b_person: Person) -> dict[str, Any]:
    mid = composite(points(chart_of(a_person)), points(chart_of(b_person)))
    rows = [{"body": k, "longitude": round(v, 4), "sign": sign_of_longitude(v).key,
             "degree": int(v % 30)} for k, v in mid.items()]  # fmt: skip
    return {"people": [a_person.name, b_person.name], "placements": rows}


def returns_of(p: Person, solar: int | None, lunar: str | None) -> dict[str, Any]:
    if (solar is None) == (lunar is None):
        raise InvalidInput("solar", "give a solar return's year or a lunar return's month")
    natal = chart_of(p)
    if solar is not None:
        moments = [solar_return(natal.placement("sun").longitude, solar, p.day)]
    else:
        moments = _lunar(natal, lunar or "")
    return {"person": p.name, "returns": [_moment(m, p) for m in moments]}


def _lunar(natal: Chart, month: str) -> list[datetime]:
    try:
        first = datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise InvalidInput("lunar", f"{month!r} is not YYYY-MM") from None
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return lunar_returns(natal.placement("moon").longitude, first, last)


def _moment(m: datetime, p: Person) -> dict[str, Any]:
    local = m.astimezone(zone(p.tz))
    chart = natal_chart(local.date(), local.time().replace(tzinfo=None), p.tz, p.lat, p.lon)
    asc = next((x for x in chart.placements if x.body == "ascendant"), None)
    return {"utc": m.strftime("%Y-%m-%dT%H:%MZ"), "local": local.strftime("%Y-%m-%d %H:%M"),
            "ascendant": where(asc.longitude) if asc else None,
            "placements": {x.body: where(x.longitude) for x in chart.placements}}  # fmt: skip
