"""The short text beside a tool's structured content, for clients that show only text: the
reading and its sources, or a few lines naming what the structured content holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]
MAX_LINES = 20  # lines of events or hits; the structured content has them all


def _reading(data: Data) -> str:
    sources = ", ".join(data["sources"]) or "none"
    return f"{data['text']}\n\nSources: {sources}"


def _sky(data: Data) -> str:
    planets = ", ".join(
        f"{p['name']} {int(p['degree_in_sign'])}° {p['sign']}{' (R)' if p['retrograde'] else ''}"
        for p in data["planets"]
    )
    return f"The sky at {data['instant']}: {planets}. Moon: {data['moon_phase']['name']}."


def _events(data: Data) -> str:
    rows = data["events"]
    head = f"{len(rows)} events from {data['start']} to {data['end']} ({data['tz']})"
    lines = [f"{e['local_date']} {e['local_time']}  {e['text']}" for e in rows[:MAX_LINES]]
    more = [f"... and {len(rows) - MAX_LINES} more"] if len(rows) > MAX_LINES else []
    return "\n".join([head + (":" if rows else "."), *lines, *more])


def _hits(data: Data) -> str:
    hits = data["hits"]
    head = f"{len(hits)} passages for {data['query']!r}"
    lines = [f"[{h['id']}] {h['title']}: {h['snippet']}" for h in hits[:MAX_LINES]]
    return "\n".join([head + (":" if hits else "."), *lines])


TEXTS: dict[str, Callable[[Data], str]] = {
    "tarot_reading": _reading,
    "horoscope": _reading,
    "natal_chart": _reading,
    "sky": _sky,
    "sky_events": _events,
    "search_knowledge": _hits,
}


def summary(tool: str, data: Data) -> str:
    return TEXTS[tool](data)
