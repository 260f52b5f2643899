"""The synthesis rules on chosen cards: each sentence from one stated rule, the answer by its
rule (readings/synthesis.py)."""

from __future__ import annotations

from oraculum.domain.tarot import DECK, DrawnCard, get_spread, resolve_card
from oraculum.readings.synthesis import ReadCard, synthesize
from oraculum.readings.words import words

ELEMENT = {"wands": "fire", "cups": "water", "swords": "air", "pentacles": "earth"}


def read(spread_id: str, *cards: tuple[str, bool]) -> list[ReadCard]:
    spread = get_spread(spread_id)
    out = []
    for i, (name, turned) in enumerate(cards):
        card = resolve_card(name=name)
        assert card is not None, name
        element = ELEMENT.get(card.suit or "", "air" if card.arcana == "major" else None)
        out.append(ReadCard(DrawnCard(spread.positions[i], i, card, turned), card.name, element,
                            ("kw1", "kw2", "kw3"), f"Advice of {card.name}.", f"id/{i}"))  # fmt: skip
    return out


def test_a_celtic_cross_read_together():
    cards = read(
        "celtic-cross",
        ("Three of Wands", False), ("Five of Swords", True), ("Knight of Wands", False),
        ("Three of Cups", False), ("The Star", False), ("Ace of Wands", False),
        ("Queen of Wands", True), ("Six of Wands", False), ("Eight of Wands", False),
        ("Ten of Pentacles", False),
    )  # fmt: skip
    s = synthesize(cards, get_spread("celtic-cross"), "work", words("en"))
    text = "\n".join(s.sentences)
    assert "Fire leads (6 of 10 cards: Three of Wands, Knight of Wands, Ace of Wands" in text
    assert (
        "No Major Arcana" not in text and "1 of 10 cards is a Major Arcana card (The Star)" in text
    )
    assert "2 of 10 cards are reversed (Five of Swords and Queen of Wands)" in text
    assert "The Knight of Wands may stand for a person in the matter (kw1 and kw2)" in text
    assert "Threes repeat (Three of Wands and Three of Cups)" in text
    # Five of Swords (air) as the challenge, Ten of Pentacles (earth) as the outcome
    assert "The challenge, Five of Swords (Air), and the outcome, Ten of Pentacles (Earth): " \
        "opposing elements" in text  # fmt: skip
    assert s.lean == "favourable"
    assert s.answer.startswith("For your work question: the cards lean favourable: the Ten "
                               "of Pentacles stands upright as the Outcome, and 8 of 10")  # fmt: skip
    assert s.answer.endswith(
        "The advice of the Ten of Pentacles: Advice of Ten of Pentacles. [id/9]"
    )


def test_missing_elements_are_named_only_in_bigger_spreads():
    five = read("relationship", *[(n, False) for n in ("Two of Cups", "Ace of Cups",
                "Ten of Cups", "Page of Cups", "Three of Wands")])  # fmt: skip
    text = "\n".join(synthesize(five, get_spread("relationship"), "love", words("en")).sentences)
    assert "No Air card" in text and "No Earth card" in text and "Water leads (4 of 5" in text
    three = read(
        "three-card", ("Two of Cups", False), ("Ace of Cups", False), ("Ten of Cups", False)
    )
    text = "\n".join(synthesize(three, get_spread("three-card"), "love", words("en")).sentences)
    assert "No Air card" not in text and "Every card stands upright" in text


def test_a_reversed_outcome_among_reversed_cards_counsels_caution_in_vietnamese():
    cards = read("three-card", ("The Tower", True), ("Five of Pentacles", True), ("Death", True))
    s = synthesize(cards, get_spread("three-card"), "money", words("vi"))
    assert s.lean == "cautious"
    assert s.answer.startswith("Về tài chính: các lá bài khuyên bạn thận trọng")
    assert "Tất cả các lá đều ngược" in "\n".join(s.sentences)
    assert "2 trong 3 lá" in "\n".join(s.sentences)  # "trong", as a Vietnamese reader says it


def test_yes_no_counts_by_its_stated_rule():
    # The Sun upright (+2), Five of Cups reversed (-1), Eight of Swords reversed (-1): 2 to 2
    cards = read("yes-no", ("The Sun", False), ("Five of Cups", True), ("Eight of Swords", True))
    s = synthesize(cards, get_spread("yes-no"), "decision", words("en"))
    assert s.lean == "unclear"
    assert "the count is 2 yes to 2 no: not clear yet" in s.answer
    cards = read("yes-no", ("The Sun", False), ("Five of Cups", False), ("Eight of Swords", True))
    assert synthesize(cards, get_spread("yes-no"), "decision", words("en")).lean == "yes"


def test_two_paths_compares_the_paths():
    cards = read(
        "two-paths", ("Two of Swords", False), ("Ace of Pentacles", False),
        ("The World", False), ("Seven of Cups", True), ("Five of Wands", True),
    )  # fmt: skip
    s = synthesize(cards, get_spread("two-paths"), "decision", words("en"))
    assert s.lean == "path-a" and "the first path looks the easier road" in s.answer
    assert s.answer.endswith("[id/2]")  # the advice of the better path's outcome


def test_every_card_of_the_deck_can_be_named_in_a_sentence():
    en = words("en")
    assert en.the("Six of Cups") == "the Six of Cups" and en.the("The Tower") == "The Tower"
    assert words("vi").the("Sáu Cốc") == "Sáu Cốc"
    assert len(DECK) == 78
