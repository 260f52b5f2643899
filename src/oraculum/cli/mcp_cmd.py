"""`oraculum mcp`: the MCP server over stdio, for an agent that starts it (Claude Desktop, an
IDE); `oraculum serve` serves the same server over streamable HTTP at /mcp."""

from __future__ import annotations

from oraculum.cli.common import settings


def mcp_command() -> None:
    """Serve the Model Context Protocol over stdio, for an agent: readings and search as
    tools, the spreads and the deck as resources.

    The tools: tarot_reading, horoscope, natal_chart, sky, sky_events, search_knowledge; the
    resources: oraculum://spreads, oraculum://deck. The settings are the API's
    (ORACULUM_DATA_DIR, ORACULUM_EMBEDDER, ...); stdout carries the protocol, the logs go to
    stderr."""
    from oraculum.agents import build_server
    from oraculum.api.http.services import ApiServices

    runtime = ApiServices(settings())
    try:
        build_server(runtime).run("stdio")
    finally:
        runtime.close()
