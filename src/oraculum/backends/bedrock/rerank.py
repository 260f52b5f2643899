"""Reranking on Amazon Bedrock: the Rerank API of `bedrock-agent-runtime`, with Cohere Rerank
3.5 by default (`ORACULUM_RERANK_MODEL`; Amazon Rerank 1.0 where it is served).

One Rerank call per retrieval: one TEXT query, the candidates as INLINE TEXT sources, and a
BEDROCK_RERANKING_MODEL configuration with the model's ARN and `numberOfResults`; the results
carry each source's index and its `relevanceScore`, best first. The API takes an ARN, not a
model id: a full ARN is sent as it is, a bare id becomes the foundation-model ARN of the
client's region. Not every region serves a reranker: Cohere Rerank 3.5 is in us-east-1,
us-west-2, ap-northeast-1, ca-central-1 and eu-central-1; Amazon Rerank 1.0 in the same but
us-east-1.

The limits of the API (botocore's model of it) and of the models, and how they are kept:

- one query of 1 to 32,000 characters, of which Cohere reads at most 2,048 tokens: the query is
  cut to its first 2,048 characters (a question is capped at ORACULUM_MAX_QUESTION_CHARS,
  1,000 by default, so this bites only where that cap was raised);
- 1 to 1,000 sources of 1 to 32,000 characters each: more than 1,000 texts are refused (the
  retriever sends ORACULUM_RERANK_CANDIDATES, at most 100), a longer text is cut to 32,000
  characters (a chunk is at most 4,000), and an empty text is not sent (the API refuses it):
  it ranks after the others with a relevance of 0;
- `numberOfResults` of 1 to 1,000: never more than the sources sent;
- each call is billed as one query per 100 sources begun: 100 candidates cost one, 101 two.

A reranker sits on a reading's path, so its client has a short timeout and one retry; what is
left after that retry (throttling, a 5xx, a failed dependency), and any malformed answer,
raises BackendUnavailable naming the model. A refusal says what to fix: the permissions
(bedrock:Rerank, and bedrock:InvokeModel on the model's ARN), the model id or the region.
Within a request's deadline the call keeps to it (backends/aws/clients.py); running out of
time raises DeadlineExceeded.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from oraculum import time_budget
from oraculum.backends.bedrock.errors import error_code, unavailable
from oraculum.domain.errors import BackendUnavailable

if TYPE_CHECKING:
    from oraculum.config import Settings

log = logging.getLogger("oraculum.bedrock")

DEFAULT_MODEL = "cohere.rerank-v3-5:0"
MAX_SOURCES = 1_000
MAX_CHARS_PER_TEXT = 32_000
MAX_QUERY_CHARS = 2_048
# A cross-encoder reads every candidate: 20 passages take a few hundred milliseconds, 100
# long ones longer. 3 s to connect and 3 s to read (`aws.client`), one retry.
TIMEOUT_S = 3.0
RETRIES = 1

# What the errors of Rerank add to the generic hints of errors.py.
_HINTS = {
    "AccessDeniedException": "reranking also needs bedrock:Rerank, with bedrock:InvokeModel "
    "on the model's ARN",
    "ValidationException": "ORACULUM_RERANK_MODEL must name a reranker model "
    "(cohere.rerank-v3-5:0, amazon.rerank-v1:0) or its ARN, served in this region",
    "ResourceNotFoundException": "Cohere Rerank 3.5 is served in us-east-1, us-west-2, "
    "ap-northeast-1, ca-central-1 and eu-central-1; Amazon Rerank 1.0 in the same but us-east-1",
    "DependencyFailedException": "a service the reranker depends on failed: try again",
    "BadGatewayException": "the reranker failed behind Bedrock: try again",
}


def model_arn(model: str, region: str | None, partition: str = "aws") -> str:
    """The ARN the Rerank API asks for: `model` itself if it is one, else the foundation
    model's ARN in `region`."""
    if model.startswith("arn:"):
        return model
    if not region:
        raise BackendUnavailable(
            f"no AWS region to find the reranker {model} in: set ORACULUM_AWS_REGION or "
            "AWS_REGION, or give ORACULUM_RERANK_MODEL as a full ARN"
        )
    return f"arn:{partition}:bedrock:{region}::foundation-model/{model}"


def failure(model_id: str, exc: BotoCoreError | ClientError) -> BackendUnavailable:
    """The error to raise for `exc`: errors.py's, with what is particular to Rerank."""
    found = unavailable(model_id, exc)
    extra = _HINTS.get(error_code(exc)) if isinstance(exc, ClientError) else None
    return BackendUnavailable(f"{found}; {extra}") if extra else found


class BedrockReranker:
    """The Reranker port over Bedrock's Rerank API."""

    def __init__(self, client: Any, model: str = DEFAULT_MODEL) -> None:
        self.client = client
        self._model = model
        self._arn: str | None = None

    @property
    def model_id(self) -> str:
        return f"bedrock:{self._model}"

    @property
    def arn(self) -> str:
        """The model's ARN: the one given, or a bare id's in the client's region."""
        if self._arn is None and self._model.startswith("arn:"):
            self._arn = self._model
        elif self._arn is None:
            meta = self.client.meta  # made here, on first use
            self._arn = model_arn(self._model, meta.region_name, meta.partition or "aws")
        return self._arn

    def rerank(self, query: str, texts: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        """The best `top_n` as (index into `texts`, relevance), best first."""
        if len(texts) > MAX_SOURCES:
            raise ValueError(
                f"Bedrock reranks at most {MAX_SOURCES} texts a call, not {len(texts)}: "
                "lower ORACULUM_RERANK_CANDIDATES"
            )
        wanted = min(top_n, len(texts))
        if wanted <= 0:
            return []
        if not query:
            raise ValueError("there is no query to rerank the texts by")
        sent = [i for i, text in enumerate(texts) if text]  # the API refuses an empty text
        ranked = self._ranked(query, [texts[i] for i in sent], min(wanted, len(sent)))
        found = [(sent[index], score) for index, score in ranked]
        empty = [(i, 0.0) for i, text in enumerate(texts) if not text]
        return (found + empty)[:wanted]

    def _ranked(self, query: str, texts: list[str], count: int) -> list[tuple[int, float]]:
        """(index into `texts`, relevance) of the best `count`, best first: one Rerank call,
        and the pages after it if the service splits its answer."""
        if count <= 0:
            return []
        cut = sum(len(t) > MAX_CHARS_PER_TEXT for t in texts)
        if cut:
            log.warning("%d text(s) cut to %d characters for reranking", cut, MAX_CHARS_PER_TEXT)
        if len(query) > MAX_QUERY_CHARS:
            log.warning("a query cut to %d characters for reranking", MAX_QUERY_CHARS)
        request: dict[str, Any] = {
            "queries": [{"type": "TEXT", "textQuery": {"text": query[:MAX_QUERY_CHARS]}}],
            "sources": [
                {
                    "type": "INLINE",
                    "inlineDocumentSource": {
                        "type": "TEXT",
                        "textDocument": {"text": text[:MAX_CHARS_PER_TEXT]},
                    },
                }
                for text in texts
            ],
        }
        results: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self._call(request, count, token)
            found = page.get("results") or []
            results += found
            token = page.get("nextToken")
            if not token or not found or len(results) >= count:
                break
        return self._parse(results, len(texts))[:count]

    def _call(self, request: dict[str, Any], count: int, token: str | None) -> dict[str, Any]:
        try:
            configuration = {
                "type": "BEDROCK_RERANKING_MODEL",
                "bedrockRerankingConfiguration": {
                    "numberOfResults": count,
                    "modelConfiguration": {"modelArn": self.arn},
                },
            }
            more = {"nextToken": token} if token else {}
            response: dict[str, Any] = self.client.rerank(
                **request, rerankingConfiguration=configuration, **more
            )
        except (ClientError, BotoCoreError) as exc:
            time_budget.check(f"{self.model_id} answered")  # a timeout the deadline brought
            raise failure(self.model_id, exc) from exc
        return response

    def _parse(self, results: list[dict[str, Any]], count: int) -> list[tuple[int, float]]:
        """The results as (index, relevance), best first; every index once, within range."""
        out: list[tuple[int, float]] = []
        seen: set[int] = set()
        for result in results:
            index, score = result.get("index"), result.get("relevanceScore")
            if not isinstance(index, int) or not 0 <= index < count or index in seen:
                raise self._malformed(f"a result's index {index!r} is not one of {count} texts")
            if not isinstance(score, int | float) or not math.isfinite(score):
                raise self._malformed(f"the relevance of text {index} is {score!r}")
            seen.add(index)
            out.append((index, float(score)))
        out.sort(key=lambda pair: -pair[1])  # stable: the service's order among equals
        return out

    def _malformed(self, what: str) -> BackendUnavailable:
        return BackendUnavailable(f"{self.model_id} returned a malformed response: {what}")


def from_settings(settings: Settings) -> BedrockReranker:
    from oraculum.backends.aws import clients as aws

    short = settings.model_copy(update={"aws_timeout_s": min(settings.aws_timeout_s, TIMEOUT_S)})
    # made on first use: a function that never reranks never builds the client
    return BedrockReranker(
        aws.LazyClient("bedrock-agent-runtime", short, max_attempts=RETRIES),
        settings.rerank_model,
    )
