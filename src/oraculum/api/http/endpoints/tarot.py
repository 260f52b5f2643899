"""POST /v1/tarot/readings, GET /v1/tarot/cards[/{card_id}], GET /v1/tarot/spreads."""

from __future__ import annotations

from typing import Any

from oraculum.api.http.endpoints import measured
from oraculum.api.http.problems import Problem
from oraculum.api.http.schemas import (
    CardDetail,
    CardList,
    CardQuery,
    CardSection,
    CardSummary,
    SpreadList,
    SpreadOut,
    TarotReadingRequest,
)
from oraculum.api.http.services import ApiServices
from oraculum.domain.ids import slug
from oraculum.domain.tarot import DECK, SPREADS, Card

CARDS = {slug(card.name): card for card in DECK}


def _summary(card_id: str, card: Card) -> CardSummary:
    return CardSummary(id=card_id, name=card.name, arcana=card.arcana, suit=card.suit,  # type: ignore[arg-type]
                       rank=card.rank, number=card.number)  # fmt: skip


def create_reading(runtime: ApiServices, body: TarotReadingRequest) -> dict[str, Any]:
    from oraculum.readings.tarot import TarotRequest, tarot_reading

    with runtime.services() as services:
        answer = tarot_reading(
            TarotRequest(body.question, body.spread, body.seed, body.lang), services
        )
    return measured(answer)


def list_cards() -> CardList:
    return CardList(cards=[_summary(cid, card) for cid, card in CARDS.items()])


def get_card(runtime: ApiServices, card_id: str, query: CardQuery) -> CardDetail:
    card = CARDS.get(card_id)
    if card is None:
        raise Problem(404, "not-found", f"no card {card_id!r}; GET /v1/tarot/cards lists them")
    with runtime.services() as services:
        chunks, found = services.knowledge.entity(card.entity, query.lang)
    if not chunks:
        raise Problem(404, "not-found", f"the knowledge base has no text for {card.name}")
    sections = {c.section: CardSection(chunk_id=c.id, text=c.text) for c in chunks}
    return CardDetail(**_summary(card_id, card).model_dump(), lang=found, title=chunks[0].title,
                      entity=card.entity, sections=sections)  # fmt: skip


def list_spreads(query: CardQuery) -> SpreadList:
    return SpreadList(spreads=[SpreadOut(**s.as_dict(query.lang)) for s in SPREADS.values()])
