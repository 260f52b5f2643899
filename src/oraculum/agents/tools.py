"""The MCP tools: routes of the API's one table (api/http/routes.py), called as the HTTP API
calls them.

A tool's input schema is the route's own pydantic model (its body, or its query with the path
parameters beside it), and that model validates the arguments, so the limits and the messages
are the API's. Its result is the JSON the HTTP endpoint answers, as structured content (the
route's response model is the output schema), with a short text for clients that read only
text. A failure the API would answer with problem+json is a tool error with the same title and
detail (errors.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, create_model

from oraculum import observability
from oraculum.agents.errors import EXPECTED, problem_of, tool_error
from oraculum.agents.texts import summary
from oraculum.api.http.routes import Route, all_routes
from oraculum.api.http.services import ApiServices


@dataclass(frozen=True)
class ToolSpec:
    name: str
    route: str  # the route's name in the table (its OpenAPI operation)
    title: str
    description: str


TOOLS = (
    ToolSpec("tarot_reading", "create_tarot_reading", "Tarot reading",
             "Draw a tarot spread for a question and read it from the knowledge base, citing "
             "the passages it used (sources). The same seed draws the same cards; lang is en or "
             "vi. The spreads are the resource oraculum://spreads."),
    ToolSpec("horoscope", "get_horoscope", "Horoscope",
             "The horoscope of a sun sign for a day (default: today in tz), with the week's "
             "events, or a week's or a month's outlook; read from the sky and the knowledge "
             "base, with its sources."),
    ToolSpec("natal_chart", "create_natal", "Natal chart",
             "A natal chart and its reading from a birth date, with the birth time and place "
             "when known (without them: no rising sign and no houses): the big three, the "
             "placements, houses and aspects, and the reading's sources."),
    ToolSpec("sky", "get_sky", "The sky on a day",
             "Where the Sun, the Moon and the planets stand on a day (default: today in tz), "
             "their signs, retrogrades and the Moon's phase."),
    ToolSpec("sky_events", "get_sky_events", "Sky events",
             "The sky's events over local days from start (default: today in tz): ingresses, "
             "stations, lunations and eclipses, worded in lang."),
    ToolSpec("search_knowledge", "search", "Search the knowledge base",
             "Search the knowledge base (tarot cards, spreads, signs, planets, houses, aspects) "
             "by meaning and by words (mode: hybrid, dense or lexical), in English or "
             "Vietnamese; lang shows hits in that language where a translation exists. Each "
             "hit has its chunk id, title and a snippet."),
)  # fmt: skip


class _AsSent(ArgModelBase):
    """Takes the arguments as sent and hands them on: the route's model validates them, so a
    bad one gets the API's message, not the SDK's."""

    model_config = ConfigDict(extra="allow")

    def model_dump_one_level(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


def input_model(route: Route, name: str) -> type[BaseModel]:
    """The route's body or query model, with its path parameters (the horoscope's sign) added."""
    base = route.body or route.query
    if base is None:
        raise ValueError(f"route {route.name} takes no input model")
    if route.params is None:
        return base
    fields: dict[str, Any] = {
        key: (field.annotation, field) for key, field in route.params.model_fields.items()
    }
    return create_model(f"{name}_input", __base__=base, **fields)


def _call(route: Route, runtime: ApiServices, request: BaseModel) -> Any:
    """The route's own call, with the arguments in the order the route table gives them."""
    args: list[Any] = []
    if route.params is not None:
        args.append({key: getattr(request, key) for key in route.params.model_fields})
    args.append(request)
    return route.call(runtime, *args)


def route_tool(spec: ToolSpec, route: Route, runtime: ApiServices) -> Tool:
    model = input_model(route, spec.name)
    response = route.response
    if response is None:
        raise ValueError(f"route {route.name} does not answer JSON")

    def run(**arguments: Any) -> CallToolResult:
        try:
            answer = _call(route, runtime, model.model_validate(arguments))
        except EXPECTED as exc:
            return tool_error(problem_of(exc))
        finally:
            observability.flush()  # the reading's metrics, as after an HTTP request
        # serialised through the response model, as FastAPI serialises the HTTP answer
        data = response.model_validate(answer).model_dump(mode="json")
        text = TextContent(type="text", text=summary(spec.name, data))
        return CallToolResult(content=[text], structured_content=data)

    run.__name__ = spec.name
    metadata = FuncMetadata(
        arg_model=_AsSent,
        output_model=response,
        output_schema=response.model_json_schema(mode="serialization"),
    )
    return Tool(
        fn=run,
        name=spec.name,
        title=spec.title,
        description=spec.description,
        parameters=model.model_json_schema(),
        fn_metadata=metadata,
        is_async=False,  # the SDK runs it on a worker thread, as uvicorn runs the routes
        annotations=ToolAnnotations(title=spec.title, read_only_hint=True, open_world_hint=False),
    )


def tools(runtime: ApiServices) -> list[Tool]:
    by_name = {route.name: route for route in all_routes()}
    return [route_tool(spec, by_name[spec.route], runtime) for spec in TOOLS]
