"""Against live Amazon Bedrock: two texts embedded by Cohere, one short Converse call.

Skipped unless ORACULUM_LIVE_BEDROCK=1 and AWS credentials are set: it costs money and needs
model access to cohere.embed-multilingual-v3 and the configured Claude model in the region
(ORACULUM_AWS_REGION or AWS_REGION; ORACULUM_BEDROCK_MODEL_ID to try another model or an
inference profile).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from oraculum.config import Settings
from oraculum.ports import ContextGroup, ContextItem, GenerationRequest


def _why_skip() -> str | None:
    if os.environ.get("ORACULUM_LIVE_BEDROCK") != "1":
        return "live Bedrock test: set ORACULUM_LIVE_BEDROCK=1 (it calls AWS and costs money)"
    import boto3

    if boto3.Session().get_credentials() is None:
        return "live Bedrock test: ORACULUM_LIVE_BEDROCK=1 but no AWS credentials were found"
    return None


_REASON = _why_skip()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(embedder="bedrock-cohere", max_answer_tokens=64, generation_timeout_s=20)


def test_cohere_embeds_two_texts_as_unit_vectors_and_a_query_finds_its_match(settings):
    from oraculum.backends.bedrock.embedder import from_settings

    embedder = from_settings(settings)
    docs = embedder.embed_documents(
        ["The Star: hope, renewal and calm after the storm.", "Sao Hỏa ở Bạch Dương: nóng vội."]
    )
    assert docs.shape == (2, 1024) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query("Which card means hope?")
    assert query.shape == (1024,) and float(docs[0] @ query) > float(docs[1] @ query)


def test_one_short_converse_call(settings):
    from oraculum.backends.bedrock.generator import from_settings

    generator = from_settings(settings)
    item = ContextItem("tarot/major/17/the-star/en#1", "The Star", "upright", "Hope, renewal.")
    request = GenerationRequest(
        system="Answer in one short sentence, citing the passage id in square brackets.",
        prompt=f"<context>\n[{item.id}] The Star — upright: {item.text}\n</context>\n\n"
        "What does The Star mean?",
        lang="en",
        reading_type="ask",
        groups=(ContextGroup("The Star", (item,)),),
        max_tokens=64,
    )
    generation = generator.generate(request)
    assert generation.text and 0 < generation.tokens <= 64
    assert generation.model_id == f"bedrock:{settings.bedrock_model_id}"
