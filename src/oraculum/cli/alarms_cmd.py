"""`oraculum alarms plan|apply|destroy|test ...`: the standalone ops/alarms.py, as a command.

Every argument after `alarms` goes to `oraculum.ops.alarms.main` untouched (its own --help
included), so the command and `python3 alarms.py` in CloudShell take the same options.
"""

from __future__ import annotations

from typing import Any

import typer

# how the command is registered: pass everything through, --help too
ALARMS_COMMAND: dict[str, Any] = {
    "context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
    "add_help_option": False,
}


def alarms_command(ctx: typer.Context) -> None:
    """CloudWatch alarms for every Lambda function (and the HTTP APIs in front of them), and
    proof that they fire (--help)."""
    from oraculum.ops import alarms

    raise typer.Exit(alarms.main(list(ctx.args), prog="oraculum alarms"))
