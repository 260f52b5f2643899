"""Cohere Embed v3 on Amazon Bedrock (`cohere.embed-multilingual-v3`, 1024-d), via InvokeModel.

The limits of the model's Bedrock page, and how they are kept:

- at most 96 texts a call: documents go in batches of 96, up to `max_concurrency` calls at
  once on a thread pool (the boto3 client is thread-safe); the rows keep the input order;
- at most 2,048 characters a text: longer texts are cut to their first 2,048 characters
  (the chunker's default is 900; `chunk_chars` may be set up to 4,000);
- about 512 tokens are what the model reads: `truncate: "END"` drops the end of a longer
  text, where the default (`NONE`) would fail the whole batch of 96. The start of a chunk is
  the part to keep: it carries its subject and first sentences of meaning;
- `input_type`: `search_document` for what is stored, `search_query` for questions. Mixing
  them silently ruins recall.

numpy is imported only to stack the rows of `embed_documents` (ingest); a query's vector is
an `array('f')` (float32, unit length), which every VectorIndex accepts, so the tarot and ask
Lambda functions ship without numpy's 60 MB.

Throttling is retried by the client (adaptive mode, with jitter); what is left after its
retries, and any malformed answer, raises BackendUnavailable naming the model. Queries sit on
a reading's path, so they use a client of their own with a short timeout and one retry.
Within a request's deadline each call keeps to it (backends/aws/clients.py): its attempts end by it,
and a retry that would not fit is not made; running out of time raises DeadlineExceeded.
"""

from __future__ import annotations

import json
import logging
import math
from array import array
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from oraculum import time_budget
from oraculum.backends.bedrock.errors import unavailable
from oraculum.domain.errors import BackendUnavailable
from oraculum.ports import Vector

if TYPE_CHECKING:
    from oraculum.config import Settings

log = logging.getLogger("oraculum.bedrock")

DEFAULT_MODEL = "cohere.embed-multilingual-v3"
DIM = 1024
MAX_TEXTS_PER_CALL = 96
MAX_CHARS_PER_TEXT = 2048
TRUNCATE = "END"
# A query is on a reading's path: 2 s to connect, 2 s to read, one retry (botocore's
# `max_attempts`, which `aws.client` passes on, counts the retries after the first try).
QUERY_TIMEOUT_S = 2.0
QUERY_RETRIES = 1


def clip(text: str) -> str:
    """The text within Cohere's 2,048-character limit."""
    return text[:MAX_CHARS_PER_TEXT]


class BedrockCohereEmbedder:
    """The Embedder port over Cohere Embed v3 on Bedrock; rows are L2-normalized float32."""

    def __init__(
        self,
        client: Any,
        model: str = DEFAULT_MODEL,
        *,
        query_client: Any | None = None,
        dim: int = DIM,
        max_concurrency: int = 4,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, not {max_concurrency}")
        self.client = client
        self.query_client = query_client if query_client is not None else client
        self._model = model
        self._dim = dim
        self._max_concurrency = max_concurrency

    @property
    def model_id(self) -> str:
        return f"bedrock:{self._model}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        import numpy as np

        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        batches = [
            list(texts[i : i + MAX_TEXTS_PER_CALL])
            for i in range(0, len(texts), MAX_TEXTS_PER_CALL)
        ]
        workers = min(self._max_concurrency, len(batches))
        if workers == 1:
            rows = [r for b in batches for r in self._embed(self.client, b, "search_document")]
            return np.asarray(rows, dtype=np.float32)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bedrock-embed")
        try:
            embed = time_budget.carried(self._embed)  # the workers keep to the caller's deadline
            futures = [pool.submit(embed, self.client, b, "search_document") for b in batches]
            rows = [r for f in futures for r in f.result()]  # in submission order
            return np.asarray(rows, dtype=np.float32)
        finally:
            # after a failure, batches not yet sent are not sent
            pool.shutdown(wait=True, cancel_futures=True)

    def embed_query(self, text: str) -> Vector:
        return array("f", self._embed(self.query_client, [text], "search_query")[0])

    def _embed(self, client: Any, texts: list[str], input_type: str) -> list[list[float]]:
        body = {"texts": [clip(t) for t in texts], "input_type": input_type, "truncate": TRUNCATE}
        clipped = sum(len(t) > MAX_CHARS_PER_TEXT for t in texts)
        if clipped:
            log.warning("%d text(s) cut to %d characters for Cohere", clipped, MAX_CHARS_PER_TEXT)
        try:
            response = client.invoke_model(
                modelId=self._model,
                body=json.dumps(body, ensure_ascii=False).encode(),
                contentType="application/json",
                accept="application/json",
            )
            raw = response["body"].read()
        except (ClientError, BotoCoreError) as exc:
            time_budget.check(f"{self.model_id} answered")  # a timeout the deadline brought
            raise unavailable(self.model_id, exc) from exc
        return self._parse(raw, len(texts))

    def _parse(self, raw: bytes, count: int) -> list[list[float]]:
        """The rows of a documented response: `embeddings`, one list of floats per text."""
        try:
            data = json.loads(raw)
        except ValueError:
            raise self._malformed("its answer is not JSON") from None
        found = data.get("embeddings") if isinstance(data, dict) else None
        if not isinstance(found, list):
            raise self._malformed("its answer has no `embeddings` list")
        if len(found) != count:
            raise self._malformed(f"{len(found)} embeddings for {count} texts")
        for row in found:
            if not isinstance(row, list) or len(row) != self._dim:
                size = len(row) if isinstance(row, list) else 0
                raise self._malformed(
                    f"a {size}-d embedding where {self._dim}-d were expected; "
                    "ORACULUM_BEDROCK_EMBED_MODEL must name a 1024-d Cohere Embed v3 model"
                )
        rows = []
        for row in found:
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in row):
                raise self._malformed("an embedding holds something other than numbers")
            norm = math.sqrt(math.fsum(x * x for x in row))
            if not math.isfinite(norm) or norm == 0.0:
                raise self._malformed("a zero or non-finite embedding")
            rows.append([x / norm for x in row])
        return rows

    def _malformed(self, what: str) -> BackendUnavailable:
        return BackendUnavailable(f"{self.model_id} returned a malformed response: {what}")


def from_settings(settings: Settings) -> BedrockCohereEmbedder:
    from oraculum.backends.aws import clients as aws

    query_settings = settings.model_copy(
        update={"aws_timeout_s": min(settings.aws_timeout_s, QUERY_TIMEOUT_S)}
    )
    # made on first use: the horoscope function builds the embedder but never embeds
    return BedrockCohereEmbedder(
        aws.LazyClient("bedrock-runtime", settings),
        settings.bedrock_embed_model,
        query_client=aws.LazyClient("bedrock-runtime", query_settings, max_attempts=QUERY_RETRIES),
        max_concurrency=settings.bedrock_max_concurrency,
    )
