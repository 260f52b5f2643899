"""The Pinecone API key: from settings (ORACULUM_PINECONE_API_KEY), an SSM SecureString or a
Secrets Manager secret. Read once per process and cached; the value is never logged, and
errors name where it was looked for, never what was found. Within a request's deadline the
read keeps to it, as every call of our boto3 clients does (backends/aws/clients.py): a
stalled SSM or Secrets Manager raises DeadlineExceeded (a BackendUnavailable) by then, and
nothing is cached."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

from oraculum.domain.errors import BackendUnavailable, ConfigError

if TYPE_CHECKING:
    from oraculum.config import Settings

_cache: dict[tuple[str, str], str] = {}
_lock = threading.Lock()
# keys a JSON secret may keep the value under
_JSON_KEYS = ("apiKey", "api_key", "PINECONE_API_KEY", "pinecone_api_key")


def pinecone_api_key(settings: Settings) -> str:
    if settings.pinecone_api_key is not None:
        return settings.pinecone_api_key.get_secret_value()
    if settings.pinecone_api_key_ssm:
        return _cached(("ssm", settings.pinecone_api_key_ssm), settings)
    if settings.pinecone_api_key_secret:
        return _cached(("secretsmanager", settings.pinecone_api_key_secret), settings)
    raise ConfigError(
        "no Pinecone API key: set ORACULUM_PINECONE_API_KEY, or ORACULUM_PINECONE_API_KEY_SSM "
        "(an SSM SecureString parameter name), or ORACULUM_PINECONE_API_KEY_SECRET (a Secrets "
        "Manager secret id)"
    )


def _cached(where: tuple[str, str], settings: Settings) -> str:
    with _lock:
        if where not in _cache:
            _cache[where] = _read(where, settings)
        return _cache[where]


def _read(where: tuple[str, str], settings: Settings) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    from oraculum.backends.aws.clients import client

    service, name = where
    try:
        if service == "ssm":
            found = client("ssm", settings).get_parameter(Name=name, WithDecryption=True)
            return str(found["Parameter"]["Value"])
        found = client("secretsmanager", settings).get_secret_value(SecretId=name)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise BackendUnavailable(
            f"cannot read the Pinecone key from {service} {name!r}: {code}; check the name "
            "and that this role may read it (ssm:GetParameter / secretsmanager:GetSecretValue, "
            "and kms:Decrypt)"
        ) from None
    except BotoCoreError as exc:
        raise BackendUnavailable(f"cannot reach {service} for {name!r}: {exc}") from None
    return _from_secret_string(str(found.get("SecretString", "")), name)


def _from_secret_string(text: str, name: str) -> str:
    """A secret holds the key itself, or JSON with the key under one of _JSON_KEYS."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            fields = json.loads(stripped)
        except json.JSONDecodeError:
            raise ConfigError(f"secret {name!r} looks like JSON but does not parse") from None
        for key in _JSON_KEYS:
            if isinstance(fields.get(key), str):
                return str(fields[key])
        raise ConfigError(f"secret {name!r} has none of the fields {', '.join(_JSON_KEYS)}")
    if not stripped:
        raise ConfigError(f"secret {name!r} is empty")
    return stripped


def forget() -> None:
    with _lock:
        _cache.clear()
