"""The `oraculum` command; each command group lives in its own module."""

from __future__ import annotations

import typer

from oraculum.cli.alarms_cmd import ALARMS_COMMAND, alarms_command
from oraculum.cli.charts_cmd import (
    composite_command,
    return_command,
    synastry_command,
    transits_command,
)
from oraculum.cli.doctor_cmd import doctor_command
from oraculum.cli.events_cmd import events_command
from oraculum.cli.ingest_cmd import ingest_command, ingest_finish_command
from oraculum.cli.invoke_cmd import invoke_command
from oraculum.cli.mcp_cmd import mcp_command
from oraculum.cli.readings_cmd import ask_command, demo_command, spreads_command, tarot_command
from oraculum.cli.search_cmd import search_command
from oraculum.cli.serve_cmd import serve_command
from oraculum.cli.sky_cmd import horoscope_app, natal_command, sky_command
from oraculum.cli.store_cmd import repair_command, stats_command, verify_command

app = typer.Typer(
    name="oraculum",
    help="A retrieval-augmented backend for Tarot and horoscope readings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("ingest")(ingest_command)
app.command("ingest-finish")(ingest_finish_command)
app.command("verify")(verify_command)
app.command("repair")(repair_command)
app.command("stats")(stats_command)
app.command("search")(search_command)
app.command("tarot")(tarot_command)
app.command("spreads")(spreads_command)
app.command("ask")(ask_command)
app.command("demo")(demo_command)
app.add_typer(horoscope_app, name="horoscope")
app.command("natal")(natal_command)
app.command("sky")(sky_command)
app.command("events")(events_command)
app.command("transits")(transits_command)
app.command("synastry")(synastry_command)
app.command("composite")(composite_command)
app.command("return")(return_command)
app.command("serve")(serve_command)
app.command("invoke")(invoke_command)
app.command("mcp")(mcp_command)
app.command("doctor")(doctor_command)
app.command("alarms", **ALARMS_COMMAND)(alarms_command)


def main() -> None:
    app()
