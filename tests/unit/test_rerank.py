"""The rerankers: the one that keeps the order, and Bedrock's Rerank API on a real
bedrock-agent-runtime client answered by botocore's Stubber (which also holds each request and
answer to the API's model). No network."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from oraculum.backends.aws import clients as aws
from oraculum.backends.bedrock.rerank import (
    MAX_CHARS_PER_TEXT,
    MAX_QUERY_CHARS,
    BedrockReranker,
    from_settings,
    model_arn,
)
from oraculum.backends.local.noop_rerank import NoopReranker
from oraculum.config import Settings, build_reranker
from oraculum.domain.errors import BackendUnavailable
from oraculum.ports import Reranker

MODEL = "cohere.rerank-v3-5:0"
ARN = f"arn:aws:bedrock:us-west-2::foundation-model/{MODEL}"
QUERY = "Does the Tower mean sudden change?"


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "bedrock-agent-runtime",
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def rerank_params(
    texts: list[str], count: int, *, query: str = QUERY, arn: str = ARN, **more: Any
) -> dict[str, Any]:
    """The Rerank request we expect: its shape as the API documents it."""
    return {
        "queries": [{"type": "TEXT", "textQuery": {"text": query}}],
        "sources": [
            {
                "type": "INLINE",
                "inlineDocumentSource": {"type": "TEXT", "textDocument": {"text": t}},
            }
            for t in texts
        ],
        "rerankingConfiguration": {
            "type": "BEDROCK_RERANKING_MODEL",
            "bedrockRerankingConfiguration": {
                "numberOfResults": count,
                "modelConfiguration": {"modelArn": arn},
            },
        },
        **more,
    }


def answer(*pairs: tuple[int, float], next_token: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"results": [{"index": i, "relevanceScore": s} for i, s in pairs]}
    if next_token:
        found["nextToken"] = next_token
    return found


TEXTS = ["The Tower: sudden upheaval.", "The Star: hope.", "The Tower reversed: change avoided."]


# --- the reranker that keeps the order --------------------------------------------------------
def test_noop_keeps_the_order_with_scores_that_fall_by_position() -> None:
    reranker = NoopReranker()
    assert isinstance(reranker, Reranker) and reranker.model_id == "none"
    assert reranker.rerank(QUERY, TEXTS, 2) == [(0, 1.0), (1, 0.5)]
    order = reranker.rerank(QUERY, ["a"] * 5, 10)
    assert [i for i, _ in order] == [0, 1, 2, 3, 4]
    assert all(a[1] > b[1] for a, b in pairwise(order))
    assert reranker.rerank(QUERY, [], 3) == [] and reranker.rerank(QUERY, TEXTS, 0) == []


def test_the_registry_builds_either_reranker_from_settings(fake_aws) -> None:
    assert isinstance(build_reranker(Settings()), NoopReranker)  # none, by default
    bedrock = build_reranker(Settings(reranker="bedrock", aws_region="us-west-2"))
    assert isinstance(bedrock, BedrockReranker) and isinstance(bedrock, Reranker)
    assert bedrock.model_id == f"bedrock:{MODEL}"


# --- Bedrock: the request and the answer ------------------------------------------------------
def test_the_request_is_the_documented_one_and_results_map_to_indices(client) -> None:
    with Stubber(client) as stub:
        stub.add_response("rerank", answer((2, 0.91), (0, 0.40)), rerank_params(TEXTS, 2))
        found = BedrockReranker(client, MODEL).rerank(QUERY, TEXTS, 2)
        stub.assert_no_pending_responses()
    assert found == [(2, 0.91), (0, 0.40)]


def test_results_are_given_best_first_whatever_order_they_came_in(client) -> None:
    with Stubber(client) as stub:
        stub.add_response("rerank", answer((0, 0.1), (1, 0.7), (2, 0.3)), rerank_params(TEXTS, 3))
        found = BedrockReranker(client, MODEL).rerank(QUERY, TEXTS, 3)
    assert found == [(1, 0.7), (2, 0.3), (0, 0.1)]


def test_top_n_above_the_texts_asks_for_every_text(client) -> None:
    with Stubber(client) as stub:
        stub.add_response("rerank", answer((1, 0.5), (0, 0.2)), rerank_params(TEXTS[:2], 2))
        assert BedrockReranker(client, MODEL).rerank(QUERY, TEXTS[:2], 20) == [(1, 0.5), (0, 0.2)]
        stub.assert_no_pending_responses()


def test_a_bare_model_id_becomes_the_foundation_model_arn_of_the_clients_region() -> None:
    frankfurt = boto3.client(
        "bedrock-agent-runtime",
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    reranker = BedrockReranker(frankfurt, "amazon.rerank-v1:0")
    assert reranker.arn == "arn:aws:bedrock:eu-central-1::foundation-model/amazon.rerank-v1:0"
    assert model_arn(MODEL, "us-gov-west-1", "aws-us-gov").startswith("arn:aws-us-gov:bedrock:")
    with pytest.raises(BackendUnavailable, match="ORACULUM_AWS_REGION"):
        model_arn(MODEL, None)


def test_a_full_arn_is_sent_as_it_is(client) -> None:
    arn = "arn:aws:bedrock:ca-central-1::foundation-model/cohere.rerank-v3-5:0"
    with Stubber(client) as stub:
        stub.add_response("rerank", answer((0, 0.5)), rerank_params(TEXTS[:1], 1, arn=arn))
        assert BedrockReranker(client, arn).rerank(QUERY, TEXTS[:1], 1) == [(0, 0.5)]
        stub.assert_no_pending_responses()


def test_nothing_to_rerank_makes_no_call(client) -> None:
    reranker = BedrockReranker(client, MODEL)
    with Stubber(client) as stub:  # any call would fail: nothing is queued
        assert reranker.rerank(QUERY, [], 5) == []
        assert reranker.rerank(QUERY, TEXTS, 0) == []
        assert reranker.rerank(QUERY, ["", ""], 2) == [(0, 0.0), (1, 0.0)]
        stub.assert_no_pending_responses()


def test_empty_texts_are_not_sent_and_rank_last_with_no_relevance(client) -> None:
    texts = ["", "The Tower: sudden upheaval.", "", "The Star: hope."]
    with Stubber(client) as stub:
        stub.add_response(
            "rerank", answer((1, 0.8), (0, 0.6)), rerank_params([texts[1], texts[3]], 2)
        )
        found = BedrockReranker(client, MODEL).rerank(QUERY, texts, 3)
    assert found == [(3, 0.8), (1, 0.6), (0, 0.0)]


def test_texts_and_queries_beyond_the_limits_are_cut(client, caplog) -> None:
    long_text, long_query = "x" * (MAX_CHARS_PER_TEXT + 5), "why " * 1_000
    sent = rerank_params(
        [long_text[:MAX_CHARS_PER_TEXT], "short"], 2, query=long_query[:MAX_QUERY_CHARS]
    )
    with Stubber(client) as stub:
        stub.add_response("rerank", answer((1, 0.5), (0, 0.1)), sent)
        BedrockReranker(client, MODEL).rerank(long_query, [long_text, "short"], 2)
        stub.assert_no_pending_responses()
    assert "1 text(s) cut to 32000 characters" in caplog.text
    assert "a query cut to 2048 characters" in caplog.text


def test_more_texts_than_the_api_takes_or_no_query_are_refused_before_any_call(client) -> None:
    reranker = BedrockReranker(client, MODEL)
    with Stubber(client), pytest.raises(ValueError, match="at most 1000 texts"):
        reranker.rerank(QUERY, ["a"] * 1_001, 5)
    with Stubber(client), pytest.raises(ValueError, match="no query"):
        reranker.rerank("", TEXTS, 2)


def test_a_split_answer_is_followed_to_its_next_page(client) -> None:
    with Stubber(client) as stub:
        stub.add_response("rerank", answer((2, 0.9), next_token="page-2"), rerank_params(TEXTS, 3))
        stub.add_response(
            "rerank", answer((0, 0.5), (1, 0.2)), rerank_params(TEXTS, 3, nextToken="page-2")
        )
        found = BedrockReranker(client, MODEL).rerank(QUERY, TEXTS, 3)
        stub.assert_no_pending_responses()
    assert found == [(2, 0.9), (0, 0.5), (1, 0.2)]


@pytest.mark.parametrize(
    ("pairs", "says"),
    [
        (((0, 0.9), (7, 0.5)), "index 7 is not one of 3 texts"),
        (((1, 0.9), (1, 0.5)), "index 1 is not one of 3 texts"),  # the same text twice
        (((0, math.nan),), "the relevance of text 0 is nan"),
    ],
)
def test_a_malformed_answer_is_a_clear_error_naming_the_model(client, pairs, says) -> None:
    with Stubber(client) as stub:
        stub.add_response("rerank", answer(*pairs), rerank_params(TEXTS, 2))
        with pytest.raises(BackendUnavailable, match=says) as info:
            BedrockReranker(client, MODEL).rerank(QUERY, TEXTS, 2)
    assert str(info.value).startswith(f"bedrock:{MODEL} returned a malformed response")


# --- Bedrock: errors --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "status", "attempts", "says"),
    [
        ("ThrottlingException", 429, 2, ["failed after 2 attempts: ThrottlingException"]),
        ("InternalServerException", 500, 2, ["failed after 2 attempts", "try again"]),
        ("BadGatewayException", 502, 2, ["BadGatewayException", "try again"]),
        ("DependencyFailedException", 424, 1, ["depends on failed: try again"]),
        ("AccessDeniedException", 403, 1, ["bedrock:Rerank", "bedrock:InvokeModel", "ARN"]),
        ("ValidationException", 400, 1, ["refused", "ORACULUM_RERANK_MODEL"]),
        ("ResourceNotFoundException", 404, 1, ["ORACULUM_AWS_REGION", "Amazon Rerank 1.0"]),
    ],
)
def test_failures_are_backend_unavailable_saying_what_to_do(
    client, code, status, attempts, says
) -> None:
    with Stubber(client) as stub:
        stub.add_client_error(
            "rerank",
            service_error_code=code,
            service_message="It went wrong.",
            http_status_code=status,
            response_meta={"RetryAttempts": attempts - 1},  # what the client's retries report
            expected_params=rerank_params(TEXTS, 2),
        )
        with pytest.raises(BackendUnavailable) as info:
            BedrockReranker(client, MODEL).rerank(QUERY, TEXTS, 2)
    message = str(info.value)
    assert message.startswith(f"bedrock:{MODEL} failed") and f"{code}: It went wrong" in message
    assert all(part in message for part in says), message


# --- Bedrock: the client ----------------------------------------------------------------------
def test_from_settings_builds_a_short_client_with_one_retry_on_first_use(fake_aws) -> None:
    reranker = from_settings(
        Settings(reranker="bedrock", aws_region="eu-central-1", aws_timeout_s=10)
    )
    assert reranker.model_id == f"bedrock:{MODEL}"
    assert aws._clients == {}  # nothing is made until the first reranking
    meta = reranker.client.meta
    assert meta.service_model.service_name == "bedrock-agent-runtime"
    assert meta.region_name == "eu-central-1"
    assert meta.config.read_timeout == 3.0 and meta.config.connect_timeout == 3.0
    assert meta.config.retries["total_max_attempts"] == 2  # one try and one retry
    assert reranker.arn == f"arn:aws:bedrock:eu-central-1::foundation-model/{MODEL}"


def test_from_settings_takes_the_model_from_settings(fake_aws) -> None:
    arn = "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0"
    reranker = from_settings(Settings(reranker="bedrock", rerank_model=arn))
    assert reranker.model_id == f"bedrock:{arn}" and reranker.arn == arn
