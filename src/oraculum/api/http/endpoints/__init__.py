"""What each route does, free of any web framework: the FastAPI app (uvicorn, and Lambda
through Mangum) and the light Lambda router call the same functions with the same validated
inputs. One module per Lambda function, so a function imports only its own readings."""

from __future__ import annotations

from datetime import date
from typing import Any

from oraculum import observability
from oraculum.api.http.problems import Problem
from oraculum.clock import Clock


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


def day_or_today(value: str | None, tz: str, clock: Clock) -> date:
    """The given date, or today in the time zone tz by the product's clock."""
    from oraculum.clock import today
    from oraculum.domain.sky import zone

    return parse_day(value, "date") if value else today(clock, zone(tz))
