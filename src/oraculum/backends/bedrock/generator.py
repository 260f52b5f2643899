"""Claude (or any model the Converse API serves) on Amazon Bedrock: the cloud generator.

One Converse call per reading: `system` from the request's system prompt, one user message
with the prompt, `inferenceConfig` with `maxTokens` (the request's, capped by
`max_answer_tokens`) and `temperature`. The model id comes from settings
(`ORACULUM_BEDROCK_MODEL_ID`): a model id, an inference-profile id or an ARN.

The whole call fits in `generation_timeout_s` (see `CallBudget`), so that it ends by the time
FallbackGenerator stops waiting for it. Errors that pass with time (throttling, service
unavailable, model not ready, internal error) are retried with jittered exponential backoff
while the budget's retry window lasts; anything else, and what is left after the retries,
raises BackendUnavailable with a readable reason: FallbackGenerator then answers with the
extractive composer and marks the answer `degraded`, with that reason in its notes.

Within a request's deadline the call keeps to it too: the client's hooks cut each attempt to
what is left (backends/aws/clients.py), a retry is not waited for when no attempt would fit
after it, and running out of time raises DeadlineExceeded (a BackendUnavailable: the
composer answers).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from oraculum import time_budget
from oraculum.backends.bedrock.errors import TRANSIENT, error_code, unavailable
from oraculum.domain.errors import BackendUnavailable
from oraculum.ports import Generation, GenerationRequest

if TYPE_CHECKING:
    from oraculum.config import Settings

log = logging.getLogger("oraculum.bedrock")

DEFAULT_MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"
LANGUAGES = frozenset({"en", "vi"})  # what the prompts ask for; Claude writes both
MAX_ATTEMPTS = 3
BACKOFF_BASE_S = 0.25
# stop reasons that mean the text is not an answer to give
_REFUSED = frozenset({"guardrail_intervened", "content_filtered"})


@dataclass(frozen=True)
class CallBudget:
    """How one Converse call, retries included, fits in `total_s`.

    An attempt may start only within `retry_window_s` of the first, and lasts at most
    `connect_s + read_s` (the client's timeouts; no retries inside the client); so the call
    ends by `retry_window_s + connect_s + read_s = total_s - margin_s`. A non-streamed
    Converse answer arrives whole when the model is done, so the read timeout bounds the
    generation itself.
    """

    total_s: float
    margin_s: float
    retry_window_s: float
    connect_s: float
    read_s: float

    @classmethod
    def within(cls, total_s: float) -> CallBudget:
        if total_s <= 0:
            raise ValueError(f"the generation timeout must be positive, not {total_s}")
        margin = min(0.5, 0.05 * total_s)
        window = min(2.0, 0.1 * total_s)
        connect = min(2.0, 0.1 * total_s)
        return cls(total_s, margin, window, connect, total_s - margin - window - connect)


class BedrockGenerator:
    """The Generator port over Bedrock's Converse API."""

    def __init__(
        self,
        client: Any,
        model: str = DEFAULT_MODEL,
        *,
        temperature: float = 0.7,
        max_tokens: int = 400,
        retry_window_s: float = 2.0,
        languages: frozenset[str] = LANGUAGES,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.client = client
        self._model = model
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._retry_window_s = retry_window_s
        self._languages = languages
        self._sleep = sleep
        self._jitter = jitter

    @property
    def model_id(self) -> str:
        return f"bedrock:{self._model}"

    @property
    def languages(self) -> frozenset[str]:
        return self._languages

    def converse_params(self, request: GenerationRequest) -> dict[str, Any]:
        """The Converse request, as documented: system, messages, inferenceConfig."""
        params: dict[str, Any] = {
            "modelId": self._model,
            "messages": [{"role": "user", "content": [{"text": request.prompt}]}],
            "inferenceConfig": {
                "maxTokens": max(1, min(request.max_tokens, self._max_tokens)),
                "temperature": self._temperature,
            },
        }
        if request.system:
            params["system"] = [{"text": request.system}]
        return params

    def generate(self, request: GenerationRequest) -> Generation:
        params = self.converse_params(request)
        return self._generation(self._converse(params), params["inferenceConfig"]["maxTokens"])

    def _converse(self, params: dict[str, Any]) -> dict[str, Any]:
        """One Converse call; transient errors retried while the retry window lasts."""
        started = time.monotonic()
        attempt = 1
        while True:
            try:
                return self.client.converse(**params)  # type: ignore[no-any-return]
            except BotoCoreError as exc:  # a timeout has used the budget up: no retry
                time_budget.check(f"{self.model_id} answered")  # a timeout the deadline brought
                raise unavailable(self.model_id, exc, attempts=attempt) from exc
            except ClientError as exc:
                delay = BACKOFF_BASE_S * 2 ** (attempt - 1) * self._jitter()
                starts_at = time.monotonic() - started + delay
                if (
                    error_code(exc) not in TRANSIENT
                    or attempt >= MAX_ATTEMPTS
                    or starts_at > self._retry_window_s
                ):
                    raise unavailable(self.model_id, exc, attempts=attempt) from exc
                log.info("bedrock %s; retry %d in %.2f s", error_code(exc), attempt, delay)
                retry = f"a retry of {self.model_id} (after {error_code(exc)})"
            time_budget.pause(delay, retry, self._sleep)
            attempt += 1

    def _generation(self, response: dict[str, Any], max_tokens: int) -> Generation:
        stop = str(response.get("stopReason", ""))
        if stop in _REFUSED:
            raise BackendUnavailable(f"{self.model_id} gave no answer: stopReason {stop}")
        content = response.get("output", {}).get("message", {}).get("content", [])
        text = "".join(block["text"] for block in content if "text" in block).strip()
        if not text:
            raise BackendUnavailable(f"{self.model_id} answered with no text (stopReason {stop})")
        usage = response.get("usage", {})
        log.info(
            "bedrock converse: %s input + %s output tokens, stopReason %s",
            usage.get("inputTokens"),
            usage.get("outputTokens"),
            stop,
        )
        cut = stop == "max_tokens"
        notes = (f"the answer reached its {max_tokens}-token limit",) if cut else ()
        return Generation(
            text=text,
            model_id=self.model_id,
            tokens=int(usage.get("outputTokens", 0)),
            notes=notes,
        )


def budget_client(settings: Settings, budget: CallBudget) -> Any:
    """A bedrock-runtime client whose timeouts are the budget's, with no retries of its own.

    Not `aws.client`: its connect timeout is fixed at up to 5 s, and its adaptive mode's
    client-side rate limiter may wait before sending. Within a request's deadline each call
    is bounded by it as well (`aws.bound_by_deadline`).
    """
    import boto3
    from botocore.config import Config

    from oraculum.backends.aws import clients as aws

    config = Config(
        connect_timeout=budget.connect_s,
        read_timeout=budget.read_s,
        retries={"mode": "standard", "total_max_attempts": 1},  # we retry, within the budget
    )
    client = boto3.client("bedrock-runtime", region_name=settings.aws_region, config=config)
    return aws.bound_by_deadline(client)


def from_settings(settings: Settings) -> BedrockGenerator:
    budget = CallBudget.within(settings.generation_timeout_s)
    return BedrockGenerator(
        budget_client(settings, budget),
        settings.bedrock_model_id,
        temperature=settings.bedrock_temperature,
        max_tokens=settings.max_answer_tokens,
        retry_window_s=budget.retry_window_s,
    )
