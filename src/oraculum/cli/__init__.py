"""The `oraculum` command; each command group lives in its own module."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

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


def _command(name: str, function: Callable[..., None], **options: Any) -> None:
    """Register a command; its line in `oraculum --help` is its docstring's first paragraph as
    one line (rich keeps the docstring's own line breaks, which break an 80-column table)."""
    summary = " ".join((inspect.getdoc(function) or "").split("\n\n")[0].split())
    app.command(name, short_help=summary or None, **options)(function)


_command("ingest", ingest_command)
_command("ingest-finish", ingest_finish_command)
_command("verify", verify_command)
_command("repair", repair_command)
_command("stats", stats_command)
_command("search", search_command)
_command("tarot", tarot_command)
_command("spreads", spreads_command)
_command("ask", ask_command)
_command("demo", demo_command)
app.add_typer(horoscope_app, name="horoscope")
_command("natal", natal_command)
_command("sky", sky_command)
_command("events", events_command)
_command("transits", transits_command)
_command("synastry", synastry_command)
_command("composite", composite_command)
_command("return", return_command)
_command("serve", serve_command)
_command("invoke", invoke_command)
_command("mcp", mcp_command)
_command("doctor", doctor_command)
_command("alarms", alarms_command, **ALARMS_COMMAND)


def main() -> None:
    app()
