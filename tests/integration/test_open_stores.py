"""Readers open the vector index on first use: a reading that never searches never opens it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from oraculum import config
from oraculum.backends.local import usearch_index
from oraculum.backends.local.usearch_index import UsearchIndex
from oraculum.config import Settings, build_services, open_stores
from oraculum.domain.errors import DimensionMismatch
from oraculum.readings.horoscope import daily_horoscope
from tests.conftest import KNOWLEDGE, cli_env, run_cli

OPENED: list[Path] = []


def counting_index(settings: Settings) -> UsearchIndex:
    """The usearch index, registered under its own name, counting how often it is opened."""
    OPENED.append(settings.data_dir)
    return usearch_index.from_settings(settings)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("kb")
    assert run_cli(["ingest", str(KNOWLEDGE)], cli_env(data_dir)).returncode == 0
    return data_dir


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setitem(config.VECTOR_INDEXES, "usearch", f"{__name__}:counting_index")
    OPENED.clear()
    return OPENED


def test_a_horoscope_never_opens_the_index_and_a_search_opens_it_once(kb, counted) -> None:
    settings = Settings(data_dir=kb, embedder="hashing")
    stores = open_stores(settings)
    try:
        services = build_services(settings, stores)
        answer = daily_horoscope("leo", date(2026, 11, 26), services)
        assert answer.sources and counted == []
        services.retriever.search("the tower", top_k=3)
        services.retriever.search("the star", top_k=3)
        assert len(counted) == 1
    finally:
        stores.close()


def test_ingest_opens_and_claims_both_stores_at_once(tmp_path, counted) -> None:
    settings = Settings(data_dir=tmp_path, embedder="hashing")
    stores = open_stores(settings, claim=True)
    try:
        assert len(counted) == 1 and stores.index.model_id == stores.embedder.model_id
    finally:
        stores.close()


def test_an_index_of_another_model_is_refused_when_first_used(kb, tmp_path, counted) -> None:
    # documents embedded with the 384-d model, vectors of a 512-d one beside them
    other = tmp_path / "other"
    assert run_cli(["ingest", str(KNOWLEDGE / "tarot-major.en.jsonl")],
                   cli_env(other, ORACULUM_HASHING_DIM="512")).returncode == 0  # fmt: skip
    mixed = tmp_path / "mixed"
    shutil.copytree(kb, mixed)
    for old in mixed.glob("vectors.*"):
        old.unlink()
    for new in other.glob("vectors.*"):
        shutil.copy(new, mixed / new.name)
    stores = open_stores(Settings(data_dir=mixed, embedder="hashing"))
    try:
        assert counted == []  # the documents agree; the index is not opened yet
        with pytest.raises(DimensionMismatch, match="512"):
            stores.index.query([0.1] * 384, 3)
    finally:
        stores.close()


def test_the_api_opens_the_index_once_when_its_first_searches_arrive_together(kb, counted) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from oraculum.api.http.services import ApiServices

    runtime = ApiServices(Settings(data_dir=kb, embedder="hashing"))
    start = threading.Barrier(8)

    def search(i: int) -> int:
        with runtime.services() as services:
            start.wait(10)  # eight requests, services built, none has searched yet
            return len(services.retriever.search(f"the tower {i}", top_k=3).hits)

    try:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(search, range(8))) == [3] * 8
        assert len(counted) == 1
    finally:
        runtime.close()
