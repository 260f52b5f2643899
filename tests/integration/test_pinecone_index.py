"""The Pinecone VectorIndex through the real pinecone SDK, against the LOCAL STAND-IN for Pinecone
(tests/standins/pinecone_standin.py, an HTTP server on 127.0.0.1); one round trip on real
Pinecone when PINECONE_API_KEY is set."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from oraculum.backends.local.hashing import HashingEmbedder
from oraculum.backends.pinecone.control import MODEL_TAG
from oraculum.backends.pinecone.index import PineconeIndex, from_settings
from oraculum.backends.pinecone.limits import MAX_FETCH_QUERY_BYTES
from oraculum.backends.sqlite.store import SqliteDocumentStore
from oraculum.config import Settings, open_stores
from oraculum.domain.errors import BackendUnavailable, DimensionMismatch, RecordRejected
from tests.conftest import card, cli_env, run_cli, write_jsonl
from tests.standins.pinecone_standin import STANDIN_API_KEY, PineconeStandin

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt of the SDK to reach beyond 127.0.0.1 (telemetry, api.pinecone.io) fails."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> Any:
        assert address[0] in LOOPBACK, f"a connection beyond loopback: {address}"
        return real_connect(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        assert host in LOOPBACK, f"a name lookup beyond loopback: {host}"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def standin(loopback_only: None) -> Iterator[PineconeStandin]:
    with PineconeStandin() as server:
        yield server


@pytest.fixture
def opened() -> Iterator[Callable[..., PineconeIndex]]:
    indexes: list[PineconeIndex] = []

    def open_index(
        server: PineconeStandin, name: str = "oraculum-test", **kw: Any
    ) -> PineconeIndex:
        index = PineconeIndex(api_key=STANDIN_API_KEY, name=name, control_host=server.url, **kw)
        indexes.append(index)
        return index

    yield open_index
    for index in indexes:
        index.close()


@pytest.fixture
def pc(standin: PineconeStandin) -> Iterator[Any]:
    """The SDK itself, pointed at the stand-in: to set scenes and to send requests raw."""
    from pinecone import Pinecone

    client = Pinecone(api_key=STANDIN_API_KEY, host=standin.url)
    yield client
    client.close()


def unit_rows(n: int, dim: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, dim))
    rows = centres[rng.integers(0, 12, n)] + 0.3 * rng.normal(size=(n, dim))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def meta(i: int, **extra: Any) -> dict[str, Any]:
    kind = ("card", "sign", "article")[i % 3]
    return {"doc_id": f"doc-{i}", "kind": kind, "lang": ("en", "vi")[i % 2],
            "content_hash": f"h{i}", **extra}  # fmt: skip


def ids_of(n: int, start: int = 0) -> list[str]:
    return [f"kb/doc-{i:05d}#0" for i in range(start, start + n)]


def filled(index: PineconeIndex, n: int, dim: int = 16) -> np.ndarray:
    index.claim("test/model-v1", dim)
    rows = unit_rows(n, dim)
    index.upsert(ids_of(n), rows, [meta(i) for i in range(n)])
    return rows


# --- claim -----------------------------------------------------------------------------------
def test_claim_creates_a_missing_index_waits_until_ready_and_records_the_model(standin, pc, opened):
    standin.indexes.init_delay = 0.6
    index = opened(standin)
    assert (index.model_id, index.dim, index.count(), list(index.list_ids())) == (None, 0, 0, [])
    embedder = HashingEmbedder(dim=384)
    index.claim(embedder.model_id, embedder.dim)
    described = pc.indexes.describe("oraculum-test")
    assert described.status.ready
    field = described.schema.fields["_values"]
    assert (field.dimension, field.metric) == (384, "cosine")
    assert described.tags[MODEL_TAG] == embedder.model_id
    assert described.deployment.cloud == "aws" and described.deployment.region == "us-east-1"
    again = opened(standin)  # another process reads the model from the index itself
    assert (again.model_id, again.dim) == (embedder.model_id, 384)
    again.claim(embedder.model_id, 384)  # the same model: accepted, nothing created
    assert len(standin.requests_to("/indexes")) == 1  # the one create


@pytest.mark.parametrize(
    ("dimension", "metric", "tags", "why"),
    [
        (1024, "cosine", {MODEL_TAG: "oraculum/hashing-v1-384"}, "1024-d, cosine"),
        (384, "euclidean", None, "384-d, euclidean"),
        (
            384,
            "cosine",
            {MODEL_TAG: "cohere.embed-multilingual-v3"},
            "cohere.embed-multilingual-v3",
        ),
    ],
)
def test_an_index_built_otherwise_is_refused_before_anything_is_written(
    standin, pc, tmp_path, dimension, metric, tags, why
):
    field = {"type": "dense_vector", "dimension": dimension, "metric": metric}
    pc.indexes.create(name="metaphysical-index", schema={"fields": {"_values": field}},
                                tags=tags, timeout=-1)  # fmt: skip
    before = len(standin.requests)
    settings = Settings(data_dir=tmp_path / "d", embedder="hashing", vector_index="pinecone",
                        pinecone_api_key=STANDIN_API_KEY, pinecone_control_host=standin.url)  # fmt: skip
    with pytest.raises(DimensionMismatch) as refused:
        open_stores(settings, claim=True)
    assert "metaphysical-index" in str(refused.value) and why in str(refused.value)
    assert "oraculum/hashing-v1-384 (384-d, cosine)" in str(refused.value)
    sent = standin.requests[before:]
    assert all(r.method == "GET" or r.path.endswith("/describe_index_stats") for r in sent)
    assert SqliteDocumentStore(tmp_path / "d" / "documents.sqlite").model_id is None
    assert pc.indexes.describe("metaphysical-index").tags == tags


def test_an_untagged_index_is_adopted_when_empty_and_refused_when_it_holds_vectors(
    standin, pc, opened
):
    field = {"type": "dense_vector", "dimension": 16, "metric": "cosine"}
    for name in ("empty-one", "full-one"):
        pc.indexes.create(name=name, schema={"fields": {"_values": field}}, timeout=-1)
    pc.index(host=f"{standin.url}/data/full-one").upsert(
        vectors=[{"id": "theirs", "values": unit_rows(1, 16)[0].tolist()}]
    )
    opened(standin, "empty-one").claim("test/model-v1", 16)
    assert pc.indexes.describe("empty-one").tags == {MODEL_TAG: "test/model-v1"}
    with pytest.raises(DimensionMismatch, match="an unrecorded model \\(1 vectors"):
        opened(standin, "full-one").claim("test/model-v1", 16)


def test_claim_waits_for_an_index_another_process_is_still_creating(standin, pc, opened):
    standin.indexes.init_delay = 0.8
    field = {"type": "dense_vector", "dimension": 16, "metric": "cosine"}
    pc.indexes.create(name="oraculum-test", schema={"fields": {"_values": field}},
                      tags={MODEL_TAG: "test/model-v1"}, timeout=-1)  # fmt: skip
    assert not pc.indexes.describe("oraculum-test").status.ready
    index = opened(standin)
    index.claim("test/model-v1", 16)
    assert pc.indexes.describe("oraculum-test").status.ready
    index.upsert(ids_of(1), unit_rows(1, 16), [meta(0)])
    assert index.count() == 1


# --- upsert: batches and limits ----------------------------------------------------------------
@pytest.mark.parametrize(("dim", "bound"), [(8, "count"), (1024, "bytes")])
def test_2500_vectors_go_in_batches_within_both_limits(standin, opened, dim, bound):
    index = opened(standin)
    filled(index, 2500, dim)
    upserts = standin.requests_to("/vectors/upsert")
    assert all(r.status == 200 for r in upserts)
    assert sum(r.items for r in upserts) == 2500
    assert max(r.items for r in upserts) <= 1000 and max(r.body_bytes for r in upserts) <= 2_000_000
    if bound == "count":
        assert [r.items for r in upserts] == [1000, 1000, 500]
    else:  # 1024 floats a vector: the 2 MB budget cuts first, and is used nearly in full
        assert len(upserts) > 3 and min(r.body_bytes for r in upserts[:-1]) > 1_900_000
    assert index.count() == 2500
    assert len(set(index.list_ids())) == 2500


def test_the_limits_are_real_at_the_standin_and_the_adapter_keeps_inside_them(standin, pc, opened):
    from pinecone.errors.exceptions import ApiError

    index = opened(standin)
    index.claim("test/model-v1", 8)
    raw = pc.index(host=f"{standin.url}/data/oraculum-test")
    rows = unit_rows(1001, 8)
    too_many = [{"id": f"v{i}", "values": rows[i].tolist()} for i in range(1001)]
    big = {"doc_id": "x", "blob": "x" * 41_000}
    cases = {
        "1,001 vectors": (too_many, "exceeds the limit of 1000 vectors"),
        "41 KB of metadata": ([{"id": "big", "values": rows[0].tolist(), "metadata": big}],
                              "exceeds the limit of 40960 bytes"),
        "a 513-character id": ([{"id": "i" * 513, "values": rows[0].tolist()}], "1-512 characters"),
        "384 values in an 8-d index": ([{"id": "w", "values": [0.1] * 384}],
                                       "dimension 384 does not match the dimension of the index 8"),
    }  # fmt: skip
    for what, (vectors, message) in cases.items():
        with pytest.raises(ApiError) as refused:
            raw.upsert(vectors=vectors)
        assert refused.value.status_code == 400, what
        assert message in refused.value.message, what
        assert refused.value.body["code"] == 3 and "details" in refused.value.body
    wide = opened(standin, "wide-one")
    wide.claim("test/model-v1", 1024)
    body = [{"id": f"w{i}", "values": r.tolist()} for i, r in enumerate(unit_rows(120, 1024))]
    with pytest.raises(ApiError, match="larger than the maximum supported size - 2MB"):
        pc.index(host=f"{standin.url}/data/wide-one").upsert(vectors=body)
    assert index.count() == 0 and wide.count() == 0  # nothing of a refused request was kept
    sent = len(standin.requests_to("/vectors/upsert"))
    with pytest.raises(DimensionMismatch, match=r"built with 8-d vectors.*is 384-d vectors"):
        index.upsert(["w"], np.full((1, 384), 0.1, dtype=np.float32), [{}])
    assert len(standin.requests_to("/vectors/upsert")) == sent

    index.upsert([v["id"] for v in too_many], rows, [meta(i) for i in range(1001)])  # split
    assert index.count() == 1001
    wide.upsert([v["id"] for v in body], unit_rows(120, 1024), [{}] * 120)
    assert wide.count() == 120


@pytest.mark.parametrize(
    ("ident", "extra", "field"),
    [("kb/big#0", {"blob": "x" * 41_000}, "metadata"), ("k" * 513, {}, "id"),
     ("kb/nested#0", {"deep": {"a": 1}}, "metadata"), ("kb/café#0", {}, "id")],
)  # fmt: skip
def test_a_vector_over_a_limit_is_refused_by_id_before_any_of_the_call_is_sent(
    standin, opened, ident, extra, field
):
    index = opened(standin)
    index.claim("test/model-v1", 8)
    ids = [*ids_of(1500), ident]  # the bad one last, after two batches' worth of good ones
    metadata = [meta(i) for i in range(1500)] + [meta(0, **extra)]
    with pytest.raises(RecordRejected) as refused:
        index.upsert(ids, unit_rows(1501, 8), metadata)
    assert refused.value.field == field and ident[:40] in str(refused.value)
    assert "oraculum-test" in str(refused.value)
    assert standin.requests_to("/vectors/upsert") == [] and index.count() == 0


# --- reads --------------------------------------------------------------------------------------
def test_query_translates_filters_and_scores_by_cosine_best_first(standin, opened):
    index = opened(standin)
    rows = filled(index, 300)
    q = rows[5] + 0.05
    hits = index.query(q, 10)
    scores = rows @ (q / np.linalg.norm(q))
    assert [h.id for h in hits] == [ids_of(300)[i] for i in np.argsort(-scores)[:10]]
    assert [round(h.score, 4) for h in hits] == [
        round(float(s), 4) for s in np.sort(scores)[::-1][:10]
    ]
    assert hits[0].metadata == meta(5)
    cards = index.query(q, 10, {"kind": "card"})
    assert len(cards) == 10 and {h.metadata["kind"] for h in cards} == {"card"}
    either = index.query(q, 50, {"kind": ["card", "sign"], "lang": "vi"})
    assert {(h.metadata["kind"], h.metadata["lang"]) for h in either} <= {
        ("card", "vi"),
        ("sign", "vi"),
    }
    assert {h.metadata["kind"] for h in either} == {"card", "sign"}
    queries_before = len(standin.requests_to("/query"))
    assert index.query(q, 10, {"kind": []}) == [] and index.query(q, 0) == []
    assert len(standin.requests_to("/query")) == queries_before  # nothing asked


def test_a_query_within_a_request_deadline_waits_only_its_share_of_it(standin, opened, monkeypatch):
    from oraculum import time_budget
    from oraculum.domain.errors import DeadlineExceeded

    index = opened(standin)
    rows = filled(index, 20)
    timeouts: list[float] = []
    real_query = index._index().query
    monkeypatch.setattr(
        index._index(), "query", lambda **kw: timeouts.append(kw["timeout"]) or real_query(**kw)
    )
    index.query(rows[0], 3)
    with time_budget.within(2.0):
        assert len(index.query(rows[0], 3)) == 3
    assert timeouts[0] == 4.0 and 0.4 < timeouts[1] <= 0.5  # a quarter of the 2 s left
    before = len(standin.requests_to("/query"))
    with time_budget.within(0.1), pytest.raises(DeadlineExceeded, match="the Pinecone query"):
        index.query(rows[0], 3)
    assert len(standin.requests_to("/query")) == before  # not sent


def test_list_pages_fetch_batches_delete_batches_and_count(standin, opened):
    index = opened(standin)
    filled(index, 1250)
    listed = list(index.list_ids())
    assert listed == sorted(ids_of(1250))
    assert len(standin.requests_to("/vectors/list")) == 13  # pages of 100
    wanted = [*ids_of(1250), "kb/never-written#0"]
    found = index.fetch_metadata(wanted)
    assert set(found) == set(ids_of(1250)) and found[ids_of(1)[0]] == meta(0)
    fetches = standin.requests_to("/vectors/fetch")
    assert all(
        r.items <= 1000 and len(r.path.split("?", 1)[1]) <= MAX_FETCH_QUERY_BYTES + 64
        for r in fetches
    )
    assert sum(r.items for r in fetches) == len(wanted)
    index.delete([*ids_of(1100), "kb/never-written#0"])
    assert [r.items for r in standin.requests_to("/vectors/delete")] == [1000, 101]
    assert index.count() == 150 and list(index.list_ids()) == ids_of(150, start=1100)
    index.delete([])
    assert index.fetch_metadata([]) == {}


def test_namespaces_are_isolated(standin, pc, opened):
    a = opened(standin, namespace="tenant-a")
    b = opened(standin, namespace="tenant-b")
    rows = filled(a, 40)
    b.claim("test/model-v1", 16)
    assert (a.count(), b.count()) == (40, 0)
    assert (
        list(b.list_ids()) == [] and b.query(rows[0], 5) == [] and b.fetch_metadata(ids_of(3)) == {}
    )
    b.upsert(ids_of(2), rows[:2], [meta(100), meta(101)])
    assert b.fetch_metadata(ids_of(2))[ids_of(1)[0]] == meta(100)
    assert a.fetch_metadata(ids_of(2))[ids_of(1)[0]] == meta(0)
    b.delete(ids_of(40))
    assert (a.count(), b.count()) == (40, 0)
    stats = pc.index(host=f"{standin.url}/data/oraculum-test").describe_index_stats()
    assert stats.namespaces["tenant-a"].vector_count == 40 and "tenant-b" not in stats.namespaces


def test_writes_become_visible_only_after_the_visibility_delay(standin, opened):
    standin.visibility_delay = 0.8
    index = opened(standin)
    rows = filled(index, 30)
    assert (index.count(), list(index.list_ids()), index.query(rows[0], 3)) == (0, [], [])
    assert index.fetch_metadata(ids_of(30)) == {}
    deadline = time.monotonic() + 10
    while index.count() < 30 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert index.count() == 30 and index.query(rows[0], 1)[0].id == ids_of(1)[0]
    index.delete(ids_of(10))
    assert index.count() == 30  # the delete is not visible yet either
    time.sleep(1.0)
    assert index.count() == 20


def test_grace_window_and_flush(standin, tmp_path):
    settings = Settings(data_dir=tmp_path, vector_index="pinecone", pinecone_grace_s=7.5,
                        pinecone_api_key=STANDIN_API_KEY, pinecone_control_host=standin.url,
                        pinecone_namespace="ns1")  # fmt: skip
    index = from_settings(settings)
    try:
        assert (index.grace_s, index.namespace, index.name) == (7.5, "ns1", "metaphysical-index")
        index.flush()  # nothing to do: every call is durable when it returns
    finally:
        index.close()


def test_the_standin_answers_filters_deletes_and_bad_requests_as_pinecone_does(standin, pc, opened):
    import urllib.error
    import urllib.request

    from pinecone.errors.exceptions import ApiError

    filled(opened(standin), 60)
    raw = pc.index(host=f"{standin.url}/data/oraculum-test")
    raw.upsert(vectors=[{"id": "tagged", "values": unit_rows(1, 16)[0].tolist(),
                         "metadata": {"tags": ["moon", "tide"], "n": 7}}])  # fmt: skip
    q = unit_rows(1, 16, seed=3)[0].tolist()

    def ids(flt: dict[str, Any]) -> set[str]:
        return {m.id for m in raw.query(vector=q, top_k=100, filter=flt).matches}

    of = {i: meta(n) for n, i in enumerate(ids_of(60))}

    def where(keep: Callable[[dict[str, Any]], bool]) -> set[str]:
        return {i for i, m in of.items() if keep(m)}

    both = {"$and": [{"kind": "card"}, {"lang": {"$eq": "en"}}]}
    assert ids(both) == where(lambda m: m["kind"] == "card" and m["lang"] == "en")
    either = {"$or": [{"kind": "sign"}, {"n": {"$gt": 5}}]}
    assert ids(either) == where(lambda m: m["kind"] == "sign") | {"tagged"}
    neither = {"kind": {"$nin": ["card", "sign"]}, "lang": {"$ne": "vi"}}
    assert ids(neither) == where(lambda m: m["kind"] == "article" and m["lang"] == "en") | {
        "tagged"
    }
    assert ids({"tags": "tide"}) == ids({"n": {"$exists": True}}) == {"tagged"}
    with pytest.raises(ApiError, match="unsupported filter operator '\\$near'"):
        ids({"kind": {"$near": "card"}})
    with pytest.raises(ApiError, match="fetch takes 1-1000 ids"):
        raw.fetch(ids=[f"x{i}" for i in range(1001)])
    raw.delete(filter={"kind": {"$eq": "card"}})
    assert ids({"kind": "card"}) == set()
    raw.delete(delete_all=True)
    assert raw.describe_index_stats().total_vector_count == 0
    request = urllib.request.Request(f"{standin.url}/data/oraculum-test/vectors/list",
                                     headers={"Api-Key": "wrong"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(request, timeout=5)
    assert denied.value.code == 401


# --- errors -------------------------------------------------------------------------------------
def test_a_wrong_key_and_an_unreachable_host_say_which_index_and_what_to_check(standin, opened):
    wrong = PineconeIndex(api_key="not-the-key", name="oraculum-test", control_host=standin.url)
    try:
        with pytest.raises(BackendUnavailable, match="ORACULUM_PINECONE_API_KEY") as refused:
            wrong.claim("test/model-v1", 8)
        assert "oraculum-test" in str(refused.value)
    finally:
        wrong.close()
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    gone = opened(standin, host=closed)
    with pytest.raises(
        BackendUnavailable, match="cannot reach Pinecone index 'oraculum-test'"
    ) as lost:
        gone.count()
    assert "ORACULUM_PINECONE_HOST" in str(lost.value)


# --- the whole path, through the CLI ----------------------------------------------------------
def test_ingest_verify_search_through_the_cli(standin, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(30)])
    env = cli_env(tmp_path / "d", ORACULUM_VECTOR_INDEX="pinecone",
                  ORACULUM_PINECONE_API_KEY=STANDIN_API_KEY,
                  ORACULUM_PINECONE_CONTROL_HOST=standin.url,
                  ORACULUM_PINECONE_INDEX="oraculum-cli")  # fmt: skip
    done = run_cli(["ingest", str(src), "--json"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["new"] == 30
    verified = run_cli(["verify", "--json"], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["clean"] and report["vectors"] == report["documents"] >= 30
    found = run_cli(["search", "theme 3 and colour 3", "--json"], env)
    assert found.returncode == 0, found.stderr
    assert "note-" in found.stdout
    other = run_cli(["ingest", str(src)], {**env, "ORACULUM_HASHING_DIM": "128"})
    assert other.returncode == 2 and "oraculum-cli" in other.stderr and "384-d" in other.stderr
    assert "Traceback" not in other.stderr


# --- real Pinecone --------------------------------------------------------------------------------
@pytest.mark.skipif(
    not os.environ.get("PINECONE_API_KEY"),
    reason="PINECONE_API_KEY is not set: this round trip runs against real Pinecone (it creates "
    "and deletes a throwaway serverless index)",
)
def test_round_trip_on_real_pinecone():
    from pinecone import Pinecone
    from pinecone.errors.exceptions import NotFoundError

    name = f"oraculum-test-{uuid.uuid4().hex[:8]}"
    key = os.environ["PINECONE_API_KEY"]
    index = PineconeIndex(api_key=key, name=name, namespace="round-trip")
    try:
        index.claim("test/model-v1", 8)
        rows = unit_rows(3, 8)
        index.upsert(ids_of(3), rows, [meta(i) for i in range(3)])
        deadline = time.monotonic() + 120  # eventual consistency, with room to spare
        while index.count() < 3 and time.monotonic() < deadline:
            time.sleep(2)
        assert index.query(rows[1], 1)[0].id == ids_of(3)[1]
        assert index.fetch_metadata(ids_of(3))[ids_of(3)[2]] == meta(2)
        index.delete(ids_of(3))
    finally:
        index.close()
        with Pinecone(api_key=key) as pc, contextlib.suppress(NotFoundError):
            pc.indexes.delete(name, timeout=-1)  # the throwaway index goes, test passed or not
