"""`oraculum transits`, `synastry`, `composite` and `return`: charts against a date, against
each other, and the moments the Sun or Moon come back (readings/relations.py). People are JSON
files (cli/person.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import friendly_errors, out, print_json
from oraculum.cli.parsing import parse_day_or_today
from oraculum.cli.person import load_person
from oraculum.cli.readings_cmd import Json
from oraculum.config import Settings
from oraculum.readings.relations import composite_of, returns_of, synastry, transits

PersonFile = Annotated[Path, typer.Argument(help="a person: JSON with date, time, tz, lat, lon")]
Day = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today)")]


def transits_command(person: PersonFile, day: Day = None, as_json: Json = False) -> None:
    """The planets of a date against a natal chart: the aspects in orb, and when each is exact."""
    with friendly_errors():
        p = load_person(person)
        found = transits(p, parse_day_or_today(day, "--date", Settings().clock(), p.tz))
    if as_json:
        print_json(found)
        return
    table = Table(title=f"transits to {p.name}'s chart, {found['date']}")
    for name in ("transit", "aspect", "natal", "orb", "exact (UTC)"):
        table.add_column(name)
    for r in found["aspects"]:
        exact = r["exact_utc"][5:16].replace("T", " ") if r["exact_utc"] else "—"
        orb = f"{r['orb']:.1f}°" + (" →" if r["applying"] else "")
        table.add_row(f"{r['transit']} {r['transit_at']}", r["kind"],
                      f"{r['natal']} {r['natal_at']}", orb, exact)  # fmt: skip
    out.print(table)


def synastry_command(first: PersonFile, second: PersonFile, as_json: Json = False) -> None:
    """Two charts against each other: the aspects between them, each one's planets in the
    other's houses, and the signs' relations by element (the base's compatibility rules)."""
    with friendly_errors():
        found = synastry(load_person(first), load_person(second))
    if as_json:
        print_json(found)
        return
    a, b = found["people"]
    table = Table(title=f"{a} × {b}")
    for name in (a, "aspect", b, "orb"):
        table.add_column(name)
    for x in found["aspects"][:20]:
        table.add_row(x["a"], x["kind"], x["b"], f"{x['orb']:.1f}°")
    out.print(table)
    for s in found["summary"]:
        out.print(f"{s['a']} in {s['a_sign']} – {s['b']} in {s['b_sign']}: {s['relation']}")


def composite_command(first: PersonFile, second: PersonFile, as_json: Json = False) -> None:
    """The composite chart: each point at the midpoint of the two charts' positions of it."""
    with friendly_errors():
        found = composite_of(load_person(first), load_person(second))
    if as_json:
        print_json(found)
        return
    table = Table(title="composite of " + " and ".join(found["people"]))
    for name in ("point", "sign", "°"):
        table.add_column(name)
    for r in found["placements"]:
        table.add_row(r["body"], r["sign"], str(r["degree"]))
    out.print(table)


def return_command(
    person: PersonFile,
    solar: Annotated[int | None, typer.Option("--solar", help="the year of a solar return")] = None,
    lunar: Annotated[str | None, typer.Option("--lunar", help="YYYY-MM: the lunar returns")] = None,
    as_json: Json = False,
) -> None:
    """The exact moment the Sun (or Moon) comes back to its natal place, in UTC and local time,
    and the chart of that moment at the birth place."""
    with friendly_errors():
        p = load_person(person)
        found = returns_of(p, solar, lunar)
    if as_json:
        print_json(found)
        return
    for r in found["returns"]:
        out.print(f"{r['utc']} UTC · {r['local']} {p.tz}: Ascendant {r['ascendant'] or '—'}")
