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

_ELEMENT_OF_SUIT = {"wands": "fire", "cups": "water", "swords": "air", "pentacles": "earth"}
_FACTS = {
    "en": {
        "majors": "Major Arcana: {n} of {total} cards — larger life themes are at work.",
        "no_majors": "No Major Arcana appear: the matter lies in everyday choices.",
        "reversed": "Reversed: {n} of {total} cards — some energy is blocked or turned inward.",
        "suit": {
            "wands": "Wands lead (fire): drive, ambition and action.",
            "cups": "Cups lead (water): feelings and relationships.",
            "swords": "Swords lead (air): thoughts, words and conflict.",
            "pentacles": "Pentacles lead (earth): work, body and resources.",
        },
    },
    "vi": {
        "majors": "Ẩn Chính: {n} trên {total} lá — những chủ đề lớn của đời sống đang vận hành.",
        "no_majors": "Không có lá Ẩn Chính nào: vấn đề nằm ở những lựa chọn thường ngày.",
        "reversed": "Lá ngược: {n} trên {total} lá — "
        "một phần năng lượng đang bị chặn hoặc hướng vào trong.",
        "suit": {
            "wands": "Bộ Gậy chiếm ưu thế (lửa): động lực, hoài bão và hành động.",
            "cups": "Bộ Cốc chiếm ưu thế (nước): cảm xúc và các mối quan hệ.",
            "swords": "Bộ Kiếm chiếm ưu thế (khí): suy nghĩ, lời nói và xung đột.",
            "pentacles": "Bộ Tiền chiếm ưu thế (đất): công việc, cơ thể và tài nguyên.",
        },
    },
}
_POSITIONS_VI = {
    "Focus": "Trọng tâm", "Past": "Quá khứ", "Present": "Hiện tại", "Future": "Tương lai",
    "Challenge": "Thử thách", "Foundation": "Nền tảng", "Recent Past": "Quá khứ gần",
    "Potential": "Tiềm năng", "Near Future": "Tương lai gần", "Self": "Bản thân",
    "Environment": "Môi trường", "Hopes and Fears": "Hy vọng và nỗi sợ", "Outcome": "Kết quả",
    "You": "Bạn", "The Other Person": "Người kia", "The Connection": "Mối liên kết",
    "The Challenge": "Thử thách", "Where It Is Heading": "Hướng đi",
}  # fmt: skip
_ORIENTATION = {
    "en": {"upright": "upright", "reversed": "reversed"},
    "vi": {"upright": "xuôi", "reversed": "ngược"},
}


@dataclass
class TarotRequest:
    question: str
    spread: str = "three-card"
    seed: int | None = None
    lang: str = "en"


def synthesis_facts(cards: list[DrawnCard], lang: str) -> tuple[str, ...]:
    words = _FACTS[lang]
    total = len(cards)
    facts = []
    majors = sum(c.card.arcana == "major" for c in cards)
    facts.append(words["majors"].format(n=majors, total=total) if majors else words["no_majors"])
    reversed_ = sum(c.reversed for c in cards)
    if reversed_:
        facts.append(words["reversed"].format(n=reversed_, total=total))
    suits = Counter(c.card.suit for c in cards if c.card.suit)
    if suits:
        (top, n), *rest = suits.most_common()
        if n >= 2 and (not rest or rest[0][1] < n):
            facts.append(words["suit"][top])
    return tuple(facts)


def tarot_reading(request: TarotRequest, services: Services) -> Answer:
    lang = check_lang(request.lang)
    question = check_question(request.question, services.limits.max_question_chars, required=True)
    spread = get_spread(request.spread)
    if request.seed is not None and not 0 <= request.seed < 2**63:
        raise InvalidInput("seed", "must be a non-negative integer below 2**63")
    cards = draw(spread, seed=request.seed, reversal_probability=services.reversal_probability)
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
            label = _ORIENTATION[lang][dc.orientation]
            note = "" if found_lang == lang or not chunks else f"({found_lang})"
            position = _POSITIONS_VI.get(dc.position, dc.position) if lang == "vi" else dc.position
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
            heading = (
                "Context for your question" if lang == "en" else "Bối cảnh cho câu hỏi của bạn"
            )
            groups.append(ContextGroup(heading, tuple(to_item(h.chunk) for h in extra)))
        context = pack(groups, services.limits.context_tokens)
    with clock.lap("generate"):
        generation = services.generate(
            "tarot", lang, context, question=question, facts=synthesis_facts(cards, lang)
        )
    return Answer(
        kind="tarot",
        lang=lang,
        text=generation.text,
        sources=context.ids,
        model=generation.model_id,
        degraded=generation.degraded,
        reading={
            "spread": spread.id,
            "question": question,
            "seed": request.seed,
            "cards": card_rows,
        },
        timings=clock.timings(),
        tokens=generation.tokens,
        notes=list(generation.notes),
    )
