"""Every remote call keeps to the request's deadline, against a server that stalls.

A stand-in on 127.0.0.1 accepts each request and never answers (or answers late, or refuses at
once with a status a client retries). The real clients are pointed at it: boto3's DynamoDB,
SSM, Secrets Manager and Bedrock clients (AWS_ENDPOINT_URL), and the pinecone SDK's control
and data planes (its host and control host). Under a deadline of half a second, each call must
end by it with DeadlineExceeded, naming what ran out of time, retries included; without a
deadline the clients behave as before.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from oraculum import time_budget
from oraculum.backends.aws import clients as aws
from oraculum.backends.aws import secrets
from oraculum.backends.bedrock import embedder as bedrock_embedder
from oraculum.backends.bedrock import generator as bedrock_generator
from oraculum.backends.dynamodb.store import DynamoDocumentStore
from oraculum.backends.pinecone.errors import DeadlineTransport
from oraculum.backends.pinecone.index import PineconeIndex
from oraculum.config import Settings
from oraculum.domain.errors import DeadlineExceeded
from oraculum.ports import GenerationRequest

DEADLINE_S = 0.5
MARGIN_S = 1.0  # a loaded two-core machine: the calls end by the deadline plus this
AMZ_JSON = {"content-type": "application/x-amz-json-1.0"}


class Stalling:
    """An HTTP server that takes each request and answers nothing, until closed; or, with
    `answer_after`, answers `status` and `body` after that many seconds."""

    def __init__(
        self,
        *,
        answer_after: float | None = None,
        status: int = 200,
        body: bytes = b"{}",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.answer_after, self.status, self.body = answer_after, status, body
        self.headers = {"content-type": "application/json", **(headers or {})}
        self.requests: list[str] = []  # "POST /query", one per request received
        self._closed = threading.Event()
        stand = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                if size:
                    self.rfile.read(size)
                stand.requests.append(f"{self.command} {self.path}")
                if stand.answer_after is None or stand._closed.wait(stand.answer_after):
                    stand._closed.wait()
                    self.close_connection = True
                    return
                self.send_response(stand.status)
                for name, value in stand.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(stand.body)))
                self.end_headers()
                self.wfile.write(stand.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Stalling]]:
    started: list[Stalling] = []

    def start(**kw: Any) -> Stalling:
        started.append(Stalling(**kw))
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture
def stall(serve: Callable[..., Stalling]) -> Stalling:
    return serve()


@pytest.fixture
def point_aws_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Stalling], None]]:
    """Fake credentials, and every boto3 client of ours pointed at one stand-in."""
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)

    def point(server: Stalling) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        aws.forget_clients()
        secrets.forget()

    yield point
    aws.forget_clients()
    secrets.forget()


def within(seconds: float | None, call: Callable[[], Any]) -> tuple[BaseException | None, float]:
    """What `call` raised (None if it returned) under a deadline, and how long it took."""
    started = time.monotonic()
    try:
        with time_budget.within(seconds):
            call()
    except Exception as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


def ends_by_the_deadline(
    call: Callable[[], Any], says: str, seconds: float = DEADLINE_S
) -> DeadlineExceeded:
    raised, took = within(seconds, call)
    assert isinstance(raised, DeadlineExceeded), f"{type(raised).__name__}: {raised}"
    assert took < seconds + MARGIN_S, f"{took:.2f} s for a deadline of {seconds} s"
    assert says in str(raised)
    return raised


def store(settings: Settings | None = None) -> DynamoDocumentStore:
    return DynamoDocumentStore(aws.client("dynamodb", settings or Settings()), "T")


# --- DynamoDB ----------------------------------------------------------------------------------
def test_a_dynamodb_call_to_a_stalled_server_ends_by_the_deadline(stall, point_aws_at):
    point_aws_at(stall)
    dynamo = store()  # made before the request: making a client takes its own while
    ends_by_the_deadline(lambda: dynamo.get_meta("horoscope/leo"), "DynamoDB GetItem")
    assert len(stall.requests) == 1  # sent once: no retry fits in what was left


def test_botocore_retries_a_stalled_server_only_while_the_deadline_lasts(stall, point_aws_at):
    point_aws_at(stall)
    slow = store(Settings(aws_timeout_s=0.6))  # each attempt reads for at most 0.6 s
    raised = ends_by_the_deadline(lambda: slow.get_meta("x"), "DynamoDB GetItem", 1.6)
    assert len(stall.requests) >= 2  # botocore did retry the timed-out call...
    assert raised.left_s < 0.3  # ...until the deadline, not past it


def test_a_call_without_time_left_is_not_sent(stall, point_aws_at):
    point_aws_at(stall)
    client = aws.client("dynamodb", Settings())  # the client itself refuses, not only our store
    raised = ends_by_the_deadline(
        lambda: client.get_item(TableName="T", Key={"id": {"S": "x"}}), "DynamoDB GetItem", 0.1
    )
    assert raised.step == "DynamoDB GetItem"
    assert stall.requests == []


def test_throttling_is_not_retried_past_the_deadline(serve, point_aws_at):
    throttled = json.dumps({"__type": "ThrottlingException", "message": "slow down"}).encode()
    server = serve(answer_after=0, status=400, body=throttled, headers=AMZ_JSON)
    point_aws_at(server)
    dynamo = store()
    # botocore would wait up to 1 s (then 2, 4, ...) before retrying a throttled call: with
    # less left, it is the deadline that ends the call, at once
    raised = ends_by_the_deadline(lambda: dynamo.get_meta("x"), "a retry of DynamoDB GetItem")
    assert raised.left_s > 0.2 and len(server.requests) == 1
    # once throttled, the client's rate limiter would hold a call for a token: not under a
    # deadline, which the calls keep to whatever their pauses
    for _ in range(3):
        ends_by_the_deadline(lambda: dynamo.get_meta("x"), "DynamoDB GetItem", 1.5)


def test_without_a_deadline_a_slow_answer_is_waited_for(serve, point_aws_at):
    server = serve(answer_after=0.8, body=b"{}", headers=AMZ_JSON)  # GetItem: no item
    point_aws_at(server)
    dynamo = store()
    raised, took = within(None, lambda: dynamo.get_meta("x"))
    assert raised is None and took >= 0.8  # the client's own 10 s read timeout, as ever
    ends_by_the_deadline(lambda: dynamo.get_meta("x"), "DynamoDB GetItem", 0.4)


# --- SSM and Secrets Manager -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("service", "where", "says"),
    [
        ("ssm", {"pinecone_api_key_ssm": "/oraculum/pinecone"}, "SSM GetParameter"),
        ("secretsmanager", {"pinecone_api_key_secret": "oraculum/pinecone"},
         "Secrets Manager GetSecretValue"),
    ],
    ids=["ssm", "secretsmanager"],
)  # fmt: skip
def test_reading_the_pinecone_key_ends_by_the_deadline_and_caches_nothing(
    stall, point_aws_at, service, where, says
):
    point_aws_at(stall)
    settings = Settings(**where)
    aws.client(service, settings)  # made before the request, as a warm function's is
    ends_by_the_deadline(lambda: secrets.pinecone_api_key(settings), says)
    ends_by_the_deadline(lambda: secrets.pinecone_api_key(settings), says)
    assert len(stall.requests) == 2  # asked again: a failure is not cached


# --- Bedrock -----------------------------------------------------------------------------------
def test_a_query_embedding_ends_by_the_deadline(stall, point_aws_at):
    point_aws_at(stall)
    embedder = bedrock_embedder.from_settings(Settings(embedder="bedrock-cohere"))
    assert embedder.query_client.meta  # the client, made before the request
    ends_by_the_deadline(lambda: embedder.embed_query("a tower struck"), "Bedrock Runtime")
    assert stall.requests == ["POST /model/cohere.embed-multilingual-v3/invoke"]


def test_document_embeddings_on_worker_threads_end_by_the_deadline(stall, point_aws_at):
    point_aws_at(stall)
    embedder = bedrock_embedder.from_settings(
        Settings(embedder="bedrock-cohere", bedrock_max_concurrency=4)
    )
    assert embedder.client.meta
    texts = [f"passage {i}" for i in range(300)]  # 4 calls of at most 96 texts, in parallel
    ends_by_the_deadline(lambda: embedder.embed_documents(texts), "Bedrock Runtime InvokeModel")
    assert 1 <= len(stall.requests) <= 4


def test_a_generation_ends_by_the_deadline_not_its_own_longer_budget(stall, point_aws_at):
    point_aws_at(stall)
    generator = bedrock_generator.from_settings(Settings(generator="bedrock"))  # 20 s budget
    request = GenerationRequest(
        system="You read tarot.", prompt="What should I focus on?", lang="en",
        reading_type="ask", groups=(),
    )  # fmt: skip
    ends_by_the_deadline(lambda: generator.generate(request), "Bedrock Runtime Converse")
    assert len(stall.requests) == 1


# --- Pinecone ----------------------------------------------------------------------------------
def pinecone(server: Stalling, *, host: bool = True) -> PineconeIndex:
    return PineconeIndex(
        api_key="pinecone-standin-key", name="oraculum-test",
        host=server.url if host else None, control_host=server.url,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda index: index.query([0.6, 0.8], 3), "Pinecone POST /query"),
        (lambda index: index.count(), "Pinecone POST /describe_index_stats"),
        (lambda index: index.fetch_metadata(["kb/a#0"]), "Pinecone GET /vectors/fetch"),
        (lambda index: index.delete(["kb/a#0"]), "Pinecone POST /vectors/delete"),
    ],
    ids=["query", "stats", "fetch", "delete"],
)
def test_a_pinecone_data_plane_call_ends_by_the_deadline(stall, call, says):
    index = pinecone(stall)
    # the data-plane client is made before the request, as a warm function's is: on a loaded
    # machine making it can take more than half the deadline, and then the query rightly
    # refuses to start ("ran out of time before the Pinecone query") instead of being sent
    assert index._index() is not None
    try:
        ends_by_the_deadline(lambda: call(index), says)
    finally:
        index.close()


def test_a_pinecone_control_plane_call_ends_by_the_deadline(stall):
    index = pinecone(stall, host=False)  # the data plane's host is looked up by name
    try:
        ends_by_the_deadline(lambda: index.model_id, "Pinecone GET /indexes/oraculum-test")
        ends_by_the_deadline(lambda: index.count(), "Pinecone GET /indexes/oraculum-test")
    finally:
        index.close()


def test_the_sdk_retries_a_refusal_only_while_its_pause_fits(serve):
    unavailable = {"error": {"code": "UNAVAILABLE", "message": "try later"}, "status": 503}
    server = serve(answer_after=0, status=503, body=json.dumps(unavailable).encode())
    index = pinecone(server)
    try:
        # the SDK pauses 0.25-0.75 s before a first retry, up to 2.25 s before a second
        raised = ends_by_the_deadline(index.count, "a retry of Pinecone POST", 2.0)
        assert len(server.requests) == 2 and raised.left_s > 0.0
    finally:
        index.close()


def test_without_a_deadline_pinecone_waits_for_a_slow_answer(serve):
    stats = {"namespaces": {"": {"vectorCount": 7}}, "dimension": 2, "totalVectorCount": 7}
    server = serve(answer_after=0.8, body=json.dumps(stats).encode())
    index = pinecone(server)
    try:
        raised, took = within(None, index.count)
        assert raised is None and took >= 0.8
        ends_by_the_deadline(index.count, "Pinecone POST /describe_index_stats", 0.4)
    finally:
        index.close()


def test_every_pinecone_client_sends_through_the_deadline_transport(stall):
    """The SDK's layout the bound relies on: were it to change, this says so (the adapter then
    warns, and keeps to a deadline only by the query's own timeout)."""
    index = pinecone(stall)
    try:
        data = index._index()
        for sdk in (index._pc, data):
            assert isinstance(sdk._http._client._transport._transport, DeadlineTransport)
    finally:
        index.close()
