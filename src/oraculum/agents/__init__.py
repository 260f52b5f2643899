"""Agents' front door: the Model Context Protocol (MCP) server, with the official `mcp` SDK.

The tools are the API's routes (the one route table, api/http/routes.py), called with the same
validated models and services; the resources are the spreads and the deck. `oraculum mcp`
serves it over stdio; the ASGI app serves it over streamable HTTP under /mcp, behind the API's
credentials (api/asgi/app.py). See docs/api.md.
"""

from __future__ import annotations

from oraculum.agents.server import build_server

__all__ = ["build_server"]
