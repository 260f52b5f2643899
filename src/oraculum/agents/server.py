"""The MCP server, built from the API's services: the same stores, readings and clock as the
HTTP routes, shared by every session."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer

from oraculum import __version__
from oraculum.agents.resources import register_templates, static_resources
from oraculum.agents.tools import tools
from oraculum.api.http.services import ApiServices

INSTRUCTIONS = (
    "Oraculum reads tarot spreads, horoscopes and natal charts from a knowledge base and cites "
    "the passages it used (`sources`, chunk ids). Readings are for reflection and "
    "entertainment. The spreads and the deck are resources (oraculum://spreads, "
    "oraculum://deck); dates are YYYY-MM-DD and time zones IANA names."
)


def build_server(runtime: ApiServices) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer(
        "oraculum",
        title="Oraculum",
        description="Tarot readings, horoscopes and natal charts, grounded in a knowledge base",
        instructions=INSTRUCTIONS,
        version=__version__,
        tools=tools(runtime),
        resources=static_resources(),
        log_level="WARNING",
    )
    register_templates(server, runtime)
    return server
