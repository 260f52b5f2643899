"""boto3 clients for our adapters: made once per process, with timeouts and adaptive retries.

Region, credentials and endpoint follow the standard AWS settings (AWS_REGION, AWS_PROFILE,
AWS_ENDPOINT_URL, ...); `Settings.aws_region` overrides the region. boto3 is imported here,
on first use, so that nothing on the embedded path pays for it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oraculum.config import Settings

_clients: dict[tuple[str, str | None, float, int], Any] = {}
_lock = threading.Lock()


def client(service: str, settings: Settings, *, max_attempts: int = 5) -> Any:
    """A cached boto3 client for `service` (connect/read timeouts from settings)."""
    key = (service, settings.aws_region, settings.aws_timeout_s, max_attempts)
    with _lock:
        found = _clients.get(key)
        if found is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=min(settings.aws_timeout_s, 5.0),
                read_timeout=settings.aws_timeout_s,
                retries={"mode": "adaptive", "max_attempts": max_attempts},
                max_pool_connections=max(10, settings.bedrock_max_concurrency * 2),
            )
            found = boto3.client(service, region_name=settings.aws_region, config=config)
            _clients[key] = found
        return found


def forget_clients() -> None:
    """Drop the cached clients (tests that move AWS_ENDPOINT_URL between servers)."""
    with _lock:
        _clients.clear()


class LazyClient:
    """A boto3 client made on first use. An adapter built by every function but used by few
    (the embedder: the horoscope function never embeds) then costs nothing where unused."""

    def __init__(self, service: str, settings: Settings, *, max_attempts: int = 5) -> None:
        self._args = (service, settings, max_attempts)

    def __getattr__(self, name: str) -> Any:
        service, settings, max_attempts = self._args
        return getattr(client(service, settings, max_attempts=max_attempts), name)
