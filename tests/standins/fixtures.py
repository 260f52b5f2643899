"""Pytest fixtures for the local stand-ins; import them into a conftest.py to use them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.standins.pinecone_standin import PineconeStandin


@pytest.fixture
def pinecone_standin_server() -> Iterator[PineconeStandin]:
    """A fresh local Pinecone stand-in on a free loopback port, served from a thread."""
    with PineconeStandin() as server:
        yield server


@pytest.fixture
def pinecone_standin(pinecone_standin_server: PineconeStandin) -> str:
    """The base URL of a fresh local Pinecone stand-in (its API key: STANDIN_API_KEY)."""
    return pinecone_standin_server.url
