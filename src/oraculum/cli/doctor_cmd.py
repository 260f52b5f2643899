"""`oraculum doctor`: is this deployment ready? One line per check, and what to do."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import out, print_json
from oraculum.doctor import load_settings, run


def doctor_command(
    as_json: Annotated[bool, typer.Option("--json", help="print the checks as JSON")] = False,
    call_models: Annotated[
        bool, typer.Option("--call-models", help="also send one tiny request to cloud models")
    ] = False,
) -> None:
    """Check settings, credentials, each backend, and that the stores agree with the embedder.

    Writes nothing. Exit 1 when a check fails.
    """
    settings, checks = load_settings()
    if settings is not None:
        checks += run(settings, call_models=call_models)
    healthy = all(c.ok for c in checks)
    if as_json:
        print_json({"ok": healthy, "checks": [c.as_dict() for c in checks]})
    else:
        table = Table(show_header=True)
        for column in ("", "check", "result", "what to do"):
            table.add_column(column, overflow="fold")
        for c in checks:
            table.add_row("[green]ok[/]" if c.ok else "[red]FAIL[/]", c.name, c.detail, c.fix)
        out.print(table)
    if not healthy:
        raise typer.Exit(1)
