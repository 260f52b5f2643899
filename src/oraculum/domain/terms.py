"""The words of a text as term search sees them, in any language.

Vietnamese is written in syllables separated by spaces ("ảo tưởng" is one word of two
syllables), and many readers type it without diacritics ("ao tuong"). So a text is indexed
twice: as written (case-folded, diacritics kept, so "tướng" and "tượng" stay apart) and folded
to ASCII; and a query asks for its words and for each pair of neighbouring words as a phrase,
which is how a two-syllable word outranks its syllables found apart.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from oraculum.domain.ids import fold

_WORD = re.compile(r"\w+")
MAX_QUERY_WORDS = 32


def words(text: str) -> list[str]:
    """The words of `text`, case-folded, diacritics kept (NFC)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def folded(text: str) -> str:
    """`text` as its folded words, space separated (the second field of the index)."""
    return " ".join(_WORD.findall(fold(text)))


def query_words(text: str) -> list[str]:
    """The distinct words of a query, in order, at most MAX_QUERY_WORDS of them."""
    seen: dict[str, None] = {}
    for word in words(text):
        seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_WORDS]


def pairs(items: list[str]) -> list[str]:
    """Each two neighbouring words as one phrase ("ảo tưởng", "celtic cross")."""
    return [f"{a} {b}" for a, b in itertools.pairwise(items)]


def keywords_text(metadata: Mapping[str, Any]) -> str:
    """A record's keywords, upright and reversed (a card's), as one text to index."""
    out: list[str] = []
    for key in ("keywords", "keywords_reversed"):
        found = metadata.get(key)
        if isinstance(found, list):
            out.extend(str(k) for k in found)
        elif isinstance(found, str):
            out.append(found)
    return " ".join(out)
