"""`oraculum events`: ingresses, stations, lunations and eclipses between two days."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import friendly_errors, out, print_json
from oraculum.cli.parsing import parse_date, parse_day_or_today
from oraculum.cli.readings_cmd import Json, Lang
from oraculum.config import Settings
from oraculum.readings.services import check_lang
from oraculum.readings.sky_events import event_dict, events_on_days

DEFAULT_DAYS = 7


def events_command(
    start: Annotated[
        str | None, typer.Option("--from", help="first local day, YYYY-MM-DD (default: today)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="last local day, YYYY-MM-DD (default: a week on)")
    ] = None,
    tz: Annotated[str, typer.Option(help="IANA time zone of the days and local times")] = "UTC",
    lang: Lang = "en",
    moon: Annotated[bool, typer.Option(help="list the Moon's sign changes too")] = True,
    as_json: Json = False,
) -> None:
    """The sky's events, to the minute, from the bundled ephemeris: planets entering signs,
    turning retrograde or direct, new and full moons and quarters, eclipses."""
    with friendly_errors():
        check_lang(lang)
        first = parse_day_or_today(start, "--from", Settings().clock(), tz)
        last = parse_date(end, "--to") if end else first + timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            from oraculum.domain.errors import InvalidInput

            raise InvalidInput("--to", f"{last} is before --from {first}")
        found, w = events_on_days(first, last, tz, lang, moon_ingresses=moon)
        rows = [event_dict(e, tz, w) for e in found]
    if as_json:
        print_json({"from": first.isoformat(), "to": last.isoformat(), "tz": tz, "events": rows})
        return
    table = Table(title=f"{first} … {last} ({tz})")
    for name in ("UTC", w.labels["local"], w.labels["event"]):
        table.add_column(name, no_wrap=name != w.labels["event"])
    for row in rows:
        table.add_row(row["at_utc"][5:].replace("T", " "),
                      f"{row['local_date'][5:]} {row['local_time']}", row["text"])  # fmt: skip
    if not rows:
        table.caption = w.events["none"]
    out.print(table)
