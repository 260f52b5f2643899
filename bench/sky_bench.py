"""The sky: `sky_at` per call, cold and warm, against a plain skyfield loop.

`sky_at` gives the apparent ecliptic longitude, sign, speed and retrograde flag of ten bodies and
the moon phase. It makes one skyfield call per body over a Time array of three instants
(t − 1 h, t, t + 1 h) and deflects light by the Sun only (as Swiss Ephemeris does).

Measured:
- cold: a fresh Python process per run; import of `oraculum.domain.sky`, then its first
  `sky_at` (which imports skyfield and opens de421.bsp), then a second call; median of the runs;
- warm: `sky_at` over many instants spread across the ephemeris (p50 / p99);
- the naive alternative, warm: a plain Python loop calling skyfield per body per instant
  (`earth.at(t).observe(body).apparent().frame_latlon(ecliptic_frame)`, default deflectors),
  for the same three instants a retrograde flag needs, and for one instant (positions only,
  the ~28 ms DESIGN.md quotes);
- `sun_sign_on` and `natal_big_three` (with a birth time and place), warm.

    .venv/bin/python bench/sky_bench.py [--quick] [--json PATH]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from _common import CpuWatch, latency, machine, parser, print_machine, table, write_json
from oraculum.domain import sky

TARGET_WARM_P50_MS = 50.0
NAIVE_BODIES = (
    "sun", "moon", "mercury", "venus", "mars", "jupiter barycenter", "saturn barycenter",
    "uranus barycenter", "neptune barycenter", "pluto barycenter",
)  # fmt: skip

COLD_SCRIPT = """
import json, sys, time
from datetime import datetime, timezone
t0 = time.perf_counter()
import oraculum.domain.sky as sky
t1 = time.perf_counter()
sky.sky_at(datetime(2026, 11, 25, tzinfo=timezone.utc))
t2 = time.perf_counter()
sky.sky_at(datetime(2026, 11, 26, tzinfo=timezone.utc))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_call_s": t2 - t1, "second_call_s": t3 - t2}))
"""


def instants(n: int) -> list[datetime]:
    """n instants spread over 1901–2052, at varied times of day (deterministic)."""
    start = datetime(1901, 1, 1, tzinfo=UTC)
    span = datetime(2052, 12, 31, tzinfo=UTC) - start
    return [start + span * ((i * 0.618034) % 1.0) for i in range(n)]


def timed(fn: Callable[[Any], object], args: Sequence[Any]) -> list[float]:
    samples = []
    for a in args:
        t0 = time.perf_counter()
        fn(a)
        samples.append(time.perf_counter() - t0)
    return samples


def cold_runs(runs: int) -> dict[str, Any]:
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", COLD_SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        results.append(json.loads(done.stdout))
    out: dict[str, Any] = {"runs": runs}
    for key in ("import_s", "first_call_s", "second_call_s"):
        out[key.replace("_s", "_ms")] = statistics.median(r[key] for r in results) * 1e3
    return out


class NaiveSky:
    """Plain skyfield, one call per body per instant: what a first attempt looks like."""

    def __init__(self) -> None:
        warnings.filterwarnings("ignore", message=r"The file finals2000A\.all has expired")
        import skyfield_data
        from skyfield.api import Loader
        from skyfield.framelib import ecliptic_frame

        load = Loader(skyfield_data.get_skyfield_data_path(), expire=False, verbose=False)
        self.ts = load.timescale(builtin=True)
        self.eph = load("de421.bsp")
        self.earth = self.eph["earth"]
        self.bodies = [self.eph[name] for name in NAIVE_BODIES]
        self.frame = ecliptic_frame

    def longitudes(self, at: datetime, offsets: Sequence[timedelta]) -> list[list[float]]:
        out = []
        for body in self.bodies:
            row = []
            for off in offsets:
                t = self.ts.from_datetime(at + off)
                _, lon, _ = self.earth.at(t).observe(body).apparent().frame_latlon(self.frame)
                row.append(float(lon.degrees))
            out.append(row)
        return out


def check_agreement(naive: NaiveSky, at: datetime) -> float:
    """Largest difference (arc-seconds) between sky_at and the naive loop at one instant."""
    ours = sky.sky_at(at)
    theirs = naive.longitudes(at, [timedelta(0)])
    worst = 0.0
    for position, (lon,) in zip(ours.bodies, theirs, strict=True):
        worst = max(worst, abs((position.longitude - lon + 180.0) % 360.0 - 180.0) * 3600.0)
    return worst


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    n_warm, n_naive, n_cold = (30, 5, 2) if args.quick else (400, 40, 7)
    info = machine(("skyfield", "skyfield-data", "jplephem"))
    print_machine(info)

    with CpuWatch() as watch:
        cold = cold_runs(n_cold)
        points = instants(n_warm)
        sky.sky_at(points[0])  # warm: skyfield imported, kernel open
        warm = latency(timed(sky.sky_at, points))
        naive = NaiveSky()
        three = [-sky.SPEED_STEP, timedelta(0), sky.SPEED_STEP]
        naive_points = points[:n_naive]
        naive.longitudes(naive_points[0], three)
        naive3 = latency(timed(lambda a: naive.longitudes(a, three), naive_points))
        naive1 = latency(timed(lambda a: naive.longitudes(a, [timedelta(0)]), naive_points))
        days = [p.date() for p in points]
        sun_sign = latency(timed(lambda d: sky.sun_sign_on(d, tz="Asia/Ho_Chi_Minh"), days))
        natal = latency(
            timed(lambda d: sky.natal_big_three(d, clock(9, 30), "UTC", 21.03, 105.85), days)
        )
        # Since 1972 only: before, sky_at reads clock times as UT1 (the clocks of the day)
        # where plain skyfield reads them as atomic UTC, up to ~40 s apart around 1900.
        recent = [p for p in points if p.year >= 1972][:5]
        worst_arcsec = max(check_agreement(naive, p) for p in recent)

    c, n = cold, cold["runs"]
    rows = [
        ["sky_at cold: import + first call", c["import_ms"] + c["first_call_ms"], None, n],
        ["  import oraculum.domain.sky", c["import_ms"], None, n],
        ["  first sky_at (imports skyfield, opens de421)", c["first_call_ms"], None, n],
        ["  second sky_at, same process", c["second_call_ms"], None, n],
        ["sky_at warm (10 bodies x 3 instants)", warm["p50_ms"], warm["p99_ms"], warm["n"]],
        ["naive loop, 10 bodies x 3 instants", naive3["p50_ms"], naive3["p99_ms"], naive3["n"]],
        ["naive loop, 10 bodies x 1 instant", naive1["p50_ms"], naive1["p99_ms"], naive1["n"]],
        ["sun_sign_on (Sun x 3 instants)", sun_sign["p50_ms"], sun_sign["p99_ms"], sun_sign["n"]],
        ["natal_big_three (with time, place)", natal["p50_ms"], natal["p99_ms"], natal["n"]],
    ]
    print(table("Sky computation (ms per call)", ["what", "p50 / median", "p99", "n"], rows))
    speedup = naive3["p50_ms"] / warm["p50_ms"]
    verdict = "met" if warm["p50_ms"] < TARGET_WARM_P50_MS else "MISSED"
    print(
        f"\nwarm sky_at p50 {warm['p50_ms']:.1f} ms: target < {TARGET_WARM_P50_MS:.0f} ms "
        f"{verdict}; {speedup:.1f}x faster than the naive loop giving the same facts"
    )
    print(
        f"largest longitude difference from the naive loop (1972 on): {worst_arcsec:.4f} arc-sec "
        "(sky_at deflects light by the Sun only)"
    )
    machine_load = watch.report()

    write_json(
        args.json,
        {
            "machine": info,
            "cold": cold,
            "warm_sky_at": warm,
            "naive_loop_three_instants": naive3,
            "naive_loop_one_instant": naive1,
            "sun_sign_on": sun_sign,
            "natal_big_three": natal,
            "speedup_vs_naive": speedup,
            "target_warm_p50_ms": TARGET_WARM_P50_MS,
            "max_difference_arcsec": worst_arcsec,
            "load": machine_load,
            "range": [date.isoformat(d) for d in sky.ephemeris_range()],
        },
    )


if __name__ == "__main__":
    main()
