"""The MCP resources: the spreads and the deck, as the API's GET routes answer them.

- oraculum://spreads and oraculum://spreads?lang=vi: every spread and its positions;
- oraculum://spreads/{spread_id}{?lang}: one spread;
- oraculum://deck: the 78 cards; oraculum://deck/{card_id}{?lang}: one card's text from the
  knowledge base (GET /v1/tarot/cards/{card_id}).
"""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.resources import FunctionResource, Resource
from pydantic import BaseModel, ValidationError

from oraculum.agents.errors import EXPECTED, problem_of, resource_error
from oraculum.api.http.endpoints import tarot
from oraculum.api.http.problems import Problem
from oraculum.api.http.schemas import CardQuery, SpreadOut
from oraculum.api.http.services import ApiServices
from oraculum.domain.tarot import SPREADS

JSON = "application/json"


def _query(lang: str) -> CardQuery:
    try:
        return CardQuery.model_validate({"lang": lang})
    except ValidationError as exc:
        raise resource_error(problem_of(exc)) from None


def _json(model: BaseModel) -> str:
    return model.model_dump_json()


def _spread_list(lang: str) -> FunctionResource:
    suffix = "" if lang == "en" else f"?lang={lang}"
    return FunctionResource.from_function(
        lambda: _json(tarot.list_spreads(CardQuery(lang=lang))),
        uri=f"oraculum://spreads{suffix}",
        name=f"spreads-{lang}",
        title=f"Tarot spreads ({lang})",
        description="Every spread, its positions and what each asks of its card; the position "
        "marked `answers` answers the question.",
        mime_type=JSON,
    )


def static_resources() -> list[Resource]:
    deck = FunctionResource.from_function(
        lambda: _json(tarot.list_cards()),
        uri="oraculum://deck",
        name="deck",
        title="The tarot deck",
        description="The 78 cards: id, name, arcana, suit, rank and number.",
        mime_type=JSON,
    )
    return [_spread_list("en"), _spread_list("vi"), deck]


def register_templates(server: MCPServer, runtime: ApiServices) -> None:
    @server.resource(
        "oraculum://spreads/{spread_id}{?lang}",
        name="spread",
        title="A tarot spread",
        description="One spread and its positions, in en or vi (lang).",
        mime_type=JSON,
    )
    def spread(spread_id: str, lang: str = "en") -> str:
        query = _query(lang)
        found = SPREADS.get(spread_id)
        if found is None:
            problem = Problem(404, "not-found", f"no spread {spread_id!r}; oraculum://spreads "
                              "lists them")  # fmt: skip
            raise resource_error(problem)
        return _json(SpreadOut(**found.as_dict(query.lang)))

    @server.resource(
        "oraculum://deck/{card_id}{?lang}",
        name="card",
        title="A tarot card",
        description="One card's passages from the knowledge base (meanings upright and "
        "reversed, by facet), each with its chunk id, in en or vi (lang).",
        mime_type=JSON,
    )
    def card(card_id: str, lang: str = "en") -> str:
        query = _query(lang)
        try:
            return _json(tarot.get_card(runtime, card_id, query))
        except EXPECTED as exc:
            raise resource_error(problem_of(exc)) from None
