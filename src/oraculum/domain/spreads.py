"""The spreads: their positions, what each position is called and how a reading opens it, in
every language the readings speak; and the rule of a spread that answers yes or no.

The definitions live in `data/spreads.json`, one place for the names a user sees; the meaning of
each position, which a reading cites, lives in the knowledge base (`spread/<id>` records,
sections `position-1` … `position-N`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from oraculum.domain.errors import OraculumError


@dataclass(frozen=True, slots=True)
class Position:
    """One place in a spread. `key` is its id (`challenge`); `names` and `leads` are what a
    reader sees in each language ("Challenge"; "As the challenge")."""

    key: str
    names: tuple[tuple[str, str], ...]
    leads: tuple[tuple[str, str], ...]
    answers: bool = False  # the position that answers the question (the outcome)

    @property
    def name(self) -> str:
        """The English name, as the spreads have always been written."""
        return self.name_in("en")

    def name_in(self, lang: str) -> str:
        return dict(self.names).get(lang) or dict(self.names)["en"]

    def lead_in(self, lang: str) -> str:
        return dict(self.leads).get(lang) or dict(self.leads)["en"]


@dataclass(frozen=True, slots=True)
class Spread:
    id: str
    names: tuple[tuple[str, str], ...]
    positions: tuple[Position, ...]
    compare: tuple[tuple[str, str], ...] = ()  # (path, its outcome) pairs a decision weighs

    @property
    def name(self) -> str:
        return self.name_in("en")

    def name_in(self, lang: str) -> str:
        return dict(self.names).get(lang) or dict(self.names)["en"]

    @property
    def position_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.positions)

    def position(self, key: str) -> Position | None:
        return next((p for p in self.positions if p.key == key), None)

    @property
    def answering(self) -> Position | None:
        """The position whose card answers the question, when the spread has one."""
        return next((p for p in self.positions if p.answers), None)

    def as_dict(self, lang: str) -> dict[str, Any]:
        """The spread as a listing shows it, named in `lang`."""
        details = [
            {"key": p.key, "name": p.name_in(lang), "lead": p.lead_in(lang), "answers": p.answers}
            for p in self.positions
        ]
        return {"id": self.id, "name": self.name_in(lang), "lang": lang,
                "positions": [d["name"] for d in details], "position_details": details}  # fmt: skip

    @property
    def entity(self) -> str:
        """The knowledge-base entity holding the spread's description and position meanings."""
        return f"spread/{self.id}"


class UnknownSpread(OraculumError):
    def __init__(self, spread: str) -> None:
        self.spread = spread
        super().__init__(f"unknown spread {spread!r}; choose one of {', '.join(SPREADS)}")


def _pairs(value: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(value.items()))


def _load() -> dict[str, Spread]:
    raw = json.loads(
        resources.files("oraculum.domain").joinpath("data/spreads.json").read_text("utf-8")
    )
    spreads: dict[str, Spread] = {}
    for s in raw:
        positions = tuple(
            Position(p["key"], _pairs(p["name"]), _pairs(p["lead"]), bool(p.get("answers")))
            for p in s["positions"]
        )
        compare = tuple((a, b) for a, b in s.get("compare", ()))
        spreads[s["id"]] = Spread(s["id"], _pairs(s["name"]), positions, compare)
    return spreads


SPREADS: dict[str, Spread] = _load()


def get_spread(spread_id: str) -> Spread:
    try:
        return SPREADS[spread_id]
    except KeyError:
        raise UnknownSpread(spread_id) from None
