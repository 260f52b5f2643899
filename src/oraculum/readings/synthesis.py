"""The cards read together, by stated rules, without a model.

Every sentence comes from one of these rules (docs/readings.md states them for readers) or
quotes a passage with its id:

- **Elements**: each card's element (a suit's, or a major's astrological attribution, from the
  base). An element *leads* when it holds at least half the cards (and two or more); in a spread
  of five or more, an element with no card is *missing*; otherwise the elements are balanced.
- **Major Arcana**: none (the matter is in everyday choices), some (named), or most.
- **Reversals**: none, some (named), or most.
- **Court cards** may stand for people: named, with their first keywords.
- **Numbers**: a rank that appears twice or more (aces, twos … kings) carries its meaning.
- **Challenge and outcome**: their elements' relation (elemental dignities): the same element,
  friendly (fire–air, water–earth), opposed (fire–water, air–earth), or neutral.
- **The answer**: the answering position's card (the outcome; the card of a single draw)
  and the share of upright cards: favourable when the card is upright and at least half the
  cards are; cautious when the card is reversed and fewer than half are upright; else mixed.
  It closes with that card's advice for the question, quoted. A yes/no spread counts by its
  own rule (upright yes, reversed no, a Major Arcana card twice); a two-paths spread compares
  the two outcomes the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from oraculum.domain.tarot import DrawnCard, Spread
from oraculum.readings.words import Words

FRIENDLY = {frozenset(("fire", "air")), frozenset(("water", "earth"))}
OPPOSED = {frozenset(("fire", "water")), frozenset(("air", "earth"))}
CHALLENGES = ("challenge", "obstacles", "the-challenge")
OUTCOMES = ("outcome", "where-it-is-heading")


@dataclass(frozen=True)
class ReadCard:
    """A drawn card with what the base says of it, in the reading's language."""

    drawn: DrawnCard
    name: str  # as the reader sees it
    element: str | None  # fire, water, air, earth
    keywords: tuple[str, ...]  # of its orientation
    advice: str = ""  # its advice for this orientation
    advice_id: str = ""

    @property
    def reversed(self) -> bool:
        return self.drawn.reversed

    @property
    def major(self) -> bool:
        return self.drawn.card.arcana == "major"

    @property
    def weight(self) -> int:
        """Its vote in a yes/no count: a Major Arcana card counts twice."""
        return (2 if self.major else 1) * (-1 if self.reversed else 1)


@dataclass(frozen=True)
class Synthesis:
    sentences: tuple[str, ...]
    answer: str
    lean: str  # favourable | mixed | cautious | yes | no | unclear | path-a | path-b | even


def _names(cards: list[ReadCard], w: Words) -> str:
    return w.join([c.name for c in cards])


def elements(cards: list[ReadCard], w: Words) -> list[str]:
    counted = Counter(c.element for c in cards if c.element)
    total = len(cards)
    out = []
    for element, n in counted.most_common():
        if n >= 2 and n * 2 >= total:
            held = [c for c in cards if c.element == element]
            out.append(w.synthesis["element_leads"].format(
                element=w.elements[element], n=n, total=total, cards=_names(held, w),
                meaning=w.element_leads[element],
            ))  # fmt: skip
    if total >= 5:
        for element in ("fire", "water", "air", "earth"):
            if element not in counted:
                out.append(w.synthesis["element_missing"].format(
                    element=w.elements[element], meaning=w.element_missing[element]
                ))  # fmt: skip
    if not out and total >= 3:
        out.append(w.synthesis["elements_balanced"])
    return out


def share(held: int, total: int) -> str:
    """How many of the cards a rule counts: all, most (more than half), one, or some."""
    if held == total:
        return "all"
    if held * 2 > total:
        return "most"
    return "one" if held == 1 else "some"


def arcana(cards: list[ReadCard], w: Words) -> list[str]:
    majors = [c for c in cards if c.major]
    total = len(cards)
    if total == 1:
        return [w.synthesis["single_major" if majors else "single_minor"]]
    if not majors:
        return [w.synthesis["no_majors"]]
    key = f"{share(len(majors), total)}_majors"
    return [w.synthesis[key].format(n=len(majors), total=total, cards=_names(majors, w))]


def reversals(cards: list[ReadCard], w: Words) -> list[str]:
    turned = [c for c in cards if c.reversed]
    total = len(cards)
    if total == 1:
        return []
    if not turned:
        return [w.synthesis["none_reversed"]]
    key = f"{share(len(turned), total)}_reversed"
    return [w.synthesis[key].format(n=len(turned), total=total, cards=_names(turned, w))]


def courts(cards: list[ReadCard], w: Words) -> list[str]:
    return [
        w.synthesis["court"].format(
            card=w.the(c.name, start=True), traits=w.join(list(c.keywords[:2]))
        )
        for c in cards
        if c.drawn.card.rank in ("page", "knight", "queen", "king") and c.keywords
    ]


def numbers(cards: list[ReadCard], w: Words) -> list[str]:
    ranks = Counter(c.drawn.card.rank for c in cards if c.drawn.card.rank)
    out = []
    for rank, n in ranks.most_common():
        if n >= 2:
            held = [c for c in cards if c.drawn.card.rank == rank]
            out.append(w.synthesis["repeated"].format(
                ranks=w.rank_plural[rank], cards=_names(held, w), meaning=w.rank_meaning[rank]
            ))  # fmt: skip
    return out


def _at(cards: list[ReadCard], keys: tuple[str, ...]) -> ReadCard | None:
    return next((c for c in cards if c.drawn.position.key in keys), None)


def challenge_and_outcome(cards: list[ReadCard], w: Words) -> list[str]:
    challenge, outcome = _at(cards, CHALLENGES), _at(cards, OUTCOMES)
    if not (challenge and outcome and challenge.element and outcome.element):
        return []
    pair = frozenset((challenge.element, outcome.element))
    relation = (
        "same" if len(pair) == 1 else
        "friendly" if pair in FRIENDLY else
        "opposed" if pair in OPPOSED else "neutral"
    )  # fmt: skip
    return [w.synthesis["dignity"].format(
        challenge=challenge.name, e1=w.elements[challenge.element],
        outcome=outcome.name, e2=w.elements[outcome.element], relation=w.relations[relation],
    )]  # fmt: skip


def _advice(card: ReadCard, w: Words) -> str:
    if not card.advice:
        return ""
    advice = w.synthesis["advice"].format(
        card=w.the(card.name), advice=card.advice, id=card.advice_id
    )
    return f" {advice}"


def answer(cards: list[ReadCard], spread: Spread, focus: str, lang_words: Words) -> tuple[str, str]:
    w = lang_words
    opening = w.focus_answer[focus]
    if spread.id == "yes-no":
        yes = sum(c.weight for c in cards if c.weight > 0)
        no = -sum(c.weight for c in cards if c.weight < 0)
        lean = "yes" if yes > no else "no" if no > yes else "unclear"
        text = w.synthesis["yes_no"].format(yes=yes, no=no, verdict=w.leans[lean])
        return lean, f"{opening} {text}{_advice(cards[-1], w)}"
    if spread.compare:
        scored = []
        for path_key, outcome_key in spread.compare:
            path = [c for c in cards if c.drawn.position.key in (path_key, outcome_key)]
            scored.append((sum(c.weight for c in path), path))
        (a, path_a), (b, path_b) = scored[:2]
        lean = "path-a" if a > b else "path-b" if b > a else "even"
        better = path_a if a >= b else path_b
        text = w.synthesis["paths"].format(
            a=_names(path_a, w), b=_names(path_b, w), verdict=w.leans[lean]
        )
        return lean, f"{opening} {text}{_advice(better[-1], w)}"
    key = spread.answering.key if spread.answering else spread.positions[-1].key
    card = next(c for c in cards if c.drawn.position.key == key)
    upright = sum(not c.reversed for c in cards)
    total = len(cards)
    if not card.reversed and upright * 2 >= total:
        lean = "favourable"
    elif card.reversed and upright * 2 < total:
        lean = "cautious"
    else:
        lean = "mixed"
    text = w.synthesis["lean"].format(
        verdict=w.leans[lean], card=w.the(card.name), position=card.drawn.position.name_in(w.lang),
        orientation=w.orientation[card.drawn.orientation], n=upright, total=total,
    )  # fmt: skip
    return lean, f"{opening} {text}{_advice(card, w)}"


def synthesize(cards: list[ReadCard], spread: Spread, focus: str, w: Words) -> Synthesis:
    sentences = [
        *elements(cards, w),
        *arcana(cards, w),
        *reversals(cards, w),
        *courts(cards, w),
        *numbers(cards, w),
        *challenge_and_outcome(cards, w),
    ]
    lean, text = answer(cards, spread, focus, w)
    return Synthesis(tuple(sentences), text, lean)
