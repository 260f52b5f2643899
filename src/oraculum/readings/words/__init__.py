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
    positions: dict[str, str]  # a spread's position names (English ids) as shown
    question_context: str  # the heading of passages found for the question
    natal: dict[str, str]  # sun, moon, rising, missing, uncertain: format strings
    synthesis: dict[str, str]  # majors, no_majors, reversed: format strings
    suit_leads: dict[str, str]  # wands, cups, swords, pentacles

    def body(self, key: str) -> str:
        return self.bodies[key]

    def sign(self, key: str) -> str:
        sign = SIGNS[key]
        return sign.name_vi if self.lang == "vi" else sign.name

    def position(self, name: str) -> str:
        return self.positions.get(name, name)


def words(lang: str) -> Words:
    """The words of `lang` (en, vi)."""
    if lang == "vi":
        from oraculum.readings.words.vi import WORDS
    else:
        from oraculum.readings.words.en import WORDS
    return WORDS
