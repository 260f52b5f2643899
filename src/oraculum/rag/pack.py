"""Pack retrieved passages into a context that fits a token budget.

Every group keeps its first passage (a drawn card's meaning, the sign's profile), shortened at
a sentence boundary if it must be; the remaining budget goes to the other passages in order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from oraculum.ports import ContextGroup, ContextItem

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def estimate_tokens(text: str) -> int:
    """About four UTF-8 bytes a token: English BPE averages ~4 characters a token, and
    Vietnamese, whose letters take two or three bytes, costs more tokens per character."""
    return math.ceil(len(text.encode()) / 4)


def shorten(text: str, max_tokens: int) -> str:
    """Whole sentences up to `max_tokens`; at least the first words of the first sentence."""
    if estimate_tokens(text) <= max_tokens:
        return text
    out = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{out} {sentence}".strip()
        if estimate_tokens(candidate) > max_tokens:
            break
        out = candidate
    if not out:
        budget = max_tokens * 4
        out = text.encode()[:budget].decode(errors="ignore").rsplit(" ", 1)[0] + "…"
    return out


@dataclass(frozen=True)
class PackedContext:
    groups: tuple[ContextGroup, ...]
    tokens: int
    dropped: tuple[str, ...]

    @property
    def ids(self) -> list[str]:
        return [item.id for group in self.groups for item in group.items]


def _cost(item: ContextItem) -> int:
    return estimate_tokens(item.text) + estimate_tokens(item.title) + 8


def pack(groups: list[ContextGroup], budget: int) -> PackedContext:
    kept: list[list[ContextItem]] = [[] for _ in groups]
    used = 0
    firsts = [g.items[0] for g in groups if g.items]
    share = budget // max(1, len(firsts))
    for i, group in enumerate(groups):
        if not group.items:
            continue
        first = group.items[0]
        if _cost(first) > share:
            first = replace(first, text=shorten(first.text, max(16, share - 16)))
        kept[i].append(first)
        used += _cost(first)
    dropped: list[str] = []
    for i, group in enumerate(groups):
        for item in group.items[1:]:
            if used + _cost(item) <= budget:
                kept[i].append(item)
                used += _cost(item)
            else:
                dropped.append(item.id)
    packed = tuple(replace(g, items=tuple(k)) for g, k in zip(groups, kept, strict=True))
    return PackedContext(packed, used, tuple(dropped))
