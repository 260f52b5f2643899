"""Which signs suit a sign: the element and modality rules the base states
(`article/sign-compatibility`), applied to the signs a question names.

Between two signs, the distance round the zodiac decides: the same element (four signs apart,
a trine) understands most easily; complementary elements (fire–air, earth–water: two signs
apart, a sextile, or six, the opposite) feed each other; the same modality with a clashing
element (three apart, a square) sparks friction and growth; one or five apart has no classic
aspect, and the match rests on the whole chart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oraculum.domain.ids import slug
from oraculum.domain.zodiac import SIGN_KEYS, SIGNS, Sign, get_sign, sign_names
from oraculum.readings.focus import fold, matches, word_pattern

ARTICLE = "article/sign-compatibility"
_ASKS = word_pattern([
    "compatible", "compatibility", "match", "good match", "get along", "suit", "suits",
    "good with", "go with", "love match", "soulmate sign", "best sign for", "date",
    "good together", "yêu nhau", "đến với nhau", "về chung một nhà",
    "hợp", "hợp với", "hợp nhau", "tương hợp", "hòa hợp", "xứng đôi", "hợp cạ", "hợp tuổi",
])  # fmt: skip
_NAMES = sign_names()  # the names get_sign knows, Vietnamese aliases included
_FIND = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(sorted(map(re.escape, _NAMES), key=len, reverse=True))
    + r")(?![a-z0-9])"
)


@dataclass(frozen=True)
class Match:
    sign: Sign
    other: Sign | None  # the second sign, when the question names two


def asked(question: str) -> Match | None:
    """The sign(s) a compatibility question names, or None when it is not one."""
    if not matches(_ASKS, fold(question)):
        return None
    found = [_NAMES[m.group(1)] for m in _FIND.finditer(slug(question))]
    if not found:
        return None
    named = list(dict.fromkeys(found))
    return Match(get_sign(named[0]), get_sign(named[1]) if len(named) > 1 else None)


def distance(a: Sign, b: Sign) -> int:
    d = (b.index - a.index) % 12
    return min(d, 12 - d)


RELATION = {0: "same", 1: "none", 2: "sextile", 3: "square", 4: "trine", 5: "none", 6: "opposite"}


def relation(a: Sign, b: Sign) -> str:
    """same | trine | sextile | opposite | square | none."""
    return RELATION[distance(a, b)]


def at(sign: Sign, kind: str) -> list[Sign]:
    return [
        SIGNS[k] for k in SIGN_KEYS if SIGNS[k] is not sign and relation(sign, SIGNS[k]) == kind
    ]


def best(sign: Sign) -> list[Sign]:
    """The signs most at ease with `sign` by the rules: its element, then its complements."""
    return at(sign, "trine") + at(sign, "sextile") + at(sign, "opposite")
