import json
from pathlib import Path

import pytest

from oraculum.domain.tarot import DECK, SPREADS, draw, get_spread, resolve_card

DATASETS = Path(__file__).resolve().parents[2] / "examples" / "datasets"


def test_deck_has_78_distinct_cards():
    assert len(DECK) == 78
    assert len({c.entity for c in DECK}) == 78
    assert sum(c.arcana == "major" for c in DECK) == 22


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"suit": "coins", "rank": 1}, "Ace of Pentacles"),
        ({"suit": "Cups", "rank": "King"}, "King of Cups"),
        ({"suit": "major", "rank": 10}, "Wheel of Fortune"),
        ({"name": "Judgment"}, "Judgement"),
        ({"name": "The Wheel of Fortune"}, "Wheel of Fortune"),
        ({"suit": "swords", "rank": "ten"}, "Ten of Swords"),
    ],
)
def test_resolve_spellings(kwargs, name):
    card = resolve_card(**kwargs)
    assert card is not None and card.name == name


def test_unknown_card_resolves_to_none():
    assert resolve_card(name="The Dragon") is None


def test_every_card_of_an_outside_corpus_resolves_to_a_distinct_card():
    cards = json.loads((DATASETS / "corpora-tarot_interpretations.json").read_text())
    found = {
        resolve_card(name=c["name"], suit=c["suit"], rank=c["rank"])
        for c in cards["tarot_interpretations"]
    }
    assert None not in found and len(found) == 78


def test_seeded_draws_repeat_and_never_repeat_a_card():
    spread = get_spread("celtic-cross")
    first, second = draw(spread, seed=7), draw(spread, seed=7)
    assert first == second
    assert len({d.card for d in first}) == 10
    assert [d.position for d in first] == list(SPREADS["celtic-cross"].positions)
