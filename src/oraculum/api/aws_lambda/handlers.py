"""Lambda entry points: one per function (tarot, horoscope, ask, and the daily precompute).

API Gateway routes each HTTP function its own paths. By default each function answers
through the light router (aws_lambda/router.py: pydantic and our own code, the same endpoints and
models as the FastAPI app, without FastAPI's 0.3 s of cold start) over its own route table;
ORACULUM_LAMBDA_ROUTER=asgi serves the whole FastAPI app through Mangum instead. Importing
this module imports nothing heavy: the router, its clients and the stores are created on the
first invocation and kept for the life of the execution environment. Local-model code is
never imported here.

Fault injection (for `oraculum alarms test`): when the setting ORACULUM_FAULT_INJECTION is
true, an event carrying `"oraculumFault": "error"` makes the handler raise, so that the
function's Errors metric moves. Without that setting the flag is ignored.
"""

from __future__ import annotations

import json
import os
from typing import Any

_handlers: dict[str, Any] = {}
_runtime: Any = None


class InjectedFault(RuntimeError):
    """Raised on purpose, to prove that alarms fire."""


def _fault_requested(event: Any) -> bool:
    enabled = os.environ.get("ORACULUM_FAULT_INJECTION", "").lower() in ("1", "true", "yes")
    return enabled and isinstance(event, dict) and event.get("oraculumFault") == "error"


def _shared_runtime() -> Any:
    global _runtime
    if _runtime is None:
        from oraculum import observability
        from oraculum.api.http.services import ApiServices
        from oraculum.config import Settings

        observability.quiet_stdlib_loggers()
        _runtime = ApiServices(Settings())
    return _runtime


def _http(function: str) -> Any:
    found = _handlers.get(function)
    if found is None:
        if os.environ.get("ORACULUM_LAMBDA_ROUTER", "light").lower() == "asgi":
            from mangum import Mangum

            from oraculum.api.asgi.app import asgi

            # a Lambda function's process serves one function: its app is named after it
            found = Mangum(asgi(function=function), lifespan="off")
        else:
            from oraculum.api.aws_lambda.router import Router
            from oraculum.api.http.routes import ROUTES

            found = Router(ROUTES[function](), _shared_runtime(), function)
        _handlers[function] = found
    return found


def _serve(function: str, event: dict[str, Any], context: Any) -> dict[str, Any]:
    if _fault_requested(event):
        raise InjectedFault("fault injected on request (ORACULUM_FAULT_INJECTION is on)")
    return _http(function)(event, context)  # type: ignore[no-any-return]


def tarot(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """POST /v1/tarot/readings, GET /v1/tarot/cards[/{id}], GET /v1/tarot/spreads."""
    return _serve("tarot", event, context)


def horoscope(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """GET /v1/horoscopes/{sign}, POST /v1/horoscopes/natal, GET /v1/sky, GET /v1/sky/events."""
    return _serve("horoscope", event, context)


def ask(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """POST /v1/ask, GET /v1/search, GET /health."""
    return _serve("ask", event, context)


def precompute(event: Any, context: Any) -> dict[str, Any]:
    """The EventBridge schedule: make the day's twelve horoscopes in every language.

    The event may name the `date` (YYYY-MM-DD; default: today by the product's clock) and the
    `langs` (default: ["en", "vi"]). An event that is not that gets a 400 problem answer,
    logged, never an exception.
    """
    if _fault_requested(event):
        raise InjectedFault("fault injected on request (ORACULUM_FAULT_INJECTION is on)")
    from oraculum import observability
    from oraculum.api.http import context as http
    from oraculum.api.http.problems import MEDIA_TYPE, Problem, from_domain
    from oraculum.domain.errors import OraculumError
    from oraculum.readings.horoscope import precompute as make_day

    request_id = http.request_id(getattr(context, "aws_request_id", None), None)
    observability.bind_request(request_id, path="precompute", method="schedule")
    runtime = _shared_runtime()
    try:
        day, langs = _precompute_inputs(event, runtime.clock)
        made: dict[str, int] = {}
        with runtime.services() as services:
            for lang in langs:
                answers = make_day(day, services, lang=lang)
                made[lang] = sum(not a.cached for a in answers)
    except (Problem, OraculumError) as exc:
        problem = exc if isinstance(exc, Problem) else from_domain(exc)
        observability.logger().warning(
            "precompute refused", extra={"status": problem.status, "detail": problem.detail}
        )
        return {
            "statusCode": problem.status,
            "headers": {"content-type": MEDIA_TYPE, "x-request-id": request_id},
            "body": json.dumps(problem.body("precompute"), ensure_ascii=False),
        }
    finally:
        observability.flush()
    observability.logger().info("precomputed", extra={"date": day.isoformat(), "made": made})
    return {"date": day.isoformat(), "made": made}


def _precompute_inputs(event: Any, clock: Any) -> tuple[Any, list[str]]:
    """The day and languages a precompute event asks for, or a 400 problem naming the field."""
    from datetime import date

    from oraculum.api.http.problems import Problem
    from oraculum.clock import today
    from oraculum.rag.prompts import SUPPORTED_LANGS

    def bad(field: str, detail: str) -> Problem:
        return Problem(400, "bad-event", f"{field}: {detail}"[:300], field=field)

    if not isinstance(event, dict):
        raise bad("event", f"must be an object, not {type(event).__name__}")
    raw_day = event.get("date")
    if raw_day is None:
        day = today(clock)
    elif not isinstance(raw_day, str):
        raise bad("date", f"must be a YYYY-MM-DD string, not {type(raw_day).__name__}")
    else:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise bad("date", f"{raw_day!r} is not a calendar date (YYYY-MM-DD)") from None
    langs = event.get("langs", ["en", "vi"])
    if not isinstance(langs, list) or not langs or not all(isinstance(x, str) for x in langs):
        raise bad("langs", f'must be a list of languages such as ["en", "vi"], not {langs!r}')
    unknown = [x for x in langs if x not in SUPPORTED_LANGS]
    if unknown:
        raise bad("langs", f"{unknown[0]!r} is not supported; use {', '.join(SUPPORTED_LANGS)}")
    return day, list(dict.fromkeys(langs))


# Under SnapStart, INIT runs once per published version and is snapshotted; every cold start
# after that resumes from the snapshot. So import, during INIT, what the first request would,
# and read the sky table where the package has it (data, no connection). Clients and
# connections are made after restore, on first use, as always.
SNAPSHOT_IMPORTS = (
    "oraculum.api.aws_lambda.router", "oraculum.api.http.routes", "oraculum.config",
    "oraculum.readings.tarot", "oraculum.readings.ask", "oraculum.readings.horoscope",
    "oraculum.backends.dynamodb.store", "oraculum.backends.pinecone.index",
    "oraculum.backends.bedrock.embedder", "oraculum.backends.bedrock.generator", "boto3",
    "pinecone", "oraculum.domain.sky", "oraculum.domain.natal_chart",
)  # fmt: skip


def _import_for_snapshot() -> list[str]:
    """Import what this package holds of SNAPSHOT_IMPORTS and read its sky table; what it
    lacks (the tarot and ask functions ship no sky table) is returned, not raised."""
    import importlib

    from oraculum.domain import sky_table

    missing = []
    for name in SNAPSHOT_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    try:
        sky_table.table()
    except sky_table.SkyTableError:
        missing.append(str(sky_table.TABLE_PATH))
    return missing


if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
    _import_for_snapshot()
