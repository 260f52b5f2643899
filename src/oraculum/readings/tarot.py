"""A tarot reading: the question's scope and focus, a fair draw, each drawn card read in its
position through the facet of its meaning the question asks for, the spread's own text, today's
Moon, and a synthesis by stated rules that ends in an answer.

Only what belongs reaches the text and the model: the drawn cards' passages, the chosen spread's
record and the phase the Moon is actually in. Nothing is searched by the question's words, so
no card that was not drawn can appear.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from oraculum.clock import today
from oraculum.domain.errors import InvalidInput
from oraculum.domain.records import Chunk
from oraculum.domain.sky import sky_on
from oraculum.domain.tarot import DrawnCard, Spread, draw, get_spread
from oraculum.ports import ContextGroup, ContextItem
from oraculum.rag.pack import estimate_tokens, pack
from oraculum.readings.answer import Answer
from oraculum.readings.focus import Focus, classify, facet_of
from oraculum.readings.knowledge import display_title, to_item
from oraculum.readings.scope import Scope, assess
from oraculum.readings.services import Services, Stopwatch, check_lang, check_question
from oraculum.readings.synthesis import ReadCard, synthesize
from oraculum.readings.words import Words, words

# A reading's context is exactly what it retrieved, so a big spread keeps every card's passages;
# the cap only guards against a base whose passages grew far beyond today's.
MAX_CONTEXT_TOKENS = 12_000
ELEMENTS = ("fire", "water", "air", "earth")


@dataclass
class TarotRequest:
    question: str
    spread: str = "three-card"
    seed: int | None = None
    lang: str = "en"


@dataclass(frozen=True)
class CardPassages:
    """What the base says of one drawn card, for this reading."""

    drawn: DrawnCard
    title: str
    found_lang: str
    facet: Chunk | None  # the meaning for the question's focus
    core: Chunk | None  # the orientation's general meaning
    advice: Chunk | None
    keywords: tuple[str, ...]
    element: str | None


def _section(chunks: list[Chunk], name: str) -> Chunk | None:
    return next((c for c in chunks if c.section == name), None)


def card_passages(dc: DrawnCard, facet: str, lang: str, services: Services) -> CardPassages:
    chunks, found = services.knowledge.entity(dc.card.entity, lang)
    if not chunks:
        services.count("RetrievalMisses", 1)
    meta = chunks[0].metadata if chunks else {}
    key = "keywords" if dc.orientation == "upright" else "keywords_reversed"
    keywords = tuple(str(k) for k in meta.get(key) or ())
    element = str(meta.get("element", "")).lower()
    return CardPassages(
        drawn=dc,
        title=display_title(chunks[0].title, found) if chunks else dc.card.name,
        found_lang=found,
        facet=_section(chunks, f"{dc.orientation}-{facet}"),
        core=_section(chunks, dc.orientation),
        advice=_section(chunks, f"{dc.orientation}-advice"),
        keywords=keywords,
        element=element if element in ELEMENTS else None,
    )


def card_group(
    p: CardPassages, position_text: Chunk | None, focus: Focus, lang: str, w: Words
) -> ContextGroup:
    dc = p.drawn
    orientation = w.orientation[dc.orientation]
    lead = w.card_reads.format(
        lead=dc.position.lead_in(lang), card=w.the(p.title), orientation=orientation,
        keywords=w.join(list(p.keywords[:3])),
    ) if p.keywords else ""  # fmt: skip
    note = lead if p.found_lang == lang else f"{lead} ({p.found_lang})".strip()
    general = focus.general
    items: list[ContextItem] = []
    if position_text:  # titled by its position, which the heading names
        items.append(replace(to_item(position_text, 2), title=dc.position.name_in(lang)))
    if p.facet and not (general and p.facet is p.advice):
        items.append(to_item(p.facet, 3))
    if p.core:
        items.append(to_item(p.core, 2 if general else 1))
    if general and p.advice:
        items.append(to_item(p.advice, 2))
    heading = f"{dc.position.name_in(lang)} — {p.title}, {orientation}"
    return ContextGroup(heading, tuple(items), note)


def moon_group(services: Services, lang: str, w: Words) -> ContextGroup | None:
    try:
        phase = sky_on(today(services.clock)).moon_phase
    except InvalidInput:  # a day beyond the ephemeris: the reading goes on without the Moon
        return None
    items, _ = services.knowledge.sections(f"moon-phase/{phase.key}", lang, ("guidance",))
    if not items:
        return None
    return ContextGroup(f"{w.moon_today}: {items[0].title}", (replace(items[0], sentences=1),))


def card_row(
    p: CardPassages, position_text: Chunk | None, focus: Focus, w: Words
) -> dict[str, Any]:
    dc = p.drawn
    general = focus.general
    facet = p.core if general else p.facet or p.core
    return {
        "position": dc.position.name_in(w.lang),
        "position_id": dc.position.key,
        "position_index": dc.position_index,
        "position_meaning": position_text.text if position_text else None,
        "card": p.title,
        "card_id": dc.card.entity,
        "orientation": dc.orientation,
        "orientation_label": w.orientation[dc.orientation],
        "keywords": list(p.keywords),
        # love, work, money, inner; or the orientation itself for its general meaning
        "facet": facet.section.rsplit("-", 1)[-1] if facet else dc.orientation,
        "meaning": facet.text if facet else None,
        "meaning_id": facet.id if facet else None,
    }


def declined(scope: Scope, request: TarotRequest, lang: str, clock: Stopwatch) -> Answer:
    note = words(lang).scope[scope.category or scope.scope]
    reading = {"spread": request.spread, "question": request.question, "seed": request.seed,
               "scope": scope.scope, "scope_detail": scope.as_dict(), "focus": None,
               "cards": []}  # fmt: skip
    return Answer.declined("tarot", lang, note, reading, clock.timings())


def spread_passages(spread: Spread, lang: str, services: Services) -> dict[str, Chunk]:
    chunks, _ = services.knowledge.entity(spread.entity, lang)
    by_section: dict[str, Chunk] = {}
    for chunk in chunks:
        by_section.setdefault(chunk.section, chunk)
    return by_section


def tarot_reading(request: TarotRequest, services: Services) -> Answer:
    lang = check_lang(request.lang)
    question = check_question(request.question, services.limits.max_question_chars, required=True)
    spread = get_spread(request.spread)
    if request.seed is not None and not 0 <= request.seed < 2**63:
        raise InvalidInput("seed", "must be a non-negative integer below 2**63")
    clock = Stopwatch()
    scope = assess(question or "")
    if scope.declined:
        services.count("DeclinedQuestions", 1)
        return declined(scope, request, lang, clock)
    w = words(lang)
    with clock.lap("retrieve"):
        focus = classify(question or "", services.retriever.embedder)
        facet = facet_of(focus.focus)
        cards = draw(spread, seed=request.seed, reversal_probability=services.reversal_probability)
        spread_text = spread_passages(spread, lang, services)
        passages = [card_passages(dc, facet, lang, services) for dc in cards]
        groups: list[ContextGroup] = []
        if "description" in spread_text:
            about = replace(to_item(spread_text["description"], 2), title=spread.name_in(lang))
            groups.append(ContextGroup(about.title, (about,)))
        rows = []
        for p in passages:
            position_text = spread_text.get(f"position-{p.drawn.position_index + 1}")
            groups.append(card_group(p, position_text, focus, lang, w))
            rows.append(card_row(p, position_text, focus, w))
        moon = moon_group(services, lang, w)
        if moon:
            groups.append(moon)
        needed = sum(
            estimate_tokens(i.text) + estimate_tokens(i.title) + 8 for g in groups for i in g.items
        )
        budget = max(services.limits.context_tokens, min(needed, MAX_CONTEXT_TOKENS))
        context = pack(groups, budget)
    read = [
        ReadCard(p.drawn, p.title, p.element, p.keywords,
                 p.advice.text if p.advice else "", p.advice.id if p.advice else "")
        for p in passages
    ]  # fmt: skip
    synthesis = synthesize(read, spread, focus.focus, w)
    with clock.lap("generate"):
        generation = services.generate(
            "tarot", lang, context, question=question, facts=synthesis.sentences,
            conclusion=synthesis.answer, focus=w.focus_names[focus.focus],
        )  # fmt: skip
    answer = Answer.made(
        "tarot",
        lang,
        generation,
        context,
        {
            "spread": spread.id,
            "spread_name": spread.name_in(lang),
            "question": question,
            "seed": request.seed,
            "scope": scope.scope,
            "scope_detail": scope.as_dict(),
            "focus": focus.focus,
            "focus_detail": focus.as_dict(),
            "cards": rows,
            "synthesis": list(synthesis.sentences),
            "answer": synthesis.answer,
            "lean": synthesis.lean,
        },
        clock.timings(),
    )
    if scope.scope == "sensitive" and scope.category:
        caution = w.scope[scope.category]
        answer.text = f"{caution}\n\n{answer.text}"
        answer.notes.insert(0, caution)
    return answer
