"""The MCP server through the SDK's own client: `oraculum mcp` over stdio (a real subprocess),
and the ASGI app's /mcp over streamable HTTP (uvicorn on a loopback port), with and without
the API key. A small base (the tarot cards, the signs and planets) ingested with the hashing
embedder in a temporary data directory; the suite's clock (ORACULUM_NOW)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from oraculum.config import Settings
from tests.conftest import KNOWLEDGE, ROOT, cli_env, run_cli, served_on_a_thread

TOOLS = {"tarot_reading", "horoscope", "natal_chart", "sky", "sky_events", "search_knowledge"}
SOURCES = ("tarot-major", "tarot-minor", "zodiac.en", "planets.en")
KEY = "test-key"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("mcp-source")
    for path in KNOWLEDGE.glob("*.jsonl"):
        if path.name.startswith(SOURCES):
            shutil.copy(path, source / path.name)
    data = tmp_path_factory.mktemp("mcp-data")
    done = run_cli(["ingest", str(source)], cli_env(data))
    assert done.returncode == 0, done.stderr
    return data


async def check_agent(client: Client) -> None:
    """What every transport must answer: the tools, a reading with its sources, a bad spread
    as a tool error naming the field, a resource."""
    listed = await client.list_tools()
    assert {tool.name for tool in listed.tools} >= TOOLS
    tarot = next(tool for tool in listed.tools if tool.name == "tarot_reading")
    assert set(tarot.input_schema["properties"]) == {"question", "spread", "seed", "lang"}
    assert tarot.output_schema is not None

    question = {"question": "Will my project succeed?", "spread": "celtic-cross", "seed": 4}
    read = await client.call_tool("tarot_reading", question)
    assert not read.is_error, read.content
    data = read.structured_content
    assert data is not None and data["kind"] == "tarot" and len(data["cards"]) == 10
    assert data["sources"] and all(s.startswith("tarot/") for s in data["sources"])
    text = read.content[0].text  # type: ignore[union-attr]
    assert data["text"] in text and data["sources"][0] in text
    again = await client.call_tool("tarot_reading", question)
    assert again.structured_content is not None
    assert again.structured_content["cards"] == data["cards"]

    bad = await client.call_tool("tarot_reading", {"question": "Where now?", "spread": "nope"})
    assert bad.is_error and bad.structured_content is not None
    assert bad.structured_content["field"] == "spread"
    assert bad.structured_content["title"] == "The request has an invalid field"
    assert bad.content[0].text.startswith(  # type: ignore[union-attr]
        "The request has an invalid field: spread: Input should be 'single'"
    )

    spreads = await client.read_resource("oraculum://spreads?lang=vi")
    assert '"celtic-cross"' in spreads.contents[0].text  # type: ignore[union-attr]
    assert spreads.contents[0].mime_type == "application/json"
    with pytest.raises(MCPError, match="no spread 'nope'"):
        await client.read_resource("oraculum://spreads/nope")


def test_stdio_answers_through_the_official_client(data_dir: Path) -> None:
    env = cli_env(data_dir)
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "oraculum", "mcp"], env=env, cwd=str(ROOT)
    )

    async def session() -> None:
        async with Client(server, read_timeout_seconds=120) as client:
            await check_agent(client)
            sky = await client.call_tool("sky", {"date": "2026-11-26"})
            assert not sky.is_error and sky.structured_content is not None
            assert sky.structured_content["instant"].startswith("2026-11-26")
            deck = await client.read_resource("oraculum://deck")
            assert deck.contents[0].text.count('"arcana"') == 78  # type: ignore[union-attr]

    anyio.run(session)


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """uvicorn serving the ASGI app (its gate and context included) on a thread, with its
    lifespan (which runs the MCP session manager); stopped at exit."""
    from oraculum.api.asgi.app import asgi

    with served_on_a_thread(asgi(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def base_url(data_dir: Path) -> Iterator[str]:
    with served(Settings(data_dir=data_dir, embedder="hashing", api_keys=f"{KEY},other")) as url:
        yield url


def http_client(url: str, headers: dict[str, str]) -> Client:
    transport = streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers))
    return Client(transport, read_timeout_seconds=120)


def test_http_answers_with_the_api_key(base_url: str) -> None:
    async def session() -> None:
        async with http_client(f"{base_url}/mcp", {"Authorization": f"Bearer {KEY}"}) as client:
            await check_agent(client)
            found = await client.call_tool("search_knowledge", {"q": "the tower", "top_k": 2})
            assert found.structured_content is not None
            assert len(found.structured_content["hits"]) == 2
            over = await client.call_tool("search_knowledge", {"q": "the tower", "top_k": 51})
            assert over.is_error and over.structured_content is not None
            assert over.structured_content["field"] == "top_k"

    anyio.run(session)


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "send 'Authorization: Bearer <API key>'"),
        ({"Authorization": "Bearer wrong"}, "the API key is not valid"),
    ],
)
def test_http_refuses_without_a_valid_key(
    base_url: str, headers: dict[str, str], detail: str
) -> None:
    async def session() -> None:
        async with http_client(f"{base_url}/mcp", headers):
            pass

    with pytest.raises(ExceptionGroup) as raised:  # the client's task group: its MCPError
        anyio.run(session)
    assert raised.group_contains(MCPError, match="Server returned an error response", depth=None)
    # what the client was answered: the API's own 401 problem, as /v1 answers it
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    refused = httpx.post(f"{base_url}/mcp", json=body, headers=headers)
    v1 = httpx.get(f"{base_url}/v1/tarot/spreads", headers=headers)
    assert refused.status_code == v1.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["detail"] == v1.json()["detail"] == detail


def test_gateway_mode_guards_mcp_as_it_guards_v1(data_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from oraculum.api.asgi.app import asgi

    settings = Settings(data_dir=data_dir, embedder="hashing", auth_mode="gateway")
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    with TestClient(asgi(settings)) as client:
        refused = client.post("/mcp", json=body)
        v1 = client.get("/v1/tarot/spreads")
    assert refused.status_code == v1.status_code == 401
    assert refused.json()["detail"] == v1.json()["detail"]
    assert "authorizer identity" in refused.json()["detail"]
