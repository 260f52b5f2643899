"""`oraculum invoke FUNCTION --event FILE`: run a Lambda handler here on a sample event."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from oraculum.cli.common import err, fail, print_json

FUNCTIONS = ("tarot", "horoscope", "ask", "precompute")


@dataclass
class LocalContext:
    """The parts of Lambda's context object the handlers and Powertools read."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:oraculum-local"
    log_group_name: str = "/aws/lambda/oraculum-local"
    log_stream_name: str = "local"
    deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def invoke_command(
    function: Annotated[str, typer.Argument(help=f"one of: {', '.join(FUNCTIONS)}")],
    event: Annotated[Path, typer.Option(help="a JSON event, e.g. events/tarot-reading.json")],
    timeout_s: Annotated[
        float, typer.Option(help="the function's timeout, for the context")
    ] = 28.0,
) -> None:
    """Run one Lambda handler in this process on an event file and print what it returns.

    As in the deployed stack, the API trusts the API Gateway authorizer's identity carried by
    the event (ORACULUM_AUTH_MODE=gateway, unless set otherwise).
    """
    if function not in FUNCTIONS:
        fail(f"unknown function {function!r}; choose one of {', '.join(FUNCTIONS)}")
    try:
        payload = json.loads(event.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        fail(f"--event {event}: {exc}")
    os.environ.setdefault("ORACULUM_AUTH_MODE", "gateway")
    from oraculum.api.aws_lambda import handlers as lambda_handlers

    context = LocalContext(
        f"oraculum-{function}", str(uuid.uuid4()), deadline=time.monotonic() + timeout_s
    )
    started = time.perf_counter()
    # The handler's logs and EMF lines go where Lambda would send them (the log stream):
    # here stderr, so that stdout holds only the result.
    with contextlib.redirect_stdout(sys.stderr):
        result = getattr(lambda_handlers, function)(payload, context)
    err.print(f"[dim]{function}: {(time.perf_counter() - started) * 1e3:.0f} ms[/]")
    if isinstance(result, dict) and isinstance(result.get("body"), str):
        with contextlib.suppress(json.JSONDecodeError):
            result = {**result, "body": json.loads(result["body"])}
    print_json(result)
    status = result.get("statusCode", 200) if isinstance(result, dict) else 200
    if status >= 500:
        raise typer.Exit(1)
