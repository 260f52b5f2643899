"""When a body reaches a longitude: solar and lunar returns, the moment a transit is exact, and
the composite chart's midpoints. Read from the same table as every position (domain/sky.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from oraculum.domain.errors import InvalidInput
from oraculum.domain.sky import apparent_longitudes

PRECISION = timedelta(seconds=20)  # bisection stops under this; results are given to the minute
STEP_DAYS = {"moon": 0.25, "sun": 1.0, "mercury": 0.5, "venus": 1.0, "mars": 1.0}


def _gap(lon: float, target: float) -> float:
    """Signed distance from `target` to `lon`, in (-180, 180]."""
    return (lon - target + 180.0) % 360.0 - 180.0


def _lon(body: str, instant: datetime) -> float:
    return apparent_longitudes((body,), [instant])[body][0]


def crossings(body: str, target: float, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in [start, end) at which `body` stands at longitude `target` (either way:
    a retrograde planet can cross it three times), to the minute."""
    step = timedelta(days=STEP_DAYS.get(body, 2.0))
    grid = [start]
    while grid[-1] < end:
        grid.append(min(grid[-1] + step, end))
    lons = apparent_longitudes((body,), grid)[body]
    found = []
    for i in range(len(grid) - 1):
        g0, g1 = _gap(lons[i], target), _gap(lons[i + 1], target)
        changed = g0 == 0 or (g0 < 0 <= g1) or (g0 > 0 >= g1)
        if changed and abs(g0 - g1) < 90:  # a true crossing, not the wrap on the far side
            found.append(_bisect(body, target, grid[i], grid[i + 1], g0))
    return found


def _bisect(body: str, target: float, lo: datetime, hi: datetime, g_lo: float) -> datetime:
    while hi - lo > PRECISION:
        mid = lo + (hi - lo) / 2
        g = _gap(_lon(body, mid), target)
        if (g < 0) == (g_lo < 0):
            lo, g_lo = mid, g
        else:
            hi = mid
    middle = lo + (hi - lo) / 2
    return (middle + timedelta(seconds=30)).replace(second=0, microsecond=0)


def solar_return(natal_sun: float, year: int, birthday: date) -> datetime:
    """The moment in `year` the Sun comes back to its natal longitude (near the birthday)."""
    try:
        near = birthday.replace(year=year)
    except ValueError:  # 29 February in a common year
        near = date(year, 3, 1)
    start = datetime.combine(near - timedelta(days=3), time(0), UTC)
    found = crossings("sun", natal_sun, start, start + timedelta(days=7))
    if not found:
        raise InvalidInput("year", f"no solar return found near {near}")
    return found[0]


def lunar_returns(natal_moon: float, first: date, last: date) -> list[datetime]:
    """The moments between the days `first` and `last` (UTC) the Moon comes back to its natal
    longitude: about every 27.3 days, so a month holds one or two."""
    start = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), UTC)
    return crossings("moon", natal_moon, start, end)


def midpoint(a: float, b: float) -> float:
    """The midpoint of the shorter arc between two longitudes (the composite chart's rule)."""
    return (a + _gap(b, a) / 2.0) % 360.0


def composite(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    """The composite chart: each point at the midpoint of the two charts' positions of it."""
    return {key: midpoint(a[key], b[key]) for key in a if key in b}
