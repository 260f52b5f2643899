"""How Bedrock's failures become ours: one BackendUnavailable that names the model, the error
and what to do next; and which errors pass with time, so that a retry is worth it.

The codes are the documented errors of InvokeModel and Converse (bedrock-runtime).
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from oraculum.domain.errors import BackendUnavailable

# They come back at once and pass with time: retried with backoff and jitter.
TRANSIENT = frozenset(
    {
        "ThrottlingException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "InternalServerException",
    }
)

_HINTS = {
    "ThrottlingException": "Bedrock throttled the calls: lower ORACULUM_BEDROCK_MAX_CONCURRENCY, "
    "ask for a higher quota, or use a cross-region inference profile",
    "ServiceQuotaExceededException": "a Bedrock quota is used up: ask for a higher one",
    "ServiceUnavailableException": "Bedrock is unavailable: try again later",
    "ModelNotReadyException": "the model is not ready yet: try again shortly",
    "InternalServerException": "Bedrock failed internally: try again",
    "ModelTimeoutException": "the model took too long: ask for fewer tokens "
    "(ORACULUM_MAX_ANSWER_TOKENS) or raise ORACULUM_GENERATION_TIMEOUT_S",
    "ModelErrorException": "the model failed on this input",
    "AccessDeniedException": "this role may not call the model: enable model access in the "
    "Bedrock console and allow bedrock:InvokeModel on it",
    "ResourceNotFoundException": "no such model here: check the model id (or inference "
    "profile) and the region (ORACULUM_AWS_REGION)",
    "ValidationException": "Bedrock refused the request",
}


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "") or "UnknownError")


def _attempts(exc: Exception) -> int:
    """How many times botocore sent the request before this error (its own retries)."""
    if isinstance(exc, ClientError):
        return 1 + int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)
    return 1


def _reason_and_hint(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = str(exc.response.get("Error", {}).get("Message", "") or "").rstrip(". ")
        reason = f"{code}: {message}" if message else code
        return reason, _HINTS.get(code, "")
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return f"timed out ({type(exc).__name__}: {exc})", "the call ran past its time budget"
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials", "configure credentials (a role, AWS_PROFILE, or the env)"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot connect ({exc})", "check the region and the network path to Bedrock"
    return f"{type(exc).__name__}: {exc}", ""


def unavailable(
    model_id: str, exc: BotoCoreError | ClientError, *, attempts: int = 0
) -> BackendUnavailable:
    """The error to raise for `exc`; `attempts` counts our own tries (botocore's otherwise)."""
    reason, hint = _reason_and_hint(exc)
    tries = attempts or _attempts(exc)
    after = f" after {tries} attempts" if tries > 1 else ""
    tail = f"; {hint}" if hint else ""
    return BackendUnavailable(f"{model_id} failed{after}: {reason}{tail}")
