"""The DynamoDB document store on moto's server (its own process, real HTTP, real boto3).

The contract tests run the same checks against the SQLite store, so that the two stay
interchangeable; the rest covers what only DynamoDB has (batch limits, unprocessed items,
the 400 KB item limit, the table's life cycle), then the real command end to end.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import boto3
import pytest

from oraculum.backends.aws import clients as aws_clients
from oraculum.backends.dynamodb import schema
from oraculum.backends.dynamodb.store import DynamoDocumentStore, from_settings
from oraculum.backends.sqlite.store import SqliteDocumentStore
from oraculum.config import Settings, open_stores
from oraculum.domain.errors import BackendUnavailable, DimensionMismatch, RecordRejected
from oraculum.domain.records import Chunk
from oraculum.ingest.pipeline import IngestOptions, ingest
from oraculum.ingest.sources import jsonl_source
from oraculum.ingest.verify import repair, verify
from oraculum.ports import DocumentStore
from tests.conftest import card, cli_env, free_port, run_cli, write_jsonl

MODEL, DIM = "hashing-v1-384", 384


@pytest.fixture(autouse=True)
def fresh_clients(aws: str) -> Iterator[None]:
    aws_clients.forget_clients()  # the clients must see this test's AWS_ENDPOINT_URL
    yield
    aws_clients.forget_clients()


def dynamo(table: str = "MetaphysicalKnowledgeBase", **options: Any) -> DynamoDocumentStore:
    store = from_settings(Settings(dynamodb_table=table))
    if options:
        return DynamoDocumentStore(store.client, table, **options)
    return store


def chunk(doc: str, n: int = 0, *, source: str = "kb.jsonl", **fields: Any) -> Chunk:
    values: dict[str, Any] = {
        "kind": "article", "lang": "en", "title": f"Title of {doc}", "section": "text",
        "text": f"The text of {doc}, part {n}.", "content_hash": f"h-{doc}-{n}",
    }  # fmt: skip
    values.update(fields)
    return Chunk(id=f"{doc}#{n}", doc_id=doc, n=n, source=source, **values)


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DocumentStore]:
    made: DocumentStore = (
        SqliteDocumentStore(tmp_path / "documents.sqlite")
        if request.param == "sqlite"
        else dynamo()
    )
    made.claim(MODEL, DIM)
    yield made
    made.close()


# --- the contract both stores keep --------------------------------------------------------
def test_a_chunk_round_trips_with_its_json_metadata(store: DocumentStore) -> None:
    metadata = {
        "float": 0.1, "tiny": -1.5e-300, "int": 3, "big": 2**70, "none": None, "empty": "",
        "nested": {"list": [1, 2.5, "x", True], "map": {}}, "vi": "Đức tin — Ngôi Sao ✨",
    }  # fmt: skip
    original = chunk("card/the-star", title="Ngôi Sao", text="Hy vọng 🌟", metadata=metadata)
    store.put_many([original])
    got = store.get_many([original.id, original.id, "card/nothing#0"])
    assert got == {original.id: original}
    back = got[original.id].metadata
    assert type(back["int"]) is int and type(back["float"]) is float and back["big"] == 2**70


def test_put_replaces_by_id_and_the_last_of_two_wins(store: DocumentStore) -> None:
    store.put_many([chunk("a", text="first")])
    store.put_many([chunk("a", text="second"), chunk("a", text="third", status="indexed")])
    found = store.get_many(["a#0"])["a#0"]
    assert (found.text, found.status, store.count()) == ("third", "indexed", 1)


def test_mark_indexed_only_where_the_stored_hash_matches(store: DocumentStore) -> None:
    store.put_many([chunk("a"), chunk("b"), chunk("c")])
    marked = store.mark_indexed({"a#0": "h-a-0", "b#0": "stale", "ghost#0": "h-ghost-0"})
    assert marked == 1
    found = store.get_many(["a#0", "b#0", "c#0", "ghost#0"])
    assert {k: c.status for k, c in found.items()} == {
        "a#0": "indexed", "b#0": "pending", "c#0": "pending",
    }  # fmt: skip
    assert store.count() == 3  # the missing id was not created
    assert store.mark_indexed({"a#0": "h-a-0"}) == 1  # already indexed still matches
    assert store.mark_indexed({}) == 0


def test_chunk_ids_of_lists_each_document_in_chunk_order(store: DocumentStore) -> None:
    parts = [chunk("long", n) for n in range(12)]
    random.Random(1).shuffle(parts)
    store.put_many([*parts, chunk("short")])
    found = store.chunk_ids_of(["long", "short", "unknown"])
    assert found == {
        "long": [f"long#{n}" for n in range(12)],  # 2 before 10: by n, not by text
        "short": ["short#0"],
        "unknown": [],
    }


def test_doc_ids_of_source_are_distinct_and_sorted(store: DocumentStore) -> None:
    mine = [f"doc-{i:02d}" for i in range(30)]
    store.put_many([chunk(d, n) for d in reversed(mine) for n in range(3)])
    store.put_many([chunk(f"other-{i}", source="other.jsonl") for i in range(5)])
    assert list(store.doc_ids_of_source("kb.jsonl")) == mine
    assert list(store.doc_ids_of_source("other.jsonl")) == [f"other-{i}" for i in range(5)]
    assert list(store.doc_ids_of_source("never.jsonl")) == []


def test_delete_many_removes_only_what_it_names(store: DocumentStore) -> None:
    store.put_many([chunk("a", n) for n in range(4)])
    store.delete_many(["a#1", "a#3", "a#3", "missing#0"])
    assert store.chunk_ids_of(["a"]) == {"a": ["a#0", "a#2"]}
    assert sorted(store.get_many([f"a#{n}" for n in range(4)])) == ["a#0", "a#2"]
    store.delete_many([])


def test_scan_is_in_id_order_and_count_agrees(store: DocumentStore) -> None:
    parts = [chunk(f"doc-{i}", n) for i in range(15) for n in range(2)]
    random.Random(2).shuffle(parts)
    store.put_many(parts)
    scanned = [c.id for c in store.scan()]
    assert scanned == sorted(c.id for c in parts)
    assert store.count() == len(parts) == 30


def test_meta_round_trips_and_is_never_a_chunk(store: DocumentStore) -> None:
    key = "horoscope/aries/2026-11-25/en/UTC/extractive"
    answer = {"text": "Mars bốc lửa", "sources": ["zodiac-sign/aries#0"], "degraded": False}
    store.set_meta(key, answer)
    store.set_meta("counter", 1)
    store.set_meta("counter", 2.5)
    store.put_many([chunk("a")])
    assert (store.get_meta(key), store.get_meta("counter"), store.get_meta("nope")) == (
        answer, 2.5, None,
    )  # fmt: skip
    assert [c.id for c in store.scan()] == ["a#0"] and store.count() == 1
    assert list(store.doc_ids_of_source("kb.jsonl")) == ["a"]


def test_a_meta_value_with_an_expiry_is_not_read_from_then_on(store: DocumentStore) -> None:
    now = [1_000_000.0]
    store.clock = lambda: now[0]  # type: ignore[attr-defined]  # both stores take a clock
    store.set_meta("horoscope/leo/2026-11-25", {"text": "Leo"}, expires_at=1_000_100.0)
    store.set_meta("kept", "for good")
    assert store.get_meta("horoscope/leo/2026-11-25") == {"text": "Leo"}
    now[0] = 1_000_100.0
    assert store.get_meta("horoscope/leo/2026-11-25") is None
    assert store.get_meta("kept") == "for good" and store.model_id == MODEL
    # Storing it again makes it readable again, until its new expiry.
    store.set_meta("horoscope/leo/2026-11-25", {"text": "Leo again"}, expires_at=1_000_200.0)
    assert store.get_meta("horoscope/leo/2026-11-25") == {"text": "Leo again"}


def test_sqlite_clears_expired_entries_when_adding_to_the_cache(tmp_path: Path) -> None:
    now = [300.0]
    store = SqliteDocumentStore(tmp_path / "documents.sqlite", clock=lambda: now[0])
    store.set_meta("old", 1, expires_at=400.0)
    store.set_meta("kept", 2)
    now[0] = 500.0
    assert store._db.execute("SELECT count(*) FROM meta").fetchone()[0] == 2  # reads delete none
    assert store.get_meta("old") is None
    store.set_meta("new", 3, expires_at=900.0)
    keys = [k for (k,) in store._db.execute("SELECT key FROM meta ORDER BY key")]
    assert keys == ["kept", "new"]


def test_sqlite_store_made_before_expiry_existed_gains_the_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "documents.sqlite"
    with closing(sqlite3.connect(path)) as old:
        old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        old.execute("""INSERT INTO meta VALUES ('model_id', '"hashing-v1-384"')""")
        old.commit()
    store = SqliteDocumentStore(path, clock=lambda: 0.0)
    assert store.model_id == MODEL
    store.set_meta("cache", "x", expires_at=10.0)
    assert store.get_meta("cache") == "x"


def test_a_new_dynamodb_table_lets_time_to_live_delete_expired_items() -> None:
    store = dynamo("TtlTable")
    store.claim(MODEL, DIM)  # creates the table
    ttl = store.client.describe_time_to_live(TableName="TtlTable")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    store.set_meta("cache", "x", expires_at=1_900_000_000.5)
    item = store.client.get_item(TableName="TtlTable", Key={"id": {"S": "~meta#cache"}})["Item"]
    assert item["expires_at"] == {"N": "1900000000"}  # whole Unix seconds, as TTL reads them


def test_within_a_spent_deadline_dynamodb_is_not_called() -> None:
    from oraculum import time_budget
    from oraculum.domain.errors import DeadlineExceeded

    store = dynamo()
    store.claim(MODEL, DIM)
    sent: list[str] = []
    store.client.meta.events.register("before-send.dynamodb", lambda **kw: sent.append("x"))
    with time_budget.within(0.1), pytest.raises(DeadlineExceeded, match="DynamoDB GetItem"):
        store.get_meta("horoscope/leo/2031-05-05")
    assert sent == []
    with time_budget.within(20.0):
        assert store.get_meta("horoscope/leo/2031-05-05") is None
    assert sent == ["x"]


def test_claim_refuses_another_model_or_dimension(store: DocumentStore) -> None:
    store.claim(MODEL, DIM)  # the same claim again is fine
    assert store.model_id == MODEL
    with pytest.raises(DimensionMismatch, match="hashing-v1-384 \\(384-d\\)"):
        store.claim("hashing-v1-256", 256)
    with pytest.raises(DimensionMismatch):
        store.claim(MODEL, 128)


# --- the table's life cycle -------------------------------------------------------------
def test_claim_creates_the_table_on_demand_with_its_indexes_and_recovery() -> None:
    dynamo("Fresh").claim(MODEL, DIM)
    ddb = boto3.client("dynamodb")
    table = ddb.describe_table(TableName="Fresh")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert [k["AttributeName"] for k in indexes["by_doc"]["KeySchema"]] == ["doc_id", "n"]
    assert [k["AttributeName"] for k in indexes["by_source"]["KeySchema"]] == [
        "source_shard", "doc_id",
    ]  # fmt: skip
    assert {i["Projection"]["ProjectionType"] for i in indexes.values()} == {"KEYS_ONLY"}
    backups = ddb.describe_continuous_backups(TableName="Fresh")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_concurrent_claims_cannot_disagree() -> None:
    """Eight claims race on a missing table, half with another dimension: one model wins,
    every claim of the other is refused."""
    start = threading.Barrier(8)
    won: list[int] = []
    refused: list[int] = []

    def claim(dim: int) -> None:
        store = dynamo()
        start.wait()
        try:
            store.claim(f"hashing-v1-{dim}", dim)
            won.append(dim)
        except DimensionMismatch:
            refused.append(dim)

    threads = [threading.Thread(target=claim, args=(d,)) for d in (384, 256) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == len(refused) == 4 and len(set(won)) == 1 and won[0] not in refused
    assert dynamo().model_id == f"hashing-v1-{won[0]}"


def test_a_missing_table_says_which_table_where_and_what_to_do(tmp_path: Path) -> None:
    store = dynamo("Nowhere")
    readers = {
        "model_id": lambda: store.model_id,
        "get_many": lambda: store.get_many(["a#0"]),
        "get_meta": lambda: store.get_meta("k"),
        "count": store.count,
        "scan": lambda: list(store.scan()),
        "chunk_ids_of": lambda: store.chunk_ids_of(["a"]),
        "doc_ids_of_source": lambda: list(store.doc_ids_of_source("kb.jsonl")),
        "put_many": lambda: store.put_many([chunk("a")]),
    }
    for name, read in readers.items():
        with pytest.raises(BackendUnavailable) as caught:
            read()
        message = str(caught.value)
        for words in ("'Nowhere'", "us-east-1", "does not exist", "oraculum ingest", "infra/"):
            assert words in message, (name, message)
    settings = Settings(data_dir=tmp_path, embedder="hashing", document_store="dynamodb",
                        dynamodb_table="Nowhere")  # fmt: skip
    with pytest.raises(BackendUnavailable, match="'Nowhere'"):
        open_stores(settings)  # a reader never creates the table


def test_a_table_without_our_indexes_is_refused() -> None:
    boto3.client("dynamodb").create_table(
        TableName="Plain", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )  # fmt: skip
    with pytest.raises(BackendUnavailable, match="missing: by_doc, by_source"):
        dynamo("Plain").claim(MODEL, DIM)


def test_an_unreachable_endpoint_is_reported_not_raised_raw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    settings = Settings(aws_timeout_s=2.0)
    client = aws_clients.client("dynamodb", settings, max_attempts=1)
    assert (client.meta.config.read_timeout, client.meta.config.connect_timeout) == (2.0, 2.0)
    with pytest.raises(BackendUnavailable, match="cannot reach DynamoDB table"):
        DynamoDocumentStore(client, "T").get_many(["a#0"])


# --- limits: batches, unprocessed items, item size ----------------------------------------
class Recording:
    """The real client, recording the size of each batch call it passes on."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.writes: list[int] = []
        self.gets: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (requests,) = RequestItems.values()
        self.writes.append(len(requests))
        return self.real.batch_write_item(RequestItems=RequestItems)  # type: ignore[no-any-return]

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (request,) = RequestItems.values()
        self.gets.append(len(request["Keys"]))
        return self.real.batch_get_item(RequestItems=RequestItems)  # type: ignore[no-any-return]


class Throttled(Recording):
    """Passes on only the first half of each batch and hands back the rest as unprocessed,
    as a throttled table does, for its first `times` calls of each kind."""

    def __init__(self, real: Any, times: int) -> None:
        super().__init__(real)
        self.times = times

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        ((table, requests),) = RequestItems.items()
        if len(self.writes) >= self.times:
            return super().batch_write_item(RequestItems)
        self.writes.append(len(requests))
        done, left = requests[: len(requests) // 2], requests[len(requests) // 2 :]
        if done:
            self.real.batch_write_item(RequestItems={table: done})
        return {"UnprocessedItems": {table: left}}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        ((table, request),) = RequestItems.items()
        if len(self.gets) >= self.times:
            return super().batch_get_item(RequestItems)
        keys = request["Keys"]
        self.gets.append(len(keys))
        half = len(keys) // 2
        found = self.real.batch_get_item(RequestItems={table: {**request, "Keys": keys[:half]}})
        return {**found, "UnprocessedKeys": {table: {**request, "Keys": keys[half:]}}}


def test_260_chunks_cross_the_25_and_100_batch_limits() -> None:
    store = dynamo()
    store.claim(MODEL, DIM)
    client = Recording(store.client)
    store = DynamoDocumentStore(client, store.table)
    parts = [chunk(f"doc-{d:02d}", n) for d in range(26) for n in range(10)]
    store.put_many(parts)
    assert client.writes == [25] * 10 + [10]
    ids = [c.id for c in parts]
    found = store.get_many([*ids, *ids[:50], "ghost#0"])  # duplicates are asked for once
    assert client.gets == [100, 100, 61] and found == {c.id: c for c in parts}
    assert store.count() == 260 and [c.id for c in store.scan()] == sorted(ids)
    assert store.mark_indexed({c.id: c.content_hash for c in parts}) == 260
    assert all(c.status == "indexed" for c in store.scan())
    docs = store.chunk_ids_of([f"doc-{d:02d}" for d in range(26)])
    assert all(len(v) == 10 for v in docs.values())
    client.writes.clear()
    store.delete_many(ids[::2])
    assert client.writes == [25] * 5 + [5] and store.count() == 130


def test_unprocessed_items_and_keys_are_sent_again() -> None:
    dynamo().claim(MODEL, DIM)
    client = Throttled(dynamo().client, times=2)
    store = DynamoDocumentStore(client, "MetaphysicalKnowledgeBase", base_delay_s=0.001)
    parts = [chunk(f"doc-{i}") for i in range(30)]
    store.put_many(parts)
    # the first two calls pass on half: 25 -> 13 left -> 7 left -> all through; then 5
    assert client.writes == [25, 13, 7, 5]
    found = store.get_many([c.id for c in parts])
    assert client.gets == [30, 15, 8] and found == {c.id: c for c in parts}


def test_a_table_that_stays_throttled_gives_up_after_bounded_attempts() -> None:
    dynamo().claim(MODEL, DIM)
    client = Throttled(dynamo().client, times=1000)
    store = DynamoDocumentStore(client, "MetaphysicalKnowledgeBase", attempts=3,
                                base_delay_s=0.001)  # fmt: skip
    with pytest.raises(BackendUnavailable, match="still unprocessed after 3 attempts") as caught:
        store.put_many([chunk(f"doc-{i}") for i in range(8)])
    assert client.writes == [8, 4, 2] and "MetaphysicalKnowledgeBase" in str(caught.value)


def test_an_item_over_400_kb_is_refused_before_any_item_is_written() -> None:
    store = dynamo()
    store.claim(MODEL, DIM)
    kept = chunk("kept", status="indexed")
    store.put_many([kept])
    # 210,000 characters, but 420,000 bytes in UTF-8: DynamoDB counts bytes
    big = chunk("big", text="đ" * 210_000)
    with pytest.raises(RecordRejected) as caught:
        store.put_many([chunk("before"), big, chunk("after")])
    assert (caught.value.location, caught.value.field) == ("big#0", "text")
    assert "'big#0'" in str(caught.value) and "409,600" in str(caught.value)
    assert store.get_many(["before#0", "big#0", "after#0", "kept#0"]) == {"kept#0": kept}
    large = chunk("large", text="Ngôi Sao " * 30_000)  # 300 KB, under the limit
    store.put_many([large])
    assert store.get_many(["large#0"]) == {"large#0": large}


def test_item_size_is_counted_as_dynamodb_counts_it() -> None:
    item = {"id": {"S": "ab"}, "n": {"N": "12300"}, "t": {"S": "đ"}}
    assert schema.item_size(item) == (2 + 2) + (1 + 3) + (1 + 2)
    at_limit = chunk("x", text="")
    room = schema.MAX_ITEM_BYTES - schema.item_size(schema.encode(at_limit))
    schema.check(chunk("x", text="a" * room), schema.encode(chunk("x", text="a" * room)), "t")
    over = chunk("x", text="a" * (room + 1))
    with pytest.raises(RecordRejected, match="409,601-byte"):
        schema.check(over, schema.encode(over), "t")


def test_meta_items_cannot_be_reached_as_chunks() -> None:
    store = dynamo()
    store.claim(MODEL, DIM)
    claim_id = schema.meta_id("model_id")
    with pytest.raises(RecordRejected, match="reserved"):
        store.put_many([Chunk(id=claim_id, doc_id="x", n=0, kind="article", lang="en",
                              title="t", section="text", text="t", content_hash="h")])  # fmt: skip
    assert store.get_many([claim_id]) == {}
    assert store.mark_indexed({claim_id: "h"}) == 0
    store.delete_many([claim_id])
    assert dynamo().model_id == MODEL


# --- the pipeline and the command ---------------------------------------------------------
def dynamo_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", embedder="hashing", document_store="dynamodb",
                    chunk_chars=200)  # fmt: skip


def long_card(i: int, sentences: int) -> dict[str, Any]:
    text = " ".join(f"Sentence {s} of note {i} is about theme {s % 7}." for s in range(sentences))
    return card(i, text=text)


def test_ingest_prune_verify_and_repair_in_process(tmp_path: Path) -> None:
    settings = dynamo_settings(tmp_path)
    src = write_jsonl(tmp_path / "kb.jsonl", [long_card(i, 12) for i in range(20)])
    stores = open_stores(settings, claim=True)
    try:
        first = ingest(settings, stores, jsonl_source(src), IngestOptions())
        assert (first.new, first.rejected) == (20, [])
        assert verify(stores).clean and stores.documents.count() == stores.index.count()
        shorter = [long_card(i, 3 if i == 4 else 12) for i in range(20) if i != 7]
        write_jsonl(src, shorter)
        second = ingest(settings, stores, jsonl_source(src), IngestOptions(prune=True))
        assert (second.updated, second.deleted, second.unchanged) == (1, 1, 18)
        assert stores.documents.chunk_ids_of(["article/note-7/en"]) == {"article/note-7/en": []}
        assert len(stores.documents.chunk_ids_of(["article/note-4/en"])["article/note-4/en"]) == 1
        item = stores.documents.get_many(["article/note-3/en#0"])["article/note-3/en#0"]
        stores.documents.put_many([item.with_status("pending")])
        drift = verify(stores)
        assert drift.stuck_pending == ["article/note-3/en#0"] and not drift.orphan_vectors
        repair(settings, stores, drift)
        after = verify(stores)
        assert after.clean and after.documents == after.vectors == stores.documents.count()
    finally:
        stores.close()


def test_the_command_ingests_verifies_and_heals_a_crash_on_dynamodb(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(5)])
    env = cli_env(tmp_path / "data", ORACULUM_DOCUMENT_STORE="dynamodb",
                  ORACULUM_EMBEDDER="hashing", ORACULUM_VECTOR_INDEX="usearch")  # fmt: skip
    before = run_cli(["verify", "--json"], env)
    assert before.returncode == 2 and "oraculum ingest" in before.stderr
    assert "Traceback" not in before.stderr

    done = run_cli(["ingest", str(src), "--json"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["new"] == 5
    checked = run_cli(["verify", "--json"], env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["clean"] is True and report["documents"] == report["vectors"] == 5

    edited = write_jsonl(src, [card(i, text="Edited.") for i in range(5)])
    killed = run_cli(["ingest", str(edited)], {**env, "ORACULUM_FAILPOINT": "after-vector:1"})
    assert killed.returncode < 0
    healed = run_cli(["repair", "--json"], env)
    assert healed.returncode == 0, healed.stdout + healed.stderr
    result = json.loads(healed.stdout)
    assert result["before"]["counts"]["stuck_pending"] == 5 and result["after"]["clean"] is True
