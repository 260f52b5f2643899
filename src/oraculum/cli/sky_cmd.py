"""`oraculum horoscope`, `natal` and `sky`: astrology from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import friendly_errors, out, print_json
from oraculum.cli.parsing import parse_date, parse_day_or_today, parse_time
from oraculum.cli.readings_cmd import Json, Lang, reading_services
from oraculum.cli.render import show_answer
from oraculum.config import Settings
from oraculum.domain.errors import InvalidInput
from oraculum.domain.natal_chart import sun_sign_on
from oraculum.domain.sky import sky_on
from oraculum.readings.horoscope import daily_horoscope, precompute
from oraculum.readings.natal import NatalRequest, natal_reading
from oraculum.readings.sky_words import sky_dict

Tz = Annotated[str, typer.Option(help="IANA time zone, e.g. Asia/Ho_Chi_Minh")]
Day = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today)")]

horoscope_app = typer.Typer(help="Daily horoscopes from the sky of the day.", no_args_is_help=False)


def planets_table(sky: dict) -> Table:
    table = Table(title=f"the sky at {sky['instant']}")
    for name in ("body", "longitude", "sign", "°", "motion"):
        table.add_column(name, justify="right" if name in ("longitude", "°") else "left")
    for p in sky["planets"]:
        motion = "[magenta]retrograde ℞[/]" if p["retrograde"] else "direct"
        table.add_row(
            p["name"], f"{p['longitude']:.2f}°", p["sign"], str(int(p["degree_in_sign"])), motion
        )
    phase = sky["moon_phase"]
    table.caption = f"Moon: {phase['name']}, {phase['illumination'] * 100:.0f}% lit"
    return table


@horoscope_app.callback(invoke_without_command=True)
def horoscope_command(
    ctx: typer.Context,
    sign: Annotated[str | None, typer.Option(help="a sign, in English or Vietnamese")] = None,
    birth_date: Annotated[str | None, typer.Option(help="or a birth date: its sun sign")] = None,
    day: Day = None,
    lang: Lang = "en",
    tz: Tz = "UTC",
    weekly: Annotated[bool, typer.Option("--weekly", help="the week's outlook")] = False,
    monthly: Annotated[bool, typer.Option("--monthly", help="the month's outlook")] = False,
    as_json: Json = False,
) -> None:
    """Today's (or --date's) horoscope for --sign, or for the sun sign of --birth-date: every
    planet in the house of your life it crosses, the Moon, and the coming days' events."""
    if ctx.invoked_subcommand is not None:
        return
    with reading_services() as services, friendly_errors():
        if (sign is None) == (birth_date is None):
            raise InvalidInput("sign", "give either --sign or --birth-date")
        if weekly and monthly:
            raise InvalidInput("--weekly", "give --weekly or --monthly, not both")
        notes = []
        if birth_date is not None:
            found, cusp = sun_sign_on(parse_date(birth_date, "--birth-date"), None, tz)
            sign = found.key
            if cusp:
                notes.append(
                    "the Sun changed sign on that day: "
                    "without a birth time it may be the neighbouring sign"
                )
        answer = daily_horoscope(
            sign or "",
            parse_day_or_today(day, "--date", services.clock, tz),
            services,
            lang=lang,
            tz=tz,
            period="week" if weekly else "month" if monthly else "day",
        )
        answer.notes.extend(notes)
    if as_json:
        print_json(answer.as_dict())
    else:
        show_answer(answer, facts=planets_table(answer.reading["sky"]))


@horoscope_app.command("precompute")
def precompute_command(
    day: Day = None, lang: Lang = "en", tz: Tz = "UTC", as_json: Json = False
) -> None:
    """Make the day's 12 horoscopes now, so that requests are served from the store."""
    with reading_services() as services, friendly_errors():
        answers = precompute(
            parse_day_or_today(day, "--date", services.clock, tz), services, lang=lang, tz=tz
        )
    rows = [{"sign": a.reading["sign"], "cached": a.cached, "degraded": a.degraded,
             "total_ms": round(a.timings.total_ms, 1)} for a in answers]  # fmt: skip
    if as_json:
        print_json({"date": answers[0].reading["date"], "lang": lang, "horoscopes": rows})
        return
    table = Table(title=f"horoscopes for {answers[0].reading['date']} ({lang})")
    for name in ("sign", "was cached", "degraded", "ms"):
        table.add_column(name)
    for r in rows:
        table.add_row(r["sign"], str(r["cached"]), str(r["degraded"]), f"{r['total_ms']:.0f}")
    out.print(table)


def natal_command(
    birth_date: Annotated[str, typer.Option("--date", help="birth date, YYYY-MM-DD")],
    birth_time: Annotated[
        str | None, typer.Option("--time", help="birth time, HH:MM (local)")
    ] = None,
    tz: Tz = "UTC",
    lat: Annotated[
        float | None, typer.Option(help="birth latitude, degrees north (-90..90)")
    ] = None,
    lon: Annotated[
        float | None, typer.Option(help="birth longitude, degrees east (-180..180)")
    ] = None,
    lang: Lang = "en",
    houses: Annotated[
        str, typer.Option("--houses", help="placidus, koch, equal or whole-sign")
    ] = "placidus",
    place: Annotated[
        str | None,
        typer.Option(help='the birth place, offline: "Hanoi", "Paris, FR" (sets lat, lon, tz)'),
    ] = None,
    svg: Annotated[
        Path | None, typer.Option("--svg", help="also write the chart wheel to this SVG file")
    ] = None,
    minor: Annotated[bool, typer.Option("--minor-aspects", help="the minor aspects too")] = False,
    as_json: Json = False,
) -> None:
    """The natal chart: the big three, every planet in its sign and house, the Ascendant, the
    aspects, the balance and the chart ruler (houses need the time and place)."""
    with reading_services() as services, friendly_errors():
        found = None
        if place is not None:
            if lat is not None or lon is not None:
                raise InvalidInput("--place", "give --place or --lat and --lon, not both")
            from oraculum.places import resolve

            found = resolve(place, "--place")
            lat, lon, tz = found.latitude, found.longitude, found.tz
        request = NatalRequest(
            parse_date(birth_date, "--date"), parse_time(birth_time, "--time"), tz, lat, lon, lang,
            houses, minor,
        )  # fmt: skip
        answer = natal_reading(request, services)
        if svg is not None:
            from oraculum.domain.chart import natal_chart
            from oraculum.readings.wheel import wheel_svg

            r = request
            chart = natal_chart(r.birth_date, r.birth_time, r.tz, r.latitude, r.longitude,
                                r.house_system)  # fmt: skip
            try:
                svg.write_text(wheel_svg(chart, f"natal chart, {birth_date}"), encoding="utf-8")
            except OSError as exc:
                raise InvalidInput("--svg", f"cannot write {svg}: {exc.strerror}") from None
            answer.notes.append(f"wheel written to {svg}")
        if found is not None:
            answer.reading["place"] = {"name": found.name, "country": found.country,
                                       "latitude": found.latitude, "longitude": found.longitude,
                                       "tz": found.tz}  # fmt: skip
            answer.notes.append(f"--place {place!r}: {found.label()} (GeoNames, CC BY 4.0)")
    if as_json:
        print_json(answer.as_dict())
        return
    show_answer(answer, facts=chart_table(answer.reading["chart"], lang))


def chart_table(chart: dict, lang: str) -> Table:
    """The placements, named in the reading's language: sign, whole degrees (floored), house."""
    from oraculum.readings.chart_words import point_name
    from oraculum.readings.words import words

    w = words(lang)
    houses = chart["houses"]
    table = Table(title=w.chart["houses"].format(system=w.chart[houses["system"]]) if houses
                  else w.chart["no-time"])  # fmt: skip
    for name in ("", w.labels["sign"], "°", w.labels["house"], "℞"):
        table.add_column(name, justify="right" if name in ("°", w.labels["house"]) else "left")
    for p in chart["placements"]:
        motion = "[magenta]℞[/]" if p["retrograde"] and "node" not in p["body"] else ""
        house = str(p["house"]) if p["house"] else "—"
        table.add_row(point_name(p["body"], w), w.sign(p["sign"]), str(p["degree"]), house, motion)
    return table


def sky_command(day: Day = None, tz: Tz = "UTC", as_json: Json = False) -> None:
    """Where the Sun, Moon and planets stand at local noon of a day, and the Moon's phase."""
    with friendly_errors():
        clock = Settings().clock()
        sky = sky_dict(sky_on(parse_day_or_today(day, "--date", clock, tz), tz))
    if as_json:
        print_json(sky)
    else:
        out.print(planets_table(sky))
