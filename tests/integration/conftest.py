"""Fixtures the readings tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oraculum.config import Settings, build_services, open_stores
from oraculum.readings.services import Services


@pytest.fixture(scope="module")
def services(knowledge_settings: Settings) -> Iterator[Services]:
    """The readings' services over the bundled base, embedded with the real model."""
    stores = open_stores(knowledge_settings)
    yield build_services(knowledge_settings, stores)
    stores.close()
