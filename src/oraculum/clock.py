"""The one source of "now" for the product.

Every reading of the current instant or today's date goes through a `Clock`: the system's, or a
fixed one set by the setting ORACULUM_NOW (an ISO 8601 instant such as 2026-11-26T12:00:00Z).
A fixed clock makes a run reproducible: the samples, the benches and the test suite set it, so
none of them depends on the day it runs. Standard library only: the Lambda packages import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one instant (naive instants are read as UTC)."""

    at: datetime

    def __post_init__(self) -> None:
        at = self.at if self.at.tzinfo is not None else self.at.replace(tzinfo=UTC)
        object.__setattr__(self, "at", at.astimezone(UTC))

    def now(self) -> datetime:
        return self.at


SYSTEM = SystemClock()


def clock_at(now: datetime | None) -> Clock:
    """The fixed clock at `now`, or the system clock when `now` is None."""
    return SYSTEM if now is None else FixedClock(now)


def timestamp(clock: Clock) -> float:
    """The clock's instant in Unix seconds (what stores compare expiry times with)."""
    return clock.now().timestamp()


def system_time() -> float:
    """The system clock in Unix seconds (the default `clock` of the stores)."""
    return SYSTEM.now().timestamp()


def today(clock: Clock, tz: tzinfo = UTC) -> date:
    """Today's date in the time zone `tz`, by the clock."""
    return clock.now().astimezone(tz).date()
