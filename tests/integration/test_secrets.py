"""The Pinecone key from settings, SSM (SecureString) and Secrets Manager, on moto's server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from oraculum.backends.aws import clients as aws_clients
from oraculum.backends.aws import secrets
from oraculum.config import Settings
from oraculum.domain.errors import BackendUnavailable, ConfigError


@pytest.fixture(autouse=True)
def fresh_cache(aws: str) -> Iterator[None]:
    secrets.forget()
    aws_clients.forget_clients()  # the clients must see this test's AWS_ENDPOINT_URL
    yield
    secrets.forget()


def test_the_setting_wins_and_is_not_shown() -> None:
    settings = Settings(pinecone_api_key="pk-live-123", pinecone_api_key_ssm="/unused")
    assert secrets.pinecone_api_key(settings) == "pk-live-123"
    assert "pk-live-123" not in repr(settings)


def test_ssm_secure_string_is_decrypted_once_and_cached() -> None:
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/oraculum/pinecone", Value="pk-ssm", Type="SecureString")
    settings = Settings(pinecone_api_key_ssm="/oraculum/pinecone")
    assert secrets.pinecone_api_key(settings) == "pk-ssm"
    ssm.put_parameter(Name="/oraculum/pinecone", Value="pk-new", Type="SecureString",
                      Overwrite=True)  # fmt: skip
    assert secrets.pinecone_api_key(settings) == "pk-ssm"  # cached for the process


@pytest.mark.parametrize(
    "stored",
    ["pk-plain", json.dumps({"apiKey": "pk-plain"}), json.dumps({"PINECONE_API_KEY": "pk-plain"})],
)
def test_secrets_manager_plain_or_json(stored: str) -> None:
    boto3.client("secretsmanager").create_secret(Name="oraculum/pinecone", SecretString=stored)
    settings = Settings(pinecone_api_key_secret="oraculum/pinecone")
    assert secrets.pinecone_api_key(settings) == "pk-plain"


def test_missing_parameter_names_where_it_looked_never_a_value() -> None:
    settings = Settings(pinecone_api_key_ssm="/nope")
    with pytest.raises(BackendUnavailable, match=r"ssm '/nope': ParameterNotFound"):
        secrets.pinecone_api_key(settings)


def test_no_source_at_all_says_what_to_set() -> None:
    with pytest.raises(ConfigError, match="ORACULUM_PINECONE_API_KEY"):
        secrets.pinecone_api_key(Settings())


def test_json_secret_without_a_known_field() -> None:
    boto3.client("secretsmanager").create_secret(Name="s", SecretString='{"other": "x"}')
    with pytest.raises(ConfigError, match="none of the fields"):
        secrets.pinecone_api_key(Settings(pinecone_api_key_secret="s"))
