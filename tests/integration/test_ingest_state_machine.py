"""The ingest state machine (infra/statemachine/ingest.asl.json) run for real by moto's Step
Functions interpreter (its ASL parser, moto 5's `execute_state_machine`), in this process: the
Distributed Map over the shards, the worker invoked again while it answers complete=false, the
finish step, and the failures. Its Lambda tasks call the real handlers of
api/aws_lambda/ingest_worker.py in-process (moto would need Docker to run a function), on S3
and DynamoDB mocked by moto and the Pinecone stand-in.

What moto cannot show: IAM (the roles are checked as data in tests/unit/test_template.py and by
cfn-lint), Lambda's own timeouts and retries, and the Map's concurrency limit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from oraculum.api.aws_lambda import ingest_worker
from oraculum.backends.aws import clients
from oraculum.config import Settings
from tests.conftest import ROOT, card, write_jsonl
from tests.integration.test_sharded_ingest import assert_stores_hold_exactly
from tests.standins.pinecone_standin import STANDIN_API_KEY, PineconeStandin

moto = pytest.importorskip("moto")
lambda_utils = pytest.importorskip(
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils"
)

ASL = ROOT / "infra" / "statemachine" / "ingest.asl.json"
ACCOUNT = "123456789012"
WORKER = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:oraculum-ingest-worker"
FINISH = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:oraculum-ingest-finish"
BUCKET = "oraculum-sources"


def definition(concurrency: int = 2) -> str:
    """The definition as CloudFormation makes it from DefinitionSubstitutions."""
    text = ASL.read_text()
    for name, value in (
        ("IngestConcurrency", str(concurrency)),
        ("IngestWorkerFunctionArn", WORKER),
        ("IngestFinishFunctionArn", FINISH),
    ):
        text = text.replace("${" + name + "}", value)
    assert "${" not in text
    return text


class Context:
    def __init__(self, left_ms: int) -> None:
        self.aws_request_id = "sfn"
        self._left_ms = left_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._left_ms


class Lambdas:
    """Lambda:Invoke as the interpreter calls it, answered by our handlers in this process.
    A shard's first invocation is told it has no time left: it stops after one batch."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.finished: list[dict[str, Any]] = []  # the finish step's answers
        self._seen: set[int] = set()

    def __call__(self, parameters: dict[str, Any], region: str, state_credentials: Any
                 ) -> dict[str, Any]:  # fmt: skip
        payload = parameters["Payload"]
        event = json.loads(payload) if isinstance(payload, str | bytes) else payload
        self.calls.append((parameters["FunctionName"], event))
        if parameters["FunctionName"] == WORKER:
            first = event.get("shard") not in self._seen
            self._seen.add(event.get("shard"))
            answer = ingest_worker.shard(event, Context(0 if first else 900_000))
        else:
            answer = ingest_worker.finish(event, Context(900_000))
            self.finished.append(answer)
        return {"StatusCode": 200, "Payload": answer}


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Lambdas]]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    lambdas = Lambdas()
    monkeypatch.setattr(lambda_utils, "_invoke_lambda_function", lambdas)
    monkeypatch.setattr(clients, "_clients", {})  # none made for another endpoint
    monkeypatch.setattr(ingest_worker, "_runtime", {})
    with PineconeStandin() as pinecone:
        settings = {
            "ORACULUM_DATA_DIR": str(tmp_path / "tmp"),
            "ORACULUM_EMBEDDER": "hashing",
            "ORACULUM_DOCUMENT_STORE": "dynamodb",
            "ORACULUM_DYNAMODB_TABLE": "Knowledge",
            "ORACULUM_VECTOR_INDEX": "pinecone",
            "ORACULUM_PINECONE_API_KEY": STANDIN_API_KEY,
            "ORACULUM_PINECONE_CONTROL_HOST": pinecone.url,
            "ORACULUM_INGEST_BATCH_SIZE": "4",
        }
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            sfn = boto3.client("stepfunctions")
            arn = sfn.create_state_machine(
                name="oraculum-ingest", definition=definition(),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/oraculum-ingest",
            )["stateMachineArn"]  # fmt: skip
            boto3.client("s3").create_bucket(Bucket=BUCKET)
            yield (sfn, arn), lambdas
    monkeypatch.setattr(clients, "_clients", {})


def execute(sfn: Any, arn: str, name: str, job: dict[str, Any]) -> dict[str, Any]:
    started = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(job))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        found = sfn.describe_execution(executionArn=started["executionArn"])
        if found["status"] != "RUNNING":
            return found  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"execution {name} still running after 300 s")


def test_the_state_machine_loads_every_shard_then_finishes_clean_or_fails(
    machine, tmp_path
) -> None:
    (sfn, arn), lambdas = machine
    data = [card(i) for i in range(40)]
    boto3.client("s3").upload_file(
        str(write_jsonl(tmp_path / "kb.jsonl", data)), BUCKET, "kb/notes.jsonl"
    )
    done = execute(sfn, arn, "run-1", {"bucket": BUCKET, "key": "kb/notes.jsonl", "shards": 3})
    assert done["status"] == "SUCCEEDED", done
    answer = json.loads(done["output"])
    assert answer["ok"] and answer["clean"] and answer["documents"] == answer["read"] == 40
    shards = [e["shard"] for f, e in lambdas.calls if f == WORKER]
    assert sorted(shards) == [0, 0, 1, 1, 2, 2]  # each stopped once (no time left), then done
    assert all(e["run"] == "run-1" for _, e in lambdas.calls)
    assert_stores_hold_exactly(Settings(), data)

    # a source that cannot be read: every shard refuses, and the execution fails. (moto's Map
    # goes on to the finish step where Step Functions' Map fails at the first failed child;
    # the finish then refuses by itself: no shard of run-2 reported, so nothing is pruned.)
    lambdas.finished.clear()
    missing = execute(sfn, arn, "run-2", {"bucket": BUCKET, "key": "kb/none.jsonl", "shards": 2})
    assert missing["status"] == "FAILED"
    assert all(a["error"] == "shards-incomplete" for a in lambdas.finished)
    assert_stores_hold_exactly(Settings(), data)
    bad = execute(sfn, arn, "run-3", {"bucket": BUCKET, "shards": 0})
    assert bad["status"] == "FAILED" and bad.get("error") == "BadInput"


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("Plan", "Type", "Pas"),  # no such state type
        ("Shards", "Parameters", {"indexes.$": "States.ArrayRang(0, 1, 1)"}),  # no such function
        ("Plan", "Nexxt", "Shards"),  # no such field
    ],
)
def test_the_parser_refuses_a_spoiled_definition(machine, where, field, value) -> None:
    """moto's parser checks the language (state types, fields, intrinsic functions); the
    graph itself (every Next a state, every state reached) is checked in test_template.py."""
    (sfn, _), _ = machine
    spoiled = json.loads(definition())
    spoiled["States"][where][field] = value
    with pytest.raises(sfn.exceptions.ClientError, match=r"ASLParserException|Error="):
        sfn.create_state_machine(name="spoiled", definition=json.dumps(spoiled),
                                 roleArn=f"arn:aws:iam::{ACCOUNT}:role/x")  # fmt: skip
