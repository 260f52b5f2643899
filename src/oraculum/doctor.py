"""`oraculum doctor`: settings, credentials, each backend reachable, the stores agreeing with
the embedder. One line per check and, for each problem, what to do. Nothing is written:
stores are opened without claiming them, and no model is called unless asked."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from oraculum.config import (
    Settings,
    build_document_store,
    build_embedder,
    build_generator,
    build_vector_index,
)
from oraculum.domain.errors import OraculumError

AWS_EMBEDDERS = {"bedrock-cohere"}
AWS_STORES = {"dynamodb"}
AWS_GENERATORS = {"bedrock"}
CLIENT_LIBRARIES = ("botocore", "boto3", "pinecone", "urllib3", "psycopg")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Failed(Exception):
    """A check's failure: what is wrong and what to do."""

    def __init__(self, detail: str, fix: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


def _run(name: str, probe: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail, ok, fix = probe(), True, ""
    except Failed as exc:
        detail, ok, fix = exc.detail, False, exc.fix
    except OraculumError as exc:
        detail, ok, fix = str(exc), False, ""
    except Exception as exc:  # a client library's own error is a finding; ours are bugs
        if not type(exc).__module__.startswith(CLIENT_LIBRARIES):
            raise
        detail, ok, fix = f"{type(exc).__name__}: {exc}", False, ""
    return Check(name, ok, detail, fix, round((time.perf_counter() - started) * 1e3, 1))


def load_settings() -> tuple[Settings | None, list[Check]]:
    try:
        settings = Settings()
    except ValidationError as exc:
        checks = [
            Check(f"setting {'.'.join(map(str, e['loc']))}", False, e["msg"],
                  f"fix ORACULUM_{str(e['loc'][0]).upper()} or its line in oraculum.toml")
            for e in exc.errors()
        ]  # fmt: skip
        return None, checks
    chosen = (f"embedder={settings.embedder} index={settings.vector_index} "
              f"documents={settings.document_store} generator={settings.generator}")  # fmt: skip
    return settings, [Check("settings", True, chosen)]


def uses_aws(settings: Settings) -> bool:
    return (
        settings.embedder in AWS_EMBEDDERS
        or settings.document_store in AWS_STORES
        or settings.generator in AWS_GENERATORS
        or bool(settings.pinecone_api_key_ssm or settings.pinecone_api_key_secret)
    )


def aws_credentials(settings: Settings) -> str:
    import boto3

    session = boto3.Session(region_name=settings.aws_region)
    credentials = session.get_credentials()
    if credentials is None:
        raise Failed("no AWS credentials found",
                     "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run "
                     "where a role provides them")  # fmt: skip
    if not session.region_name:
        raise Failed("no AWS region", "set AWS_DEFAULT_REGION or ORACULUM_AWS_REGION")
    return f"{credentials.method} credentials, region {session.region_name}"


def run(settings: Settings, *, call_models: bool = False) -> list[Check]:
    checks: list[Check] = []
    if uses_aws(settings):
        checks.append(_run("aws credentials", lambda: aws_credentials(settings)))
        if not checks[-1].ok:
            return checks  # every AWS check after this would fail the same way
    if settings.vector_index == "pinecone":
        from oraculum.backends.aws.secrets import pinecone_api_key

        checks.append(_run("pinecone api key", lambda: _key_found(pinecone_api_key(settings))))
    found: dict[str, Any] = {}
    checks.append(_run("embedder", lambda: _embedder(settings, found, call_models)))
    checks.append(_run("vector index", lambda: _index(settings, found)))
    checks.append(_run("document store", lambda: _documents(settings, found)))
    checks.append(_run("generator", lambda: _generator(settings, call_models)))
    return checks


def _key_found(key: str) -> str:
    return f"found ({len(key)} characters; not shown)"


def _embedder(settings: Settings, found: dict[str, Any], call: bool) -> str:
    embedder = build_embedder(settings)
    found["embedder"] = embedder
    said = f"{embedder.model_id}, {embedder.dim}-d"
    if call or settings.embedder not in AWS_EMBEDDERS:
        vector = embedder.embed_query("doctor")
        if len(vector) != embedder.dim:
            raise Failed(f"{said}: a query came back {len(vector)}-d")
        said += ", embedded a test query"
    else:
        said += " (not called: --call-models sends one query)"
    return said


def _index(settings: Settings, found: dict[str, Any]) -> str:
    index = build_vector_index(settings)
    try:
        model, dim, count = index.model_id, index.dim, index.count()
    finally:
        index.close()
    embedder = found.get("embedder")
    if model is None and not count:
        return "reachable, empty: `oraculum ingest` will create and claim it"
    if embedder is not None and (dim != embedder.dim or model not in (None, embedder.model_id)):
        raise Failed(
            f"the index holds {model} vectors ({dim}-d); the embedder is "
            f"{embedder.model_id} ({embedder.dim}-d)",
            "select the embedder the index was built with, or a new index "
            "(ORACULUM_PINECONE_INDEX / ORACULUM_DATA_DIR) and ingest again",
        )
    return f"{count:,} vectors of {model} ({dim}-d): agrees with the embedder"


def _documents(settings: Settings, found: dict[str, Any]) -> str:
    documents = build_document_store(settings)
    try:
        model, count = documents.model_id, documents.count()
    finally:
        documents.close()
    embedder = found.get("embedder")
    if model is None:
        return "reachable, empty: `oraculum ingest` will fill it"
    if embedder is not None and model != embedder.model_id:
        raise Failed(f"built with {model}; the embedder is {embedder.model_id}",
                     "select the embedder the store was built with, or a new store")  # fmt: skip
    return f"{count:,} chunks of {model}"


def _generator(settings: Settings, call: bool) -> str:
    generator = build_generator(settings)
    said = f"{generator.model_id} ({', '.join(sorted(generator.languages))})"
    if call and settings.generator != "extractive":
        from oraculum.ports import GenerationRequest

        answer = generator.generate(GenerationRequest(
            system="Answer in one word.", prompt="Say ok.", lang="en", reading_type="ask",
            groups=(), max_tokens=5))  # fmt: skip
        said += f", answered in {answer.tokens} tokens"
    elif settings.generator in AWS_GENERATORS:
        said += " (not called: --call-models sends a five-token request)"
    return said
