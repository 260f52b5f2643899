"""The 78-card Rider–Waite–Smith deck and fair draws (the spreads are in `spreads.py`)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from oraculum.domain.ids import normalize, slug
from oraculum.domain.spreads import SPREADS, Position, Spread, UnknownSpread, get_spread

MAJOR_ARCANA: tuple[str, ...] = (
    "The Fool", "The Magician", "The High Priestess", "The Empress", "The Emperor",
    "The Hierophant", "The Lovers", "The Chariot", "Strength", "The Hermit",
    "Wheel of Fortune", "Justice", "The Hanged Man", "Death", "Temperance", "The Devil",
    "The Tower", "The Star", "The Moon", "The Sun", "Judgement", "The World",
)  # fmt: skip
SUITS: tuple[str, ...] = ("wands", "cups", "swords", "pentacles")
RANKS: tuple[str, ...] = (
    "ace", "2", "3", "4", "5", "6", "7", "8", "9", "10", "page", "knight", "queen", "king",
)  # fmt: skip
_RANK_WORDS = {
    "ace": "Ace", "2": "Two", "3": "Three", "4": "Four", "5": "Five", "6": "Six", "7": "Seven",
    "8": "Eight", "9": "Nine", "10": "Ten", "page": "Page", "knight": "Knight", "queen": "Queen",
    "king": "King",
}  # fmt: skip
_SUIT_ALIASES = {
    "wands": "wands", "wand": "wands", "rods": "wands", "staves": "wands", "batons": "wands",
    "cups": "cups", "cup": "cups", "chalices": "cups",
    "swords": "swords", "sword": "swords", "blades": "swords",
    "pentacles": "pentacles", "pentacle": "pentacles", "coins": "pentacles", "disks": "pentacles",
    "discs": "pentacles",
}  # fmt: skip
_RANK_ALIASES = {
    "1": "ace", "one": "ace", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "11": "page", "12": "knight",
    "13": "queen", "14": "king", "princess": "page", "prince": "knight", "jack": "page",
}  # fmt: skip
_MAJOR_ALIASES = {
    "judgment": "judgement", "the-wheel-of-fortune": "wheel-of-fortune", "lust": "strength",
    "adjustment": "justice", "the-strength": "strength", "the-justice": "justice",
    "the-judgement": "judgement", "the-judgment": "judgement", "the-last-judgement": "judgement",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Card:
    """One card of the deck; `index` is its place in the canonical order (0..77)."""

    index: int
    name: str
    arcana: str
    suit: str | None = None
    rank: str | None = None
    number: int | None = None

    @property
    def entity(self) -> str:
        """The language-neutral id of this card (without the language segment)."""
        if self.arcana == "major":
            return normalize("tarot", "major", str(self.number), self.name)
        return normalize("tarot", "minor", str(self.suit), str(self.rank), self.name)

    def doc_id(self, lang: str) -> str:
        return normalize(self.entity, lang)


def _build_deck() -> tuple[Card, ...]:
    cards = [Card(i, name, "major", number=i) for i, name in enumerate(MAJOR_ARCANA)]
    for suit in SUITS:
        for rank in RANKS:
            name = f"{_RANK_WORDS[rank]} of {suit.capitalize()}"
            cards.append(Card(len(cards), name, "minor", suit=suit, rank=rank))
    return tuple(cards)


DECK: tuple[Card, ...] = _build_deck()
_BY_SLUG = {slug(card.name): card for card in DECK}
_BY_ENTITY = {card.entity: card for card in DECK}


def card_by_entity(entity: str) -> Card | None:
    return _BY_ENTITY.get(entity)


def canonical_suit(value: object) -> str | None:
    return _SUIT_ALIASES.get(slug(str(value))) if value is not None else None


def canonical_rank(value: object) -> str | None:
    if value is None:
        return None
    key = slug(str(value))
    key = _RANK_ALIASES.get(key, key)
    return key if key in RANKS else None


def resolve_card(
    *, name: str | None = None, suit: object = None, rank: object = None, number: object = None
) -> Card | None:
    """Find the canonical card a source describes, whatever its spelling of suit and rank.

    Returns None when nothing matches (a card from another deck, say).
    """
    suit_key = canonical_suit(suit)
    rank_key = canonical_rank(rank)
    if suit_key and rank_key:
        return DECK[22 + SUITS.index(suit_key) * 14 + RANKS.index(rank_key)]
    is_major = slug(str(suit)) in {"major", "trumps", "major-arcana"} if suit else False
    major_number = number if number is not None else (rank if is_major else None)
    if major_number is not None and str(major_number).isdigit():
        n = int(str(major_number))
        if 0 <= n < len(MAJOR_ARCANA):
            return DECK[n]
    if name:
        key = slug(name)
        key = _MAJOR_ALIASES.get(key, key)
        return _BY_SLUG.get(key) or _BY_SLUG.get(f"the-{key}")
    return None


@dataclass(frozen=True, slots=True)
class DrawnCard:
    position: Position
    position_index: int
    card: Card
    reversed: bool

    @property
    def orientation(self) -> str:
        return "reversed" if self.reversed else "upright"


def draw(
    spread: Spread, *, seed: int | None = None, reversal_probability: float = 0.5
) -> list[DrawnCard]:
    """Draw one card per position, without repetition.

    Without a seed the draw uses the operating system's randomness (`secrets.SystemRandom`);
    with a seed it is reproducible.
    """
    if not 0.0 <= reversal_probability <= 1.0:
        raise ValueError("reversal_probability must lie between 0 and 1")
    rng: random.Random = secrets.SystemRandom() if seed is None else random.Random(seed)
    cards: Sequence[Card] = rng.sample(DECK, len(spread.positions))
    return [
        DrawnCard(position, i, card, rng.random() < reversal_probability)
        for i, (position, card) in enumerate(zip(spread.positions, cards, strict=True))
    ]


__all__ = [
    "DECK", "SPREADS", "Card", "DrawnCard", "Position", "Spread", "UnknownSpread", "draw",
    "get_spread", "resolve_card",
]  # fmt: skip
