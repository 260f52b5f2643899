"""Bedrock's reranker over real HTTP: the adapter built from settings, its boto3
bedrock-agent-runtime client (timeouts, retries, the request's deadline) sending signed
`POST /rerank` calls to the local stand-in (tests/standins/bedrock_rerank_standin.py), which
checks them against the API's model and scores by word overlap."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from oraculum import time_budget
from oraculum.backends.aws import clients as aws
from oraculum.backends.bedrock.rerank import BedrockReranker
from oraculum.config import Settings, build_reranker
from oraculum.domain.errors import BackendUnavailable, DeadlineExceeded
from tests.standins.bedrock_rerank_standin import RerankStandin

REGION = "us-west-2"
QUERY = "what does the tower mean in love"
TEXTS = [
    "The Star: hope after the storm.",
    "What the Tower means in love: a sudden break.",
    "The Tower: sudden upheaval.",
    "",
    "Ace of Cups: a new love.",
]


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[RerankStandin]:
    """The stand-in, with boto3 pointed at it through the standard endpoint setting and fake
    credentials; no client cached from another test."""
    with RerankStandin() as server:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", server.url)
        aws.forget_clients()
        yield server
        aws.forget_clients()


def reranker(**settings: object) -> BedrockReranker:
    built = build_reranker(Settings(reranker="bedrock", aws_region=REGION, **settings))
    assert isinstance(built, BedrockReranker)
    return built


def test_a_reranking_goes_over_the_wire_signed_and_comes_back_best_first(standin) -> None:
    found = reranker().rerank(QUERY, TEXTS, 2)
    # the share of the query's 7 words each text holds: 5/7, then 2/7 ("the", "tower")
    assert found == [(1, pytest.approx(5 / 7)), (2, pytest.approx(2 / 7))]
    (call,) = standin.calls
    assert call["path"] == "/rerank"
    signed = call["headers"]["Authorization"]
    assert signed.startswith("AWS4-HMAC-SHA256") and f"/{REGION}/bedrock/aws4_request" in signed
    (body,) = standin.bodies()
    assert body["queries"] == [{"type": "TEXT", "textQuery": {"text": QUERY}}]
    assert [s["inlineDocumentSource"]["textDocument"]["text"] for s in body["sources"]] == [
        t for t in TEXTS if t
    ]
    configuration = body["rerankingConfiguration"]["bedrockRerankingConfiguration"]
    assert configuration == {
        "numberOfResults": 2,
        "modelConfiguration": {
            "modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/cohere.rerank-v3-5:0"
        },
    }


def test_a_model_in_another_region_than_the_client_is_refused_clearly(standin) -> None:
    arn = "arn:aws:bedrock:eu-central-1::foundation-model/cohere.rerank-v3-5:0"
    with pytest.raises(BackendUnavailable) as info:
        reranker(rerank_model=arn).rerank(QUERY, TEXTS, 2)
    message = str(info.value)
    assert "ResourceNotFoundException" in message and "not served in us-west-2" in message
    assert "ORACULUM_AWS_REGION" in message


def test_throttling_once_is_retried_by_the_client(standin) -> None:
    standin.fail_next(429, "ThrottlingException", "Too many requests.")
    assert [i for i, _ in reranker().rerank(QUERY, TEXTS, 1)] == [1]
    assert len(standin.calls) == 2


def test_throttling_past_the_one_retry_is_backend_unavailable(standin) -> None:
    standin.fail_next(429, "ThrottlingException", "Too many requests.", times=2)
    with pytest.raises(BackendUnavailable, match="failed after 2 attempts: ThrottlingException"):
        reranker().rerank(QUERY, TEXTS, 2)
    assert len(standin.calls) == 2


def test_access_denied_names_the_permissions_and_is_not_retried(standin) -> None:
    standin.fail_next(403, "AccessDeniedException", "You don't have access to the model.")
    with pytest.raises(BackendUnavailable) as info:
        reranker().rerank(QUERY, TEXTS, 2)
    assert "bedrock:Rerank" in str(info.value) and "bedrock:InvokeModel" in str(info.value)
    assert len(standin.calls) == 1


def test_a_slow_reranker_ends_at_the_requests_deadline(standin) -> None:
    standin.delay_s = 3.0  # past the deadline, within the client's 3 s read timeout
    started = time.monotonic()
    with time_budget.within(0.8), pytest.raises(DeadlineExceeded):
        reranker().rerank(QUERY, TEXTS, 2)
    assert time.monotonic() - started < 2.0
    assert len(standin.calls) == 1  # no retry was sent that could not finish in time


def test_no_call_is_sent_without_time_left(standin) -> None:
    with time_budget.within(0.1), pytest.raises(DeadlineExceeded, match="Rerank"):
        reranker().rerank(QUERY, TEXTS, 2)
    assert standin.calls == []
