"""Build the daily sky table (src/oraculum/domain/data/sky_de421.bin) from JPL DE421.

The run-time sky (domain/sky.py) reads positions from this table with pure-Python
interpolation, so neither numpy nor skyfield nor the 17 MB kernel ships with the product. This
script is the only place they are needed (the test extra installs them), and the agreement test
(tests/unit/test_sky_table.py) holds the table to skyfield on random instants.

One row per day at 0h TT, from a day after the kernel's start to a day before its end, each row
little-endian float32:

    apparent ecliptic longitude of date of the ten bodies (degrees, 0–360),
    the Moon's apparent ecliptic latitude (degrees),
    ΔT = TT − UT1 (seconds),
    the true obliquity of the ecliptic (degrees),
    the equation of the equinoxes, GAST − GMST (degrees).

The file starts with a magic line and a one-line JSON header (source, first day, columns,
the leap-second table, the supported date range).

The reference computations (`load`, `clock_times`, `apparent_latlon`, `true_obliquity`) are
the ones tests/unit/test_sky_table.py and bench/sky_bench.py check the table against.

    python scripts/build_sky_table.py [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "oraculum" / "domain" / "data" / "sky_de421.bin"
MAGIC = b"ORACULUM-SKY-TABLE 1\n"
BODIES = {
    "sun": "sun",
    "moon": "moon",
    "mercury": "mercury",
    "venus": "venus",
    "mars": "mars",
    "jupiter": "jupiter barycenter",
    "saturn": "saturn barycenter",
    "uranus": "uranus barycenter",
    "neptune": "neptune barycenter",
    "pluto": "pluto barycenter",
}
COLUMNS = [*BODIES, "moon_latitude", "delta_t_s", "true_obliquity", "equation_of_equinoxes"]
SUN_ONLY = (10,)  # light deflection by the Sun alone, as Swiss Ephemeris does
# Interpolation reads two rows before an instant and three after; a query may reach 14 h before
# its day starts (UTC+14) and 12 h after it ends (UTC−12), plus the one-hour speed step. Dates
# this many days inside the table's first and last rows are served.
EDGE_DAYS = 4
UTC_ERA_JD = 2441317.5  # 1972-01-01: TAI − UTC = 10 s, whole seconds since
UTC_ERA = datetime(1972, 1, 1, tzinfo=UTC)
UNIX_EPOCH_JD = 2440587.5


# --- the reference: skyfield and DE421, as the table is built and as tests and benches check it
def load() -> tuple[Any, Any, Any]:
    """skyfield's loader on the skyfield-data wheel, its built-in timescale, and DE421."""
    warnings.filterwarnings("ignore", message=r"The file finals2000A\.all has expired")
    import skyfield_data
    from skyfield.api import Loader

    loader = Loader(skyfield_data.get_skyfield_data_path(), expire=False, verbose=False)
    return loader, loader.timescale(builtin=True), loader("de421.bsp")


def clock_times(ts: Any, moments: Sequence[datetime]) -> Any:
    """skyfield Times of aware clock times, read as the product reads them: UTC since 1972,
    UT1 (the clocks of the day) before. The moments lie on one side of 1972."""
    if moments[0] >= UTC_ERA:
        return ts.from_datetimes(list(moments))
    return ts.ut1_jd([UNIX_EPOCH_JD + m.timestamp() / 86400.0 for m in moments])


def apparent_latlon(kernel: Any, observer: Any, key: str) -> tuple[Any, Any]:
    """Apparent ecliptic latitude and longitude of date (degrees) of body `key` seen by
    `observer` (the Earth at some Times), light deflected by the Sun alone."""
    from skyfield.framelib import ecliptic_frame

    apparent = observer.observe(kernel[BODIES[key]]).apparent(deflectors=SUN_ONLY)
    lat, lon, _ = apparent.frame_latlon(ecliptic_frame)
    return lat.degrees, lon.degrees


def true_obliquity(t: Any) -> Any:
    """Mean obliquity (IAU 2006) plus the nutation in obliquity (IAU 2000A), degrees."""
    from skyfield.nutationlib import iau2000a_radians, mean_obliquity

    _, d_eps = iau2000a_radians(t)
    return mean_obliquity(t.tdb) / 3600.0 + np.degrees(d_eps)


# --- the table ------------------------------------------------------------------------------
def table(ts: Any, kernel: Any, first_jd: float, rows: int) -> np.ndarray:
    t = ts.tt_jd(first_jd + np.arange(rows, dtype=np.float64))
    out = np.empty((rows, len(COLUMNS)), dtype=np.float64)
    observer = kernel["earth"].at(t)
    for i, key in enumerate(BODIES):
        lat, lon = apparent_latlon(kernel, observer, key)
        out[:, i] = lon % 360.0
        if key == "moon":
            out[:, len(BODIES)] = lat
        print(f"  {key:<8} done", file=sys.stderr)
    out[:, len(BODIES) + 1] = t.delta_t
    out[:, len(BODIES) + 2] = true_obliquity(t)
    out[:, len(BODIES) + 3] = ((t.gast - t.gmst + 12.0) % 24.0 - 12.0) * 15.0
    return out


def leap_seconds(ts: object) -> list[list[float]]:
    """[UTC Julian date, TAI − UTC] from 1972 on, as skyfield's built-in table has them."""
    pairs = [[UTC_ERA_JD, 10.0]]
    for jd, offset in zip(ts.leap_dates, ts.leap_offsets, strict=True):
        if math.isfinite(jd) and jd > UTC_ERA_JD:
            pairs.append([float(jd), float(offset)])
    return pairs


def jd_date(jd: float) -> date:
    return date(2000, 1, 1) + timedelta(days=math.floor(jd + 0.5) - 2451545)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    from importlib.metadata import version

    _, ts, kernel = load()
    first = min(s.spk_segment.start_jd for s in kernel.segments)
    last = max(s.spk_segment.end_jd for s in kernel.segments)
    first_row = math.ceil(first + 1.0 - 0.5) + 0.5  # 0h TT, at least a day inside
    last_row = math.floor(last - 1.0 - 0.5) + 0.5
    rows = int(last_row - first_row) + 1
    print(f"building {rows} daily rows from DE421", file=sys.stderr)
    values = table(ts, kernel, first_row, rows)
    header = {
        "source": f"JPL DE421 (skyfield-data {version('skyfield-data')}) through skyfield "
        f"{version('skyfield')}",
        "built_by": "scripts/build_sky_table.py",
        "time_scale": "TT",
        "first_jd": first_row,
        "step_days": 1.0,
        "rows": rows,
        "columns": COLUMNS,
        "dtype": "<f4",
        "leap_seconds": leap_seconds(ts),
        "start": (jd_date(first_row) + timedelta(days=EDGE_DAYS)).isoformat(),
        "end": (jd_date(last_row) - timedelta(days=EDGE_DAYS)).isoformat(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as f:
        f.write(MAGIC)
        f.write(json.dumps(header, separators=(",", ":")).encode() + b"\n")
        f.write(values.astype("<f4").tobytes())
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, {header['start']} to {header['end']})")
    kernel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
