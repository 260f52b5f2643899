"""What every reading returns: the reading itself, its text, its sources, and how it was made."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oraculum.ports import Generation
    from oraculum.rag.pack import PackedContext


SCOPE_MODEL_ID = "oraculum/scope-rules-v1"  # who answered a declined question: the rules


@dataclass
class Timings:
    retrieve_ms: float = 0.0
    generate_ms: float = 0.0
    total_ms: float = 0.0

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in asdict(self).items()}


@dataclass
class Answer:
    kind: str  # tarot | horoscope | natal | ask
    lang: str
    text: str
    sources: list[str]
    model: str
    degraded: bool
    reading: dict[str, Any]
    timings: Timings
    tokens: int = 0
    notes: list[str] = field(default_factory=list)
    cached: bool = False

    @classmethod
    def made(
        cls,
        kind: str,
        lang: str,
        generation: Generation,
        context: PackedContext,
        reading: dict[str, Any],
        timings: Timings,
    ) -> Answer:
        """The answer of a reading whose text `generation` wrote from `context`."""
        return cls(
            kind=kind,
            lang=lang,
            text=generation.text,
            sources=context.ids,
            model=generation.model_id,
            degraded=generation.degraded,
            reading=reading,
            timings=timings,
            tokens=generation.tokens,
            notes=list(generation.notes),
        )

    @classmethod
    def declined(
        cls, kind: str, lang: str, text: str, reading: dict[str, Any], timings: Timings
    ) -> Answer:
        """The answer to a question Oraculum does not read (off-topic, harmful): a note, no
        sources, no model."""
        return cls(kind=kind, lang=lang, text=text, sources=[], model=SCOPE_MODEL_ID,
                   degraded=False, reading=reading, timings=timings)  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lang": self.lang,
            **self.reading,
            "text": self.text,
            "sources": self.sources,
            "model": self.model,
            "degraded": self.degraded,
            "notes": self.notes,
            "tokens": self.tokens,
            "cached": self.cached,
            "timings_ms": self.timings.rounded(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], reading_keys: tuple[str, ...]) -> Answer:
        return cls(
            kind=data["kind"],
            lang=data["lang"],
            text=data["text"],
            sources=list(data["sources"]),
            model=data["model"],
            degraded=bool(data["degraded"]),
            reading={k: data[k] for k in reading_keys if k in data},
            timings=Timings(**data["timings_ms"]),
            tokens=int(data.get("tokens", 0)),
            notes=list(data.get("notes", [])),
            cached=bool(data.get("cached", False)),
        )
