"""Who is calling: API keys locally (hashed, compared in constant time), the API Gateway
authorizer's identity in AWS (trusted: the gateway already verified the token)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from oraculum.api.http.problems import Problem


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeys:
    """Keeps only the keys' SHA-256 digests; checks a presented key against every one."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = [_digest(k) for k in keys if k]

    def __bool__(self) -> bool:
        return bool(self._digests)

    def check(self, presented: str) -> int | None:
        """The index of the matching key (for logs, never the key), else None."""
        digest = _digest(presented)
        found = None
        for i, known in enumerate(self._digests):  # no early exit: same time for every key
            if hmac.compare_digest(digest, known):
                found = i
        return found


def _part(parent: Any, key: str) -> Mapping[str, Any]:
    """parent[key] when both are objects, else an empty one: a malformed event has no identity."""
    found = parent.get(key) if isinstance(parent, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def gateway_identity(scope: Mapping[str, Any]) -> str | None:
    """The subject the API Gateway JWT authorizer verified, from the Lambda event (Mangum)."""
    authorizer = _part(_part(scope, "aws.event"), "requestContext").get("authorizer")
    claims = _part(_part(authorizer, "jwt"), "claims")
    subject = claims.get("sub") or _part(authorizer, "lambda").get("principalId")
    if not isinstance(subject, str | int) or isinstance(subject, bool) or subject == "":
        return None
    return str(subject)


def authenticate(
    mode: str, keys: ApiKeys, authorization: str | None, scope: Mapping[str, Any]
) -> str:
    """The caller's identity for the logs, or a 401 problem."""
    if mode == "gateway":
        identity = gateway_identity(scope)
        if identity is None:
            raise Problem(
                401, "unauthorized", "the request carries no API Gateway authorizer identity"
            )
        return f"jwt:{identity}"
    if not keys:
        raise Problem(401, "unauthorized", "no API keys are configured: set ORACULUM_API_KEYS")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "unauthorized", "send 'Authorization: Bearer <API key>'")
    index = keys.check(token.strip())
    if index is None:
        raise Problem(401, "unauthorized", "the API key is not valid")
    return f"api-key:{index}"
