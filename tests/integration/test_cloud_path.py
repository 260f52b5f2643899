"""The whole path on the cloud backends, chosen by settings alone: DynamoDB on moto's server,
Pinecone through its SDK on the local stand-in, Cohere embeddings through boto3 on the Bedrock
stand-in. Every step is the real `oraculum` command (or a Lambda handler) in a subprocess.

- ingest, verify, search, a tarot reading, the Lambda handlers (all four without numpy);
- SIGKILL at each failpoint, run again: verify is clean, both stores hold exactly the source;
- Pinecone's eventual consistency: verify waits it out within its grace window;
- an index of another dimension is refused before anything is written.
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

from oraculum import knowledge_version
from tests.conftest import KNOWLEDGE, ROOT, card, cli_env, run_cli, write_jsonl
from tests.standins.bedrock_standin import bedrock_standin
from tests.standins.pinecone_standin import STANDIN_API_KEY, PineconeStandin

TABLE = "MetaphysicalKnowledgeBase"
BATCH = 8


@pytest.fixture
def pinecone() -> Iterator[PineconeStandin]:
    with PineconeStandin() as server:
        yield server


@pytest.fixture(scope="module")
def bedrock() -> Iterator[str]:
    with bedrock_standin() as url:
        yield url


@pytest.fixture
def env(tmp_path: Path, aws: str, pinecone: PineconeStandin, bedrock: str) -> dict[str, str]:
    return cli_env(
        tmp_path / "local",  # holds only the embedding cache: both stores are remote
        ORACULUM_EMBEDDER="bedrock-cohere",
        ORACULUM_VECTOR_INDEX="pinecone",
        ORACULUM_DOCUMENT_STORE="dynamodb",
        ORACULUM_DYNAMODB_TABLE=TABLE,
        ORACULUM_PINECONE_API_KEY=STANDIN_API_KEY,
        ORACULUM_PINECONE_CONTROL_HOST=pinecone.url,
        ORACULUM_PINECONE_GRACE_S="15",
        ORACULUM_INGEST_BATCH_SIZE=str(BATCH),
        ORACULUM_AUTH_MODE="gateway",
        # moto's server is slower than DynamoDB, the more so under faketime: the longest call
        # timeout, so a loaded machine is not read as an outage
        ORACULUM_AWS_TIMEOUT_S="28",
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME=bedrock,
    )


def cli_json(args: list[str], env: dict[str, str], code: int = 0) -> dict:
    done = run_cli([*args, "--json"], env)
    assert done.returncode == code, (done.stdout[-2000:], done.stderr[-2000:])
    return json.loads(done.stdout)


def table_items() -> int:
    """Items in the table but the lexical index's (its head, its parts, replaced parts that
    wait for the time to live, its stale note) and the base's version: the chunks and the
    model claim."""
    pages = (
        boto3.client("dynamodb")
        .get_paginator("scan")
        .paginate(TableName=TABLE, ProjectionExpression="id")
    )
    ids = [item["id"]["S"] for page in pages for item in page["Items"]]
    lexical = [i for i in ids if i.startswith("~meta#lexical/")]
    assert "~meta#lexical/head" in lexical or not lexical
    version = f"~meta#{knowledge_version.KEY}"
    return len(ids) - len(lexical) - (version in ids)


def english_base(tmp_path: Path) -> Path:
    """The bundled base in English without the 240 planet-in-sign and planet-in-house notes:
    every kind the Lambda events read, about 1,200 chunks. moto answers a query on an index by
    reading the whole table, so the whole base (776 documents, one `by_doc` query each, 3,458
    chunks) costs minutes here that DynamoDB answers in a second."""
    base = tmp_path / "knowledge"
    base.mkdir()
    for path in KNOWLEDGE.glob("*.en.jsonl"):
        if not path.name.startswith("planet-in-"):
            (base / path.name).symlink_to(path)
    return base


def test_ingest_verify_search_read_and_lambda_on_the_cloud_backends(
    env: dict[str, str], tmp_path: Path
) -> None:
    base = english_base(tmp_path)
    report = cli_json(["ingest", str(base)], env)
    assert report["rejected"] == 0 and report["chunks_written"] > 600
    assert report["lexical_rebuilt"] == report["chunks_written"]
    again = cli_json(["ingest", str(base)], env)  # nothing changed: no scan, no rebuild
    assert again["unchanged"] == report["read"] and again["lexical_rebuilt"] is None
    drift = cli_json(["verify"], env)
    assert drift["clean"] and drift["documents"] == drift["vectors"] == report["chunks_written"]
    hits = cli_json(["search", "the tower", "--kind", "tarot_card", "--top-k", "3"], env)["hits"]
    assert len(hits) == 3 and all(h["kind"] == "tarot_card" for h in hits)
    reading = cli_json(["tarot", "What should I focus on?", "--seed", "7"], env)
    assert len(reading["cards"]) == 3 and reading["sources"] and not reading["degraded"]
    doctor = cli_json(["doctor"], env)
    assert doctor["ok"], doctor
    for function, event in (("tarot", "tarot-reading.json"), ("ask", "ask.json"),
                            ("horoscope", "horoscope.json")):  # fmt: skip
        result, logs = handler_without_numpy(env, function, ROOT / "events" / event)
        assert result["statusCode"] == 200, logs
        assert result["body"]["sources"] and result["numpy_loaded"] is False
    natal, logs = handler_without_numpy(env, "horoscope", ROOT / "events" / "natal.json")
    assert natal["statusCode"] == 200, logs
    assert natal["body"]["big_three"]["rising"] == "aquarius"  # Obama: 18°03′ Aquarius rising
    made, logs = handler_without_numpy(env, "precompute", ROOT / "events" / "precompute.json")
    # Leo's horoscope for that day was made (and stored) by the GET above: eleven remain.
    assert made["made"] == {"en": 11} and made["numpy_loaded"] is False, logs


NO_NUMPY = r"""
import importlib.abc, json, sys
class NoNumpy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("numpy is not in this Lambda package")
sys.meta_path.insert(0, NoNumpy())
import oraculum.api.aws_lambda.handlers as handlers
event = json.load(open(sys.argv[2]))
result = getattr(handlers, sys.argv[1])(event, None)
if "body" in result:
    result["body"] = json.loads(result["body"])
result["numpy_loaded"] = "numpy" in sys.modules
print(json.dumps(result))
"""


def handler_without_numpy(env: dict[str, str], function: str, event: Path) -> tuple[dict, str]:
    """A handler in a fresh process where numpy cannot be imported, as in its package."""
    done = subprocess.run([sys.executable, "-c", NO_NUMPY, function, str(event)], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    *logs, last = done.stdout.strip().splitlines()
    return json.loads(last), "\n".join(logs)


def notes(n: int, sentences: int = 1) -> list[dict]:
    text = " ".join(f"Sentence {j} of note {{n}} on the tides." for j in range(sentences))
    return [card(i, text=text.format(n=i) if sentences > 1 else "") for i in range(n)]


@pytest.mark.parametrize("point", ["after-pending", "after-vector", "before-indexed"])
def test_a_kill_at_each_write_failpoint_heals_on_the_next_run(
    env: dict[str, str], tmp_path: Path, point: str
) -> None:
    source = write_jsonl(tmp_path / "notes.jsonl", notes(30))
    killed = run_cli(["ingest", str(source)], {**env, "ORACULUM_FAILPOINT": f"{point}:2"})
    assert killed.returncode == -signal.SIGKILL
    cli_json(["ingest", str(source)], env)
    assert_exactly(env, expected_chunks=30)


def test_a_kill_while_pruning_heals(env: dict[str, str], tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "notes.jsonl", notes(30))
    cli_json(["ingest", str(source)], env)
    write_jsonl(source, notes(30)[:12])
    killed = run_cli(
        ["ingest", str(source), "--prune"], {**env, "ORACULUM_FAILPOINT": "mid-prune:1"}
    )
    assert killed.returncode == -signal.SIGKILL
    cli_json(["ingest", str(source), "--prune"], env)
    assert_exactly(env, expected_chunks=12)


def test_a_kill_while_dropping_stale_chunks_heals(env: dict[str, str], tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "notes.jsonl", notes(6, sentences=80))
    first = cli_json(["ingest", str(source)], env)
    assert first["chunks_written"] > 6  # long notes: several chunks each
    write_jsonl(source, notes(6, sentences=2))  # each note now fits one chunk
    killed = run_cli(["ingest", str(source)], {**env, "ORACULUM_FAILPOINT": "mid-stale:1"})
    assert killed.returncode == -signal.SIGKILL
    cli_json(["ingest", str(source)], env)
    assert_exactly(env, expected_chunks=6)


def assert_exactly(env: dict[str, str], expected_chunks: int) -> None:
    drift = cli_json(["verify"], env)
    assert drift["clean"], drift
    assert drift["documents"] == drift["vectors"] == expected_chunks
    assert table_items() == expected_chunks + 1  # and the model claim


def test_verify_waits_out_pinecones_eventual_consistency(
    env: dict[str, str], tmp_path: Path, pinecone: PineconeStandin
) -> None:
    source = write_jsonl(tmp_path / "notes.jsonl", notes(10))
    cli_json(["ingest", str(source)], env)
    # new vectors stay invisible for 4 s; verify's grace window (15 s) outlasts that
    pinecone.visibility_delay = 4.0
    write_jsonl(source, notes(14))
    cli_json(["ingest", str(source)], env)
    patient = cli_json(["verify"], env)
    assert patient["clean"] and patient["documents"] == patient["vectors"] == 14
    # a lag longer than the window is drift, and verify says so
    pinecone.visibility_delay = 600.0
    write_jsonl(source, notes(18))
    cli_json(["ingest", str(source)], env)
    impatient = cli_json(["verify"], {**env, "ORACULUM_PINECONE_GRACE_S": "1"}, code=1)
    assert impatient["counts"]["missing_vectors"] == 4 and impatient["waited_s"] == 1.0


def test_an_index_of_another_dimension_is_refused_before_any_write(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "notes.jsonl", notes(5))
    cli_json(["ingest", str(source)], env)  # a 1024-d index, Cohere's
    before = table_items()
    more = write_jsonl(tmp_path / "more.jsonl", [card(100 + i) for i in range(5)])
    local = {**env, "ORACULUM_EMBEDDER": "hashing", "ORACULUM_HASHING_DIM": "384"}
    refused = run_cli(["ingest", str(more)], local)
    assert refused.returncode == 2
    assert "1024" in refused.stderr and "384" in refused.stderr
    assert table_items() == before
    assert cli_json(["verify"], env)["clean"]
