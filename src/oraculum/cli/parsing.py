"""Parsing of dates, times and numbers from the command line, with errors naming the option."""

from __future__ import annotations

from datetime import date, time

from oraculum.clock import Clock, today
from oraculum.domain.errors import InvalidInput


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            field, f"{value!r} is not a date (YYYY-MM-DD, e.g. 1990-02-28)"
        ) from None


def parse_time(value: str | None, field: str) -> time | None:
    if value is None:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a time (HH:MM, 24-hour)") from None


def parse_day_or_today(value: str | None, field: str, clock: Clock, tz: str = "UTC") -> date:
    """The given date, or today's date in the time zone `tz` by the product's clock."""
    if value:
        return parse_date(value, field)
    from oraculum.domain.sky import zone

    return today(clock, zone(tz))
