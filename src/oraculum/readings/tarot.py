"""A tarot reading: a fair draw, each card's meaning fetched by id, the question's context."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from oraculum.domain.errors import InvalidInput
from oraculum.domain.tarot import DrawnCard, draw, get_spread
from oraculum.ports import ContextGroup
from oraculum.rag.pack import pack
from oraculum.readings.answer import Answer
from oraculum.readings.knowledge import to_item
from oraculum.readings.services import Services, Stopwatch, check_lang, check_question
from oraculum.readings.words import words

_ELEMENT_OF_SUIT = {"wands": "fire", "cups": "water", "swords": "air", "pentacles": "earth"}


@dataclass
class TarotRequest:
    question: str
    spread: str = "three-card"
    seed: int | None = None
    lang: str = "en"


def synthesis_facts(cards: list[DrawnCard], lang: str) -> tuple[str, ...]:
    w = words(lang)
    total = len(cards)
    facts = []
    majors = sum(c.card.arcana == "major" for c in cards)
    facts.append(
        w.synthesis["majors"].format(n=majors, total=total) if majors else w.synthesis["no_majors"]
    )
    reversed_ = sum(c.reversed for c in cards)
    if reversed_:
        facts.append(w.synthesis["reversed"].format(n=reversed_, total=total))
    suits = Counter(c.card.suit for c in cards if c.card.suit)
    if suits:
        (top, n), *rest = suits.most_common()
        if n >= 2 and (not rest or rest[0][1] < n):
            facts.append(w.suit_leads[top])
    return tuple(facts)


def tarot_reading(request: TarotRequest, services: Services) -> Answer:
    lang = check_lang(request.lang)
    question = check_question(request.question, services.limits.max_question_chars, required=True)
    spread = get_spread(request.spread)
    if request.seed is not None and not 0 <= request.seed < 2**63:
        raise InvalidInput("seed", "must be a non-negative integer below 2**63")
    cards = draw(spread, seed=request.seed, reversal_probability=services.reversal_probability)
    w = words(lang)
    clock = Stopwatch()
    groups: list[ContextGroup] = []
    card_rows = []
    with clock.lap("retrieve"):
        drawn_docs = set()
        for dc in cards:
            chunks, found_lang = services.knowledge.entity(dc.card.entity, lang)
            if not chunks:
                services.count("RetrievalMisses", 1)
            drawn_docs.add(dc.card.entity)
            meaning = [c for c in chunks if c.section == dc.orientation]
            image = [c for c in chunks if c.section == "description"]
            title = chunks[0].title if chunks else dc.card.name
            label = w.orientation[dc.orientation]
            note = "" if found_lang == lang or not chunks else f"({found_lang})"
            position = w.position(dc.position)
            items = tuple(to_item(c) for c in meaning + image)
            groups.append(ContextGroup(f"{position} — {title}, {label}", items, note))
            card_rows.append({
                "position": dc.position,
                "position_index": dc.position_index,
                "card": dc.card.name,
                "card_id": dc.card.entity,
                "orientation": dc.orientation,
                "meaning_id": meaning[0].id if meaning else None,
            })  # fmt: skip
        related = services.retriever.search(question or "", top_k=3, lang=lang)
        extra = [h for h in related.hits if h.chunk.metadata.get("entity") not in drawn_docs]
        if extra:
            items = tuple(to_item(h.chunk) for h in extra)
            groups.append(ContextGroup(w.question_context, items))
        context = pack(groups, services.limits.context_tokens)
    with clock.lap("generate"):
        generation = services.generate(
            "tarot", lang, context, question=question, facts=synthesis_facts(cards, lang)
        )
    return Answer.made(
        "tarot",
        lang,
        generation,
        context,
        {
            "spread": spread.id,
            "question": question,
            "seed": request.seed,
            "cards": card_rows,
        },
        clock.timings(),
    )
