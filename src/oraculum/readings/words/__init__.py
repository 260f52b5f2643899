"""The words a reading is built of, one module per language: labels, body names, positions,
the synthesis sentences. Readings ask `words(lang)`; nothing else holds a phrase in a language.
Ids and enum values (`upright`, `mars`, `celtic-cross`) stay English in every language."""

from __future__ import annotations

from dataclasses import dataclass

from oraculum.domain.zodiac import SIGNS


@dataclass(frozen=True)
class Words:
    lang: str
    bodies: dict[str, str]  # sun, moon, mercury ... pluto
    in_sign: str  # "Mars in Aries"
    retrograde: str
    lit: str  # "48% lit"
    ruler_of: str  # "Mars — ruler of Aries"
    orientation: dict[str, str]  # upright, reversed
    natal: dict[str, str]  # sun, moon, rising, missing, uncertain: format strings
    and_: str  # the last joint of a list: "A, B and C"
    card_reads: str  # "{lead}, {card} {orientation} speaks of {keywords}."
    moon_today: str  # heading of today's Moon in a tarot reading
    focus_names: dict[str, str]  # love ... general, as shown
    synthesis: dict[str, str]  # the synthesis rules' sentences (readings/synthesis.py)
    elements: dict[str, str]  # fire, water, air, earth
    element_leads: dict[str, str]  # what a leading element says
    element_missing: dict[str, str]  # what a missing element says
    relations: dict[str, str]  # same, friendly, opposed, neutral (elemental dignities)
    rank_plural: dict[str, str]  # ace ... king: "Aces"
    rank_meaning: dict[str, str]  # what a repeated rank says
    focus_answer: dict[str, str]  # how the answer opens, per focus
    leans: dict[str, str]  # favourable, mixed, cautious, yes, no, unclear, path-a, path-b, even
    scope: dict[str, str]  # off-topic, harmful categories, sensitive categories
    modalities: dict[str, str]  # cardinal, fixed, mutable
    labels: dict[str, str]  # what the command line and the web page print beside the text
    events: dict[str, str]  # how each kind of sky event reads (readings/sky_events.py)
    chart: dict[str, str]  # the natal chart's sentences (readings/natal.py)
    aspects: dict[str, str]  # conjunction ... quintile
    points: dict[str, str]  # north-node, south-node, ascendant, midheaven
    compat: dict[str, str]  # the compatibility rules' sentences (readings/compatibility.py)

    def body(self, key: str) -> str:
        return self.bodies[key]

    def sign(self, key: str) -> str:
        sign = SIGNS[key]
        return sign.name_vi if self.lang == "vi" else sign.name

    def the(self, card: str, *, start: bool = False) -> str:
        """A card's name as a sentence uses it: "the Six of Cups", but "The Tower", "Death"
        ("The Six of Cups" at the start of a sentence)."""
        if self.lang != "en" or " of " not in card or card.startswith("The "):
            return card
        return f"{'The' if start else 'the'} {card}"

    def join(self, items: list[str]) -> str:
        """ "A", "A and B", "A, B and C" (in the language's words)."""
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])}{self.and_}{items[-1]}"


def words(lang: str) -> Words:
    """The words of `lang` (en, vi)."""
    if lang == "vi":
        from oraculum.readings.words.vi import WORDS
    else:
        from oraculum.readings.words.en import WORDS
    return WORDS
