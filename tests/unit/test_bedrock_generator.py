"""Claude on Bedrock through the Converse API: real boto3 clients answered by botocore's
Stubber (a timeout by a before-send hook at the HTTP layer). No network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from oraculum.backends.bedrock.generator import BedrockGenerator, CallBudget, from_settings
from oraculum.backends.local.extractive import MODEL_ID as EXTRACTIVE
from oraculum.backends.local.extractive import ExtractiveComposer
from oraculum.config import Settings, build_services, open_stores
from oraculum.domain.errors import BackendUnavailable
from oraculum.ingest.pipeline import IngestOptions, ingest
from oraculum.ingest.sources import jsonl_source
from oraculum.ports import ContextGroup, ContextItem, GenerationRequest, Generator
from oraculum.rag.generate import FallbackGenerator
from oraculum.readings.tarot import TarotRequest, tarot_reading
from tests.conftest import KNOWLEDGE

MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"
SYSTEM = "You are Oraculum. Use only the passages inside <context>."
PROMPT = "Interpret this spread.\n\n<context>\n[tarot/major/17/the-star/en#1] The Star\n</context>"
ANSWER = "The Star brings hope after the storm [tarot/major/17/the-star/en#1]."


def request(max_tokens: int = 300, lang: str = "en") -> GenerationRequest:
    item = ContextItem("tarot/major/17/the-star/en#1", "The Star", "upright", "Hope. Renewal.")
    return GenerationRequest(
        system=SYSTEM,
        prompt=PROMPT,
        lang=lang,
        reading_type="tarot",
        groups=(ContextGroup("Present — The Star, upright", (item,)),),
        max_tokens=max_tokens,
    )


def converse_params(max_tokens: int = 300, temperature: float = 0.7) -> dict[str, Any]:
    """The Converse request body as documented: system, messages, inferenceConfig."""
    return {
        "modelId": MODEL,
        "system": [{"text": SYSTEM}],
        "messages": [{"role": "user", "content": [{"text": PROMPT}]}],
        "inferenceConfig": {"maxTokens": max_tokens, "temperature": temperature},
    }


def converse_answer(text: str = ANSWER, stop: str = "end_turn") -> dict[str, Any]:
    """A documented Converse response."""
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": 812, "outputTokens": 143, "totalTokens": 955},
        "metrics": {"latencyMs": 4210},
    }


def add_error(stub: Stubber, code: str, status: int, params: dict[str, Any]) -> None:
    stub.add_client_error(
        "converse",
        service_error_code=code,
        service_message=f"{code} from the stub",
        http_status_code=status,
        expected_params=params,
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def generator(client, sleeps) -> BedrockGenerator:
    return BedrockGenerator(
        client, MODEL, temperature=0.7, max_tokens=400, sleep=sleeps.append, jitter=lambda: 0.5
    )


def test_the_converse_request_is_the_documented_one_and_usage_is_read(client, generator):
    with Stubber(client) as stub:
        stub.add_response("converse", converse_answer(), converse_params(300))
        generation = generator.generate(request(300))
        stub.assert_no_pending_responses()
    assert generation.text == ANSWER
    assert generation.model_id == f"bedrock:{MODEL}"
    assert generation.tokens == 143  # usage.outputTokens: the tokens the model wrote
    assert not generation.degraded and generation.notes == ()


def test_max_tokens_is_capped_by_the_settings_limit(client, generator):
    with Stubber(client) as stub:
        stub.add_response("converse", converse_answer(), converse_params(400))
        generator.generate(request(4096))
        stub.assert_no_pending_responses()


def test_an_answer_cut_at_max_tokens_says_so(client, generator):
    with Stubber(client) as stub:
        stub.add_response("converse", converse_answer(stop="max_tokens"), converse_params())
        generation = generator.generate(request())
    assert generation.notes == ("the answer reached its 300-token limit",)


def test_a_throttle_is_retried_with_jittered_backoff_then_answers(client, generator, sleeps):
    with Stubber(client) as stub:
        add_error(stub, "ThrottlingException", 429, converse_params())
        add_error(stub, "ServiceUnavailableException", 503, converse_params())
        stub.add_response("converse", converse_answer(), converse_params())
        generation = generator.generate(request())
        stub.assert_no_pending_responses()
    assert generation.text == ANSWER
    assert sleeps == [0.125, 0.25]  # 0.25 s x 2^n, times the jitter (0.5 here)


def fallback_over(generator: BedrockGenerator) -> FallbackGenerator:
    return FallbackGenerator(generator, ExtractiveComposer(), timeout_s=10)


def test_throttling_throughout_gives_the_extractive_answer_marked_degraded(client, generator):
    with Stubber(client) as stub:
        for _ in range(3):
            add_error(stub, "ThrottlingException", 429, converse_params())
        answer = fallback_over(generator).generate(request())
        stub.assert_no_pending_responses()
    assert answer.degraded is True and answer.model_id == EXTRACTIVE
    assert "[tarot/major/17/the-star/en#1]" in answer.text  # the composer cites its passage
    (note,) = answer.notes
    assert "BackendUnavailable" in note and "after 3 attempts: ThrottlingException" in note


def test_a_model_timeout_is_not_retried_and_degrades(client, generator, sleeps):
    with Stubber(client) as stub:
        add_error(stub, "ModelTimeoutException", 408, converse_params())
        answer = fallback_over(generator).generate(request())
        stub.assert_no_pending_responses()
    assert answer.degraded and answer.model_id == EXTRACTIVE and sleeps == []
    assert f"bedrock:{MODEL} failed: ModelTimeoutException" in answer.notes[0]


@pytest.mark.parametrize(
    ("code", "status", "hint"),
    [
        ("AccessDeniedException", 403, "enable model access"),
        ("ResourceNotFoundException", 404, "check the model id"),
        ("ValidationException", 400, "refused the request"),
    ],
)
def test_errors_that_time_does_not_cure_are_not_retried(client, generator, code, status, hint):
    with Stubber(client) as stub:
        add_error(stub, code, status, converse_params())
        with pytest.raises(BackendUnavailable, match=hint) as info:
            generator.generate(request())
        stub.assert_no_pending_responses()
    assert f"failed: {code}" in str(info.value)


def test_no_retry_starts_after_the_retry_window(client, sleeps):
    late = BedrockGenerator(
        client, MODEL, retry_window_s=0.1, sleep=sleeps.append, jitter=lambda: 1
    )
    with Stubber(client) as stub:
        add_error(stub, "ThrottlingException", 429, converse_params())
        with pytest.raises(BackendUnavailable, match="failed: ThrottlingException"):
            late.generate(request())
        stub.assert_no_pending_responses()
    assert sleeps == []  # the first backoff (0.25 s) would start past the 0.1 s window


@pytest.mark.parametrize("stop", ["guardrail_intervened", "content_filtered"])
def test_a_filtered_answer_is_not_given(client, generator, stop):
    with Stubber(client) as stub:
        stub.add_response("converse", converse_answer("I can't help.", stop), converse_params())
        answer = fallback_over(generator).generate(request())
    assert answer.degraded and f"stopReason {stop}" in answer.notes[0]


def test_a_vietnamese_reading_goes_to_claude(client, generator):
    assert generator.languages == frozenset({"en", "vi"})
    with Stubber(client) as stub:
        stub.add_response("converse", converse_answer("Ngôi Sao mang hy vọng."), converse_params())
        answer = fallback_over(generator).generate(request(lang="vi"))
    assert answer.text == "Ngôi Sao mang hy vọng." and not answer.degraded


@pytest.mark.parametrize("total", [0.5, 5.0, 20.0, 28.0])
def test_the_call_budget_fits_in_the_generation_timeout(total):
    b = CallBudget.within(total)
    assert b.retry_window_s + b.connect_s + b.read_s + b.margin_s == pytest.approx(total)
    assert b.margin_s > 0 and b.read_s >= 0.75 * total


def test_from_settings_sizes_the_client_to_the_generation_timeout(fake_aws):
    settings = Settings(
        aws_region="us-west-2",
        generation_timeout_s=20,
        max_answer_tokens=250,
        bedrock_temperature=0.3,
        bedrock_model_id="us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    )
    generator = from_settings(settings)
    assert isinstance(generator, Generator)
    assert generator.model_id == "bedrock:us.anthropic.claude-3-5-sonnet-20241022-v2:0"
    config = generator.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (2.0, 15.5)
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert 2.0 + config.connect_timeout + config.read_timeout < 20  # window + one attempt
    assert generator.converse_params(request(4096))["inferenceConfig"] == {
        "maxTokens": 250,
        "temperature": 0.3,
    }


def test_a_read_timeout_degrades_without_a_retry(fake_aws):
    generator = from_settings(Settings(aws_region="us-east-1"))
    sent: list[str] = []

    def times_out(request: Any, **_: Any) -> None:
        sent.append(request.url)
        raise ReadTimeoutError(endpoint_url=request.url)

    generator.client.meta.events.register("before-send.bedrock-runtime.Converse", times_out)
    answer = fallback_over(generator).generate(request())
    assert answer.degraded and answer.model_id == EXTRACTIVE
    assert "timed out (ReadTimeoutError" in answer.notes[0]
    (url,) = sent  # one try: the client does not retry, and neither do we after a timeout
    assert url.startswith("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.")


# A whole reading through the composition root, over the bundled knowledge base embedded with
# the hashing embedder, with generator "bedrock" answered by the Stubber.


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("knowledge")
    settings = Settings(data_dir=data_dir, embedder="hashing")
    stores = open_stores(settings, claim=True)
    try:
        ingest(settings, stores, jsonl_source(KNOWLEDGE), IngestOptions())
    finally:
        stores.close()
    return data_dir


class Matches:
    """Matches a request parameter by a predicate (the prompt holds the drawn cards)."""

    def __init__(self, check: Callable[[Any], bool]) -> None:
        self.check = check

    def __eq__(self, other: object) -> bool:
        return self.check(other)


@pytest.fixture
def bedrock_services(knowledge: Path, fake_aws) -> Iterator[tuple[Any, Stubber]]:
    settings = Settings(
        data_dir=knowledge, embedder="hashing", aws_region="us-east-1", generator="bedrock"
    )
    stores = open_stores(settings)
    services = build_services(settings, stores)
    with Stubber(services.generator.primary.client) as stub:
        yield services, stub
    stores.close()


def reading_params() -> dict[str, Any]:
    def is_reading(messages: Any) -> bool:
        (message,) = messages
        text = message["content"][0]["text"]
        return message["role"] == "user" and "<context>" in text and "<question>" in text

    return {
        "modelId": MODEL,
        "system": [{"text": Matches(lambda text: text.startswith("You are Oraculum"))}],
        "messages": Matches(is_reading),
        "inferenceConfig": {"maxTokens": 400, "temperature": 0.7},
    }


def test_a_tarot_reading_written_by_bedrock(bedrock_services):
    services, stub = bedrock_services
    stub.add_response("converse", converse_answer(), reading_params())
    answer = tarot_reading(
        TarotRequest("Where is my career going?", "three-card", seed=7), services
    )
    stub.assert_no_pending_responses()
    assert answer.text == ANSWER and answer.model == f"bedrock:{MODEL}"
    assert answer.degraded is False and answer.notes == [] and answer.tokens == 143
    assert len(answer.reading["cards"]) == 3
    assert all(c["meaning_id"] in answer.sources for c in answer.reading["cards"])
    assert set(services.documents.get_many(answer.sources)) == set(answer.sources)


def test_a_tarot_reading_when_bedrock_times_out_is_composed_and_degraded(bedrock_services):
    services, stub = bedrock_services
    add_error(stub, "ModelTimeoutException", 408, reading_params())
    answer = tarot_reading(
        TarotRequest("Where is my career going?", "three-card", seed=7), services
    )
    assert answer.degraded is True and answer.model == EXTRACTIVE
    assert "ModelTimeoutException" in answer.notes[0]
    assert "Past —" in answer.text and f"[{answer.sources[0]}]" in answer.text
