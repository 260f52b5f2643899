"""Sharded ingest (`oraculum ingest --shard I/N --run RUN`, then `oraculum ingest-finish`), for
real: N worker processes at once, some SIGKILLed at a failpoint and run again, then the finish
step; both stores then hold exactly the source and `verify` is clean.

- on the cloud stand-ins: DynamoDB on moto's server, Pinecone through its SDK on the local
  stand-in (the hashing embedder: the stores are the subject, not the model);
- on the embedded stores (SQLite + usearch): shards of one data directory take turns (a lock
  file), so four started at once still leave the HNSW graph whole;
- the prune: a record removed from the source is deleted by the finish step only, never by a
  shard; a finish with a shard missing is refused, naming it, and deletes nothing; a finish
  killed mid-prune heals when run again;
- the Lambda worker and finish handlers (api/aws_lambda/ingest_worker.py) on S3 in moto.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from oraculum.config import Settings, open_stores
from oraculum.ingest.chunking import chunk_record
from oraculum.ingest.normalize import Limits, build_record
from oraculum.ingest.shards import shard_of
from tests.conftest import ROOT, card, cli_env, write_jsonl
from tests.standins.pinecone_standin import STANDIN_API_KEY, PineconeStandin

TABLE = "ShardedKnowledge"
BATCH = 6
SHARDS = 4


def oraculum(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "oraculum", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def run(args: list[str], env: dict[str, str], code: int | None = 0) -> dict:
    proc = oraculum([*args, "--json"], env)
    out, err = proc.communicate(timeout=600)
    if code is not None:
        assert proc.returncode == code, (args, proc.returncode, out[-2000:], err[-2000:])
    return json.loads(out) if proc.returncode in (0, 1) and out.strip() else {"stderr": err}


def shards_at_once(source: Path, run_id: str, env: dict[str, str], kills: dict[int, str]
                   ) -> dict[int, subprocess.CompletedProcess[str]]:  # fmt: skip
    """Every shard in its own process, all started together; `kills` arms a failpoint in some."""
    procs = {
        i: oraculum(
            ["ingest", str(source), "--shard", f"{i}/{SHARDS}", "--run", run_id, "--json"],
            {**env, **({"ORACULUM_FAILPOINT": kills[i]} if i in kills else {})},
        )
        for i in range(SHARDS)
    }
    done = {}
    for i, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        done[i] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


def records(n: int, long_every: int = 7) -> list[dict]:
    """Notes, every `long_every`-th long enough for several chunks."""
    return [
        card(i, text=" ".join(f"Sentence {j} of note {i}, on tides and moons." for j in range(60)))
        if i % long_every == 3 else card(i)
        for i in range(n)
    ]  # fmt: skip


def expected_chunks(data: list[dict], model_id: str) -> dict[str, str]:
    out = {}
    for i, rec in enumerate(data):
        record = build_record(rec, source="", location=str(i), limits=Limits())
        for chunk in chunk_record(record, model_id=model_id, limit=Settings().chunk_chars):
            out[chunk.id] = chunk.content_hash
    return out


def assert_stores_hold_exactly(settings: Settings, data: list[dict]) -> None:
    stores = open_stores(settings)
    try:
        want = expected_chunks(data, stores.embedder.model_id)
        stored = {c.id: c for c in stores.documents.scan()}
        assert set(stored) == set(want)
        assert all(c.status == "indexed" and c.content_hash == want[c.id] for c in stored.values())
        assert set(stores.index.list_ids()) == set(want)
        metadata = stores.index.fetch_metadata(list(want))
        assert all(metadata[cid]["content_hash"] == h for cid, h in want.items())
        assert stores.documents.count() == stores.index.count() == len(want)
        # the embedded HNSW graph is whole: it holds every shard's vectors (a search for all
        # of them is no test of that: HNSW is approximate, and after removals a node can be
        # out of a search's reach while the graph holds it)
        if settings.vector_index == "usearch":
            assert stores.index.held() == len(want)  # type: ignore[attr-defined]
        else:  # an exact index: a search for all of them finds all of them
            top = stores.index.query(stores.embedder.embed_query("tides"), top_k=len(want) + 10)
            assert {h.id for h in top} == set(want)
    finally:
        stores.close()


def kill_plan(data: list[dict]) -> dict[int, str]:
    """Failpoints for shards 1 and 3, each at a batch its share really reaches."""
    return {1: "after-vector:2", 3: "before-indexed:1"}


# ---------------------------------------------------------------- the cloud stand-ins
@pytest.fixture
def pinecone() -> Iterator[PineconeStandin]:
    with PineconeStandin() as server:
        yield server


@pytest.fixture
def cloud(tmp_path: Path, aws: str, pinecone: PineconeStandin) -> tuple[dict[str, str], Settings]:
    values = {
        "ORACULUM_VECTOR_INDEX": "pinecone",
        "ORACULUM_DOCUMENT_STORE": "dynamodb",
        "ORACULUM_DYNAMODB_TABLE": TABLE,
        "ORACULUM_PINECONE_API_KEY": STANDIN_API_KEY,
        "ORACULUM_PINECONE_CONTROL_HOST": pinecone.url,
        "ORACULUM_PINECONE_GRACE_S": "15",
        "ORACULUM_INGEST_BATCH_SIZE": str(BATCH),
        "ORACULUM_AWS_TIMEOUT_S": "28",
    }
    env = cli_env(tmp_path / "local", **values)
    settings = Settings(**{k.removeprefix("ORACULUM_").lower(): v for k, v in env.items()
                           if k.startswith("ORACULUM_") and k != "ORACULUM_NOW"})  # fmt: skip
    return env, settings


def test_four_shard_workers_with_kills_then_finish_equal_the_source_on_dynamodb_and_pinecone(
    cloud: tuple[dict[str, str], Settings], tmp_path: Path
) -> None:
    env, settings = cloud
    data = records(80)
    source = write_jsonl(tmp_path / "kb.jsonl", data)
    first = shards_at_once(source, "r1", env, kill_plan(data))
    for i, done in first.items():
        if i in (1, 3):
            assert done.returncode == -signal.SIGKILL, (i, done.stderr[-2000:])
        else:
            assert done.returncode == 0, (i, done.stderr[-2000:])
    refused = run(["ingest-finish", str(source), "--run", "r1", "--shards", "4"], env, code=2)
    assert "shard 1, 3" in " ".join(refused["stderr"].split())
    for i in (1, 3):  # the killed workers are simply run again
        again = run(["ingest", str(source), "--shard", f"{i}/4", "--run", "r1"], env)
        assert again["complete"] and again["rejected"] == 0
    done = run(["ingest-finish", str(source), "--run", "r1", "--shards", "4"], env)
    assert done["clean"] and done["deleted"] == 0
    assert done["documents"] == done["read"] == len(data)
    want = expected_chunks(data, "oraculum/hashing-v1-384")
    assert done["verify"]["documents"] == done["verify"]["vectors"] == len(want)
    assert_stores_hold_exactly(settings, data)
    shares = [sum(shard_of(f"article/note-{i}/en", 4) == s for i in range(80)) for s in range(4)]
    assert all(shares), shares  # every shard had work


# ---------------------------------------------------------------- the embedded stores
def test_shards_on_the_embedded_stores_take_turns_and_the_finish_alone_prunes(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    env = cli_env(data_dir, ORACULUM_INGEST_BATCH_SIZE=str(BATCH))
    settings = Settings(data_dir=data_dir, embedder="hashing")
    data = records(60)
    source = write_jsonl(tmp_path / "kb.jsonl", data)
    first = shards_at_once(source, "r1", env, {2: "after-pending:2"})
    assert first[2].returncode == -signal.SIGKILL
    assert all(first[i].returncode == 0 for i in (0, 1, 3))
    run(["ingest", str(source), "--shard", "2/4", "--run", "r1"], env)
    assert run(["ingest-finish", str(source), "--run", "r1", "--shards", "4"], env)["clean"]
    assert_stores_hold_exactly(settings, data)  # the HNSW graph holds every shard's vectors

    # a second run: 10 records gone, 5 edited; the shards delete nothing
    kept = [r for i, r in enumerate(data) if i % 6 != 0]
    kept = [{**r, "text": "Edited: now of sunrise."} if i % 9 == 1 else r
            for i, r in enumerate(kept)]  # fmt: skip
    write_jsonl(source, kept)
    for i in range(3):
        run(["ingest", str(source), "--shard", f"{i}/4", "--run", "r2"], env)
    refused = run(["ingest-finish", str(source), "--run", "r2", "--shards", "4"], env, code=2)
    assert "shard 3" in " ".join(refused["stderr"].split()) and "Nothing was pruned" in " ".join(
        refused["stderr"].split()
    )
    run(["ingest", str(source), "--shard", "3/4", "--run", "r2"], env)
    stores = open_stores(settings)
    try:  # every shard has run: the removed records are still there, only the finish prunes
        docs = {c.doc_id for c in stores.documents.scan()}
        assert len(docs) == len(data)
    finally:
        stores.close()
    killed = oraculum(["ingest-finish", str(source), "--run", "r2", "--shards", "4"],
                      {**env, "ORACULUM_FAILPOINT": "mid-prune:1"})  # fmt: skip
    killed.communicate(timeout=600)
    assert killed.returncode == -signal.SIGKILL
    done = run(["ingest-finish", str(source), "--run", "r2", "--shards", "4"], env)
    assert done["clean"] and done["documents"] == len(kept)
    assert done["deleted"] <= len(data) - len(kept)  # the killed finish deleted some already
    assert_stores_hold_exactly(settings, kept)


def test_prune_with_shard_is_refused_and_a_shard_names_only_its_own_rejections(
    tmp_path: Path,
) -> None:
    env = cli_env(tmp_path / "data")
    data = [*records(12), {"kind": "article", "key": "bad-1", "title": "No text"}, "{not json"]
    source = write_jsonl(tmp_path / "kb.jsonl", data)
    refused = run(["ingest", str(source), "--shard", "0/2", "--run", "r", "--prune"], env, code=2)
    assert "--prune cannot be given with --shard" in " ".join(refused["stderr"].split())
    reports = [run(["ingest", str(source), "--shard", f"{i}/2", "--run", "r"], env, code=None)
               for i in range(2)]  # fmt: skip
    assert sum(r["read"] for r in reports) == len(data)
    assert sum(r["rejected"] for r in reports) == 2
    bad_owner = shard_of("article/bad-1/en", 2)
    assert reports[0]["rejections"][-1]["reason"].startswith("malformed JSON")  # shard 0's
    assert any(r["field"] == "text" for r in reports[bad_owner]["rejections"])
    done = run(["ingest-finish", str(source), "--run", "r", "--shards", "2"], env)
    assert done["clean"] and done["prune_skipped"] and done["deleted"] == 0


# ---------------------------------------------------------------- the Lambda handlers
WORKER = r"""
import json, sys
from oraculum.api.aws_lambda import ingest_worker
class Context:
    aws_request_id = "test"
    def get_remaining_time_in_millis(self):
        return 900_000
event = json.loads(sys.argv[2])
print(json.dumps(getattr(ingest_worker, sys.argv[1])(event, Context())))
"""


def handler(function: str, event: object, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", WORKER, function, json.dumps(event)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_lambda_worker_and_finish_load_a_source_from_s3(
    cloud: tuple[dict[str, str], Settings], tmp_path: Path
) -> None:
    env, settings = cloud
    data = records(30)
    source = write_jsonl(tmp_path / "kb.jsonl", data)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="oraculum-sources")
    s3.upload_file(str(source), "oraculum-sources", "kb/notes.jsonl")
    base = {"bucket": "oraculum-sources", "key": "kb/notes.jsonl", "shards": 3, "run": "exec-1"}
    for i in range(3):
        answer = handler("shard", {**base, "shard": i}, env)
        assert answer["ok"] and answer["complete"] and answer["source"].startswith("s3://")
        if i == 0:
            early = handler("finish", base, env)
            assert early["ok"] is False and early["error"] == "shards-incomplete"
            assert early["missing"] == [1, 2]
    done = handler("finish", base, env)
    assert done["ok"] and done["clean"] and done["documents"] == 30
    assert_stores_hold_exactly(settings, data)
    missing = handler("shard", {**base, "key": "kb/none.jsonl", "shard": 0}, env)
    assert missing == {"ok": False, "error": "source-unreadable", "field": "key",
                       "detail": "s3://oraculum-sources/kb/none.jsonl cannot be read (404)"}  # fmt: skip
