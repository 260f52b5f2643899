"""The four ports (DESIGN.md): every adapter implements one; readers never see which."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from oraculum.domain.records import Chunk, Metadata, VectorHit

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vector = npt.NDArray[np.float32]
else:
    # numpy is for the type checker here: importing it costs a Lambda handler that never
    # embeds (a tarot reading without a question) about 65 ms.
    Vector = Any
Filter = Mapping[str, str | Sequence[str]]


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit vectors; documents and queries may be embedded differently."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vector:
        """A (len(texts), dim) float32 array of L2-normalized rows."""
        ...

    def embed_query(self, text: str) -> Vector:
        """A (dim,) float32 L2-normalized vector."""
        ...


@runtime_checkable
class VectorIndex(Protocol):
    """Cosine similarity search over chunk vectors, keyed by chunk id."""

    @property
    def dim(self) -> int: ...

    @property
    def model_id(self) -> str | None:
        """The embedding model the index was built with (None while empty and unclaimed)."""
        ...

    def claim(self, model_id: str, dim: int) -> None:
        """Record the model on first use; raise DimensionMismatch if it disagrees."""
        ...

    def upsert(self, ids: Sequence[str], vectors: Vector, metadata: Sequence[Metadata]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(self, vector: Vector, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        """The top_k nearest vectors, best first; `where` filters on metadata equality."""
        ...

    def list_ids(self) -> Iterator[str]: ...

    def fetch_metadata(self, ids: Sequence[str]) -> dict[str, Metadata]: ...

    def count(self) -> int: ...

    def flush(self) -> None:
        """Make everything written so far durable."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class DocumentStore(Protocol):
    """The text and metadata of every chunk, with its status in the consistency protocol."""

    @property
    def model_id(self) -> str | None: ...

    def claim(self, model_id: str, dim: int) -> None: ...

    def put_many(self, chunks: Iterable[Chunk]) -> None:
        """Write chunks as given (status included), replacing any with the same id."""
        ...

    def mark_indexed(self, hashes: Mapping[str, str]) -> int:
        """Set status=indexed where the stored content_hash equals the given one."""
        ...

    def get_many(self, ids: Sequence[str]) -> dict[str, Chunk]: ...

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        """For each document id, the ids of the chunks stored for it."""
        ...

    def doc_ids_of_source(self, source: str) -> Iterator[str]: ...

    def delete_many(self, ids: Sequence[str]) -> None: ...

    def scan(self) -> Iterator[Chunk]:
        """Every chunk, in id order (for verify and stats)."""
        ...

    def count(self) -> int: ...

    def get_meta(self, key: str) -> Any:
        """The value stored under `key`, or None when there is none or it has expired."""
        ...

    def set_meta(self, key: str, value: Any, *, expires_at: float | None = None) -> None:
        """Store a JSON-able value; `expires_at` (Unix seconds) makes it a cache entry that
        reads ignore from then on and the store deletes in time."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ContextItem:
    """One retrieved passage as it enters a prompt: the chunk id is its citation."""

    id: str
    title: str
    section: str
    text: str
    kind: str = ""
    lang: str = ""
    sentences: int = 0  # how many opening sentences a composer quotes; 0: its own default


@dataclass(frozen=True)
class ContextGroup:
    """Passages under one heading ("Past: The Star, reversed"; "Mars in Aries")."""

    heading: str
    items: tuple[ContextItem, ...]
    note: str = ""  # a line the reading wrote to open the passages ("As the challenge, …")


@dataclass(frozen=True)
class GenerationRequest:
    """What a generator gets: the prompt, and the structured material it was built from.

    Language models read `system` and `prompt`; the extractive composer, which needs no
    model, composes from `groups` and `facts` directly.
    """

    system: str
    prompt: str
    lang: str
    reading_type: str
    groups: tuple[ContextGroup, ...]
    facts: tuple[str, ...] = ()
    question: str | None = None
    max_tokens: int = 512
    conclusion: str = ""  # the answer the reading's rules give, which the text ends with


@dataclass(frozen=True)
class Generation:
    text: str
    model_id: str
    tokens: int
    degraded: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class Generator(Protocol):
    """Writes a reading from a request; returns the text and how many tokens it took."""

    @property
    def model_id(self) -> str: ...

    @property
    def languages(self) -> frozenset[str]:
        """The languages it can write."""
        ...

    def generate(self, request: GenerationRequest) -> Generation: ...


@runtime_checkable
class Reranker(Protocol):
    """Orders passages by how well each answers a query (a cross-encoder, Cohere Rerank, …)."""

    @property
    def model_id(self) -> str: ...

    def rerank(self, query: str, texts: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        """The best `top_n` as (index into `texts`, relevance), best first."""
        ...


@runtime_checkable
class LexicalIndex(Protocol):
    """Term search (BM25) over the chunks' words, beside the vector index.

    An index that `follows_writes` is written with the items themselves (SQLite FTS5 in the
    document store's own transactions); any other is derived from the indexed items and made
    again by `rebuild` after an ingest and by `repair`.
    """

    @property
    def follows_writes(self) -> bool: ...

    def query(self, text: str, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        """The top_k chunks by BM25, best first, each with its `content_hash` in metadata."""
        ...

    def entries(self) -> dict[str, str]:
        """Every chunk id the index holds, with the content hash it was indexed with."""
        ...

    def rebuild(self, chunks: Iterable[Chunk]) -> int:
        """Replace the whole index with these chunks; returns how many it holds."""
        ...

    def note_writes(self) -> None:
        """The items are about to change: a derived index is out of date from here until a
        rebuild that began after this note (an index that follows writes ignores it)."""
        ...

    def up_to_date(self) -> bool:
        """Built, and no write noted since the build began (always, for one that follows
        writes): an ingest that changed nothing need not rebuild it."""
        ...
