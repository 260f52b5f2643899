"""What each route does, free of any web framework: the FastAPI app (uvicorn, and Lambda
through Mangum) and the light Lambda router call the same functions with the same validated
inputs. One module per Lambda function, so a function imports only its own readings."""

from __future__ import annotations

from datetime import date
from typing import Any

from oraculum import observability
from oraculum.api.problems import Problem


def measured(answer: Any) -> dict[str, Any]:
    """The answer as a dict, its latency counted (metric ReadingLatency, by reading type)."""
    observability.count("ReadingLatency", answer.timings.total_ms, reading=answer.kind)
    return answer.as_dict()  # type: ignore[no-any-return]


def parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(
            422, "invalid-input", f"{value!r} is not a calendar date", field=field
        ) from None


def day_or_today(value: str | None, tz: str) -> date:
    """The given date, or today in the time zone tz."""
    from datetime import datetime

    from oraculum.domain.sky import zone

    return parse_day(value, "date") if value else datetime.now(zone(tz)).date()
