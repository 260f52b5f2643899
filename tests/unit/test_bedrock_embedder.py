"""Cohere Embed v3 on Bedrock: real boto3 clients, answered by botocore's Stubber (or, where
answers must depend on the request, by a before-send hook at the HTTP layer). No network."""

from __future__ import annotations

import io
import json
import threading
import time
from typing import Any

import numpy as np
import pytest
from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody
from botocore.stub import Stubber

from oraculum.backends.aws import clients as aws
from oraculum.backends.bedrock.embedder import (
    DIM,
    MAX_CHARS_PER_TEXT,
    BedrockCohereEmbedder,
    from_settings,
)
from oraculum.config import Settings
from oraculum.domain.errors import BackendUnavailable
from oraculum.ports import Embedder
from tests.unit.conftest import bedrock_client

MODEL = "cohere.embed-multilingual-v3"


class JsonBody:
    """Matches an InvokeModel body (bytes) by its JSON content, whatever the key order."""

    def __init__(self, expected: dict[str, Any]) -> None:
        self.expected = expected

    def __eq__(self, other: object) -> bool:
        return isinstance(other, bytes | str) and json.loads(other) == self.expected

    def __repr__(self) -> str:
        return f"JsonBody({self.expected!r})"


def invoke_params(texts: list[str], input_type: str) -> dict[str, Any]:
    """The InvokeModel call we expect, with the body documented for Cohere Embed v3."""
    body = {"texts": texts, "input_type": input_type, "truncate": "END"}
    return {
        "modelId": MODEL,
        "body": JsonBody(body),
        "contentType": "application/json",
        "accept": "application/json",
    }


def answer_of(data: bytes) -> dict[str, Any]:
    """An InvokeModel response carrying `data` as its body."""
    return {"body": StreamingBody(io.BytesIO(data), len(data)), "contentType": "application/json"}


def cohere_answer(vectors: list[list[float]], texts: list[str]) -> dict[str, Any]:
    """A documented Cohere Embed v3 response (embedding_types unset: embeddings_floats)."""
    return answer_of(
        json.dumps(
            {
                "embeddings": vectors,
                "id": "5c1a2b1e-0000-4d2c-9c3f-2f0d1b6d7e11",
                "response_type": "embeddings_floats",
                "texts": texts,
            }
        ).encode()
    )


def marked(n: int, scale: float = 2.0) -> list[float]:
    """A 1024-d vector that says which text it belongs to: `scale` at index n, 1 at the end."""
    vec = [0.0] * DIM
    vec[n % (DIM - 1)] = scale
    vec[DIM - 1] = 1.0
    return vec


def test_200_texts_go_in_three_calls_of_96_96_and_8_as_search_document(client) -> None:
    texts = [f"passage {i}" for i in range(200)]
    with Stubber(client) as stub:
        for start, size in ((0, 96), (96, 96), (192, 8)):
            batch = texts[start : start + size]
            stub.add_response(
                "invoke_model",
                cohere_answer([marked(start + i) for i in range(size)], batch),
                invoke_params(batch, "search_document"),
            )
        vectors = BedrockCohereEmbedder(client, MODEL, max_concurrency=1).embed_documents(texts)
        stub.assert_no_pending_responses()
    assert vectors.shape == (200, DIM) and vectors.dtype == np.float32
    # each row is its own text's vector, normalized: (2, 1) / sqrt(5)
    assert [int(np.argmax(row[: DIM - 1])) for row in vectors] == list(range(200))
    assert np.allclose(vectors[:, DIM - 1], 1 / np.sqrt(5))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_a_query_is_embedded_as_search_query_on_the_query_client(client) -> None:
    documents_client = bedrock_client()
    with Stubber(client) as stub, Stubber(documents_client) as untouched:
        stub.add_response(
            "invoke_model",
            cohere_answer([[3.0, 4.0] + [0.0] * (DIM - 2)], ["Is he the one?"]),
            invoke_params(["Is he the one?"], "search_query"),
        )
        embedder = BedrockCohereEmbedder(documents_client, MODEL, query_client=client)
        vector = embedder.embed_query("Is he the one?")
        stub.assert_no_pending_responses()
        untouched.assert_no_pending_responses()
    # a float32 array('f'), not numpy: the query path ships without numpy
    assert vector.typecode == "f" and len(vector) == DIM
    assert np.allclose(np.asarray(vector)[:2], [0.6, 0.8])


def test_texts_longer_than_cohere_allows_are_cut_to_2048_characters(client) -> None:
    long_text = "x" * 5000
    with Stubber(client) as stub:
        stub.add_response(
            "invoke_model",
            cohere_answer([marked(0)], ["x" * MAX_CHARS_PER_TEXT]),
            invoke_params(["x" * MAX_CHARS_PER_TEXT], "search_document"),
        )
        BedrockCohereEmbedder(client, MODEL).embed_documents([long_text])
        stub.assert_no_pending_responses()


def test_nothing_to_embed_makes_no_call(client) -> None:
    with Stubber(client) as stub:
        vectors = BedrockCohereEmbedder(client, MODEL).embed_documents([])
        stub.assert_no_pending_responses()
    assert vectors.shape == (0, DIM)


class CohereOverHttp:
    """Answers InvokeModel at the HTTP layer from the request's own texts (before-send), so
    that answers can arrive in any order. It waits until `parallel` calls are in flight, to
    prove they overlap, and lets later batches finish first."""

    def __init__(self, parallel: int) -> None:
        self.barrier = threading.Barrier(parallel, timeout=10)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.calls: list[dict[str, Any]] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        body = json.loads(request.body)
        with self.lock:
            self.calls.append(body)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        first = int(body["texts"][0].split()[1])
        try:
            self.barrier.wait()
            time.sleep(0.05 if first == 0 else 0.0)  # the first batch finishes last
        finally:
            with self.lock:
                self.in_flight -= 1
        vectors = [marked(int(t.split()[1])) for t in body["texts"]]
        data = json.dumps(
            {"embeddings": vectors, "id": "x", "response_type": "embeddings_floats",
             "texts": body["texts"]}
        ).encode()  # fmt: skip
        headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        return AWSResponse(request.url, 200, headers, RawBody(data))


class RawBody(io.BytesIO):
    """What botocore reads an HTTP body from: `read()` and `stream()`."""

    def stream(self, **_: Any) -> Any:
        yield self.read()


def test_order_is_kept_when_concurrent_calls_finish_out_of_order(client) -> None:
    http = CohereOverHttp(parallel=2)
    client.meta.events.register("before-send.bedrock-runtime.InvokeModel", http)
    texts = [f"passage {i}" for i in range(4 * 96)]
    vectors = BedrockCohereEmbedder(client, MODEL, max_concurrency=2).embed_documents(texts)
    assert [int(np.argmax(row[: DIM - 1])) for row in vectors] == list(range(4 * 96))
    assert http.peak == 2  # two calls at once, never more
    assert sorted(len(c["texts"]) for c in http.calls) == [96] * 4
    assert {c["input_type"] for c in http.calls} == {"search_document"}


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (cohere_answer([marked(0)], ["a"]), "1 embeddings for 2 texts"),
        (cohere_answer([[1.0] * 768, [1.0] * 768], ["a", "b"]), "768-d embedding where 1024-d"),
        (cohere_answer([[0.0] * DIM, marked(1)], ["a", "b"]), "zero or non-finite"),
        (answer_of(b"<html>"), "not JSON"),
        (answer_of(b'{"id": "x", "response_type": "embeddings_by_type"}'), "no `embeddings` list"),
    ],
)
def test_a_malformed_answer_is_a_clear_error_naming_the_model(client, answer, says) -> None:
    with Stubber(client) as stub:
        stub.add_response("invoke_model", answer, invoke_params(["a", "b"], "search_document"))
        with pytest.raises(BackendUnavailable, match=says) as info:
            BedrockCohereEmbedder(client, MODEL).embed_documents(["a", "b"])
    assert f"bedrock:{MODEL} returned a malformed response" in str(info.value)


def test_throttling_left_after_the_clients_retries_is_backend_unavailable(client) -> None:
    with Stubber(client) as stub:
        stub.add_client_error(
            "invoke_model",
            service_error_code="ThrottlingException",
            service_message="Too many requests, please wait before trying again.",
            http_status_code=429,
            response_meta={"RetryAttempts": 5},  # what botocore's adaptive retries report
            expected_params=invoke_params(["a"], "search_document"),
        )
        with pytest.raises(BackendUnavailable) as info:
            BedrockCohereEmbedder(client, MODEL).embed_documents(["a"])
    message = str(info.value)
    assert message.startswith(f"bedrock:{MODEL} failed after 6 attempts: ThrottlingException")
    assert "ORACULUM_BEDROCK_MAX_CONCURRENCY" in message


def test_from_settings_builds_the_port_with_a_short_query_client(fake_aws) -> None:
    settings = Settings(aws_region="eu-west-1", aws_timeout_s=10, bedrock_max_concurrency=3)
    embedder = from_settings(settings)
    assert isinstance(embedder, Embedder)
    assert (embedder.model_id, embedder.dim) == (f"bedrock:{MODEL}", 1024)
    documents, query = embedder.client.meta.config, embedder.query_client.meta.config
    assert documents.read_timeout == 10 and documents.retries["total_max_attempts"] == 6
    # adaptive: standard retries, and botocore's rate limiter, which aws.client adds itself so
    # that a call under a request's deadline does not wait for it (backends/aws/clients.py)
    assert documents.retries["mode"] == "standard"
    assert query.read_timeout == 2.0 and query.connect_timeout == 2.0
    assert query.retries["total_max_attempts"] == 2  # one try and one retry
    assert embedder.client.meta.region_name == "eu-west-1"


def test_from_settings_makes_no_client_until_the_first_embedding(monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    aws.forget_clients()
    embedder = from_settings(Settings(embedder="bedrock-cohere"))
    assert embedder.model_id == "bedrock:cohere.embed-multilingual-v3" and embedder.dim == 1024
    assert aws._clients == {}  # the horoscope function builds the embedder and never embeds
    assert embedder.query_client.meta.service_model.service_name == "bedrock-runtime"
    assert len(aws._clients) == 1
    aws.forget_clients()
