"""`oraculum serve`: the HTTP API and the web page, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from oraculum.cli.common import err, settings


def serve_command(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="processes serving the API, each with its own embedder and model; "
            "one process already serves requests in parallel on its threads",
        ),
    ] = 1,
) -> None:
    """Serve the API (/v1, /openapi.json, /docs) and the web page (/) with uvicorn."""
    import uvicorn

    cfg = settings()
    if not cfg.api_keys and cfg.auth_mode == "api-key":
        err.print(
            "[yellow]no API keys: set ORACULUM_API_KEYS=key1,key2 or every /v1 call gets 401[/]"
        )
    uvicorn.run(
        "oraculum.api.asgi.app:asgi",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
