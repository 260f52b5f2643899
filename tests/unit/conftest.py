"""Fixtures of the unit tests: a real bedrock-runtime client for botocore's Stubber (the Bedrock
adapter tests), and fake AWS credentials in the environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from oraculum.backends.aws import clients as aws


def bedrock_client() -> Any:
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def client() -> Any:
    return bedrock_client()


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials in the environment (no lookup beyond it) and no cached clients."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    aws.forget_clients()
    yield
    aws.forget_clients()
