"""What the use cases need, built once by the composition root and passed down."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from oraculum.clock import SYSTEM, Clock
from oraculum.domain.errors import InvalidInput
from oraculum.knowledge_version import KnowledgeVersion
from oraculum.ports import DocumentStore, Generation, GenerationRequest, Generator
from oraculum.rag.pack import PackedContext
from oraculum.rag.prompts import SUPPORTED_LANGS, system_prompt, user_prompt
from oraculum.rag.retrieve import Retriever
from oraculum.readings.answer import Timings
from oraculum.readings.knowledge import Knowledge


@dataclass
class Limits:
    max_question_chars: int = 1_000
    context_tokens: int = 1_500
    max_answer_tokens: int = 400


@dataclass
class Services:
    documents: DocumentStore
    retriever: Retriever
    knowledge: Knowledge
    generator: Generator
    limits: Limits = field(default_factory=Limits)
    reversal_probability: float = 0.5
    horoscope_cache_days: int = 7  # how long after its day a stored horoscope is kept
    clock: Clock = SYSTEM  # "now" for every reading (ORACULUM_NOW fixes it)
    count: Callable[[str, float], None] = lambda name, value: None  # metrics sink
    # the base's version, which stored horoscopes are keyed by (made from `documents` if None)
    knowledge_version: KnowledgeVersion | None = None

    def __post_init__(self) -> None:
        if self.knowledge_version is None:
            self.knowledge_version = KnowledgeVersion(self.documents)

    def base_version(self) -> str:
        assert self.knowledge_version is not None  # set in __post_init__
        return self.knowledge_version.current()

    def generate(
        self,
        reading_type: str,
        lang: str,
        context: PackedContext,
        *,
        question: str | None = None,
        facts: tuple[str, ...] = (),
        conclusion: str = "",
        focus: str | None = None,
    ) -> Generation:
        prompt = user_prompt(
            reading_type, lang, context,
            question=question, facts=facts, conclusion=conclusion, focus=focus,
        )  # fmt: skip
        request = GenerationRequest(
            system=system_prompt(lang),
            prompt=prompt,
            lang=lang,
            reading_type=reading_type,
            groups=context.groups,
            facts=facts,
            question=question,
            max_tokens=self.limits.max_answer_tokens,
            conclusion=conclusion,
        )
        generation = self.generator.generate(request)
        if generation.degraded:
            self.count("DegradedAnswers", 1)
        if generation.tokens:
            self.count("GeneratorTokens", generation.tokens)
        return generation


def check_lang(lang: str) -> str:
    if lang not in SUPPORTED_LANGS:
        raise InvalidInput(
            "lang", f"{lang!r} is not supported; use one of {', '.join(SUPPORTED_LANGS)}"
        )
    return lang


def check_question(question: str | None, limit: int, *, required: bool) -> str | None:
    if question is None or not question.strip():
        if required:
            raise InvalidInput("question", "is empty; ask something")
        return None
    question = question.strip()
    if len(question) > limit:
        raise InvalidInput("question", f"is {len(question):,} characters; the limit is {limit:,}")
    return question


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.laps: dict[str, float] = {}

    @contextmanager
    def lap(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.laps[name] = self.laps.get(name, 0.0) + (time.perf_counter() - t0) * 1e3

    def total_ms(self) -> float:
        return (time.perf_counter() - self.start) * 1e3

    def timings(self) -> Timings:
        return Timings(
            self.laps.get("retrieve", 0.0), self.laps.get("generate", 0.0), self.total_ms()
        )
