"""The sky: `sky_at` from the bundled DE421 table against skyfield + DE421, cold and warm.

`sky_at` gives the apparent ecliptic longitude, sign, speed and retrograde flag of ten bodies and
the moon phase, from three instants (t − 1 h, t, t + 1 h). Ours reads them from the daily table
`src/oraculum/domain/data/sky_de421.bin` with the standard library (degree-5 Lagrange
interpolation); the alternative a user would pick is skyfield + the JPL DE421 kernel, vectorized
as the old code did: one skyfield call per body over a Time array of the three instants,
`earth.at(t).observe(body).apparent(deflectors=(10,)).frame_latlon(ecliptic_frame)`.

Measured, both ways, in the same run:
- cold: a fresh Python process per run (median); import of the module, the first `sky_at`
  (ours reads the table; skyfield loads the timescale and opens de421.bsp), a second call; which
  of numpy / skyfield the process ended up importing, and its peak RSS (VmHWM);
- warm: per-call p50 / p99 on the same instants, spread over 1901–2052;
- `natal_chart.sun_sign_on` and `natal_chart.natal_big_three` (ours, warm);
- agreement: the largest longitude difference (arc-seconds) per body over the warm instants
  (all three instants of each call), with and without bodies within 2° of the Sun;
- installed size of what each needs at run time: the table and two modules, against numpy
  (+ numpy.libs), skyfield, skyfield_data, jplephem and sgp4 in site-packages.

    .venv/bin/python bench/sky_bench.py [--quick] [--json PATH]
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

from _common import (
    CpuWatch,
    latency,
    machine,
    parser,
    print_machine,
    script_module,
    table,
    write_json,
)
from oraculum.domain import natal_chart, sky

NEAR_SUN_DEG = 2.0
REFERENCE = script_module("build_sky_table")  # skyfield + DE421, as the table was built
TARGETS = REFERENCE.BODIES  # DE421's names, for the self-contained cold child
DOMAIN = Path(sky.__file__).resolve().parent
OURS_FILES = (DOMAIN / "data" / "sky_de421.bin", DOMAIN / "sky.py", DOMAIN / "sky_table.py")
SKYFIELD_PACKAGES = ("numpy", "skyfield", "skyfield_data", "jplephem", "sgp4")

# Each cold child prints one JSON line: its timings, the heavy modules it imported, its peak RSS.
# Peak RSS is VmHWM from /proc/self/status: ru_maxrss (getrusage) survives fork + exec on Linux,
# so a child of this bench (numpy loaded, ~36 MB) would report at least the bench's own peak.
_COLD_PRELUDE = """
import json, resource, sys, time
def peak_rss_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
rss0 = peak_rss_kb()
"""
_COLD_REPORT = """
print(json.dumps({
    "import_s": t1 - t0, "first_call_s": t2 - t1, "second_call_s": t3 - t2,
    "modules": sorted(m for m in ("numpy", "skyfield") if m in sys.modules),
    "rss_start_kb": rss0,
    "rss_peak_kb": peak_rss_kb(),
}))
"""
COLD_OURS = (
    _COLD_PRELUDE
    + """
from datetime import datetime, timezone
t0 = time.perf_counter()
import oraculum.domain.sky as sky
t1 = time.perf_counter()
sky.sky_at(datetime(2026, 11, 25, tzinfo=timezone.utc))
t2 = time.perf_counter()
sky.sky_at(datetime(2026, 11, 26, tzinfo=timezone.utc))
t3 = time.perf_counter()
"""
    + _COLD_REPORT
)
COLD_SKYFIELD = (
    _COLD_PRELUDE
    + """
import warnings
from datetime import datetime, timedelta, timezone
t0 = time.perf_counter()
import skyfield_data
from skyfield.api import Loader
from skyfield.framelib import ecliptic_frame
t1 = time.perf_counter()
TARGETS = __TARGETS__
STEP = timedelta(hours=1)
eph = []
def sky_at(at):
    if not eph:
        warnings.filterwarnings("ignore", message=r"The file finals2000A\\.all has expired")
        load = Loader(skyfield_data.get_skyfield_data_path(), expire=False, verbose=False)
        kernel = load("de421.bsp")
        bodies = {key: kernel[name] for key, name in TARGETS.items()}
        eph.append((load.timescale(builtin=True), kernel["earth"], bodies))
    ts, earth, bodies = eph[0]
    observer = earth.at(ts.from_datetimes([at - STEP, at, at + STEP]))
    out = {}
    for key, body in bodies.items():
        lat, lon, _ = observer.observe(body).apparent(deflectors=(10,)).frame_latlon(ecliptic_frame)
        out[key] = (lat.degrees.tolist(), lon.degrees.tolist())
    return out
sky_at(datetime(2026, 11, 25, tzinfo=timezone.utc))
t2 = time.perf_counter()
sky_at(datetime(2026, 11, 26, tzinfo=timezone.utc))
t3 = time.perf_counter()
""".replace("__TARGETS__", repr(TARGETS))
    + _COLD_REPORT
)


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


def cold_runs(script: str, runs: int) -> dict[str, Any]:
    results = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
        )
        wall = time.perf_counter() - t0
        results.append({**json.loads(done.stdout.strip().splitlines()[-1]), "process_s": wall})
    out: dict[str, Any] = {"runs": runs}
    for key in ("import_s", "first_call_s", "second_call_s", "process_s"):
        out[key.removesuffix("_s") + "_ms"] = statistics.median(r[key] for r in results) * 1e3
    out["import_and_first_call_ms"] = out["import_ms"] + out["first_call_ms"]
    out["modules"] = sorted({m for r in results for m in r["modules"]})
    for key in ("rss_start_kb", "rss_peak_kb"):
        out[key.removesuffix("_kb") + "_mib"] = statistics.median(r[key] for r in results) / 1024
    return out


class SkyfieldSky:
    """skyfield + DE421, one vectorized call per body over the three instants (the old code),
    through the table builder's reference functions."""

    def __init__(self) -> None:
        _, self.ts, self.kernel = REFERENCE.load()
        self.earth = self.kernel["earth"]

    def latlon(self, at: datetime) -> dict[str, tuple[list[float], list[float]]]:
        moments = [at - sky.SPEED_STEP, at, at + sky.SPEED_STEP]
        observer = self.earth.at(REFERENCE.clock_times(self.ts, moments))
        out = {}
        for key in sky.BODY_KEYS:
            lat, lon = REFERENCE.apparent_latlon(self.kernel, observer, key)
            out[key] = (lat.tolist(), lon.tolist())
        return out

    def sky_at(self, at: datetime) -> sky.Sky:
        """The same facts as `sky.sky_at`, from skyfield's positions."""
        utc = at.astimezone(UTC)
        latlon = self.latlon(utc)
        bodies = tuple(sky._position(key, *latlon[key][1]) for key in sky.BODY_KEYS)
        (_, sun_lon), (moon_lat, moon_lon) = latlon["sun"], latlon["moon"]
        phase = sky.moon_phase(sun_lon[1], moon_lon[1], moon_lat[1])
        return sky.Sky(instant=utc, bodies=bodies, moon_phase=phase)


def angle(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def agreement(theirs: SkyfieldSky, points: Sequence[datetime]) -> dict[str, Any]:
    """Largest |ours − skyfield| longitude (arc-seconds) per body, over t − 1 h, t, t + 1 h."""
    worst = {key: 0.0 for key in sky.BODY_KEYS}
    worst_far = {key: 0.0 for key in sky.BODY_KEYS}  # bodies more than 2° from the Sun
    near_sun = 0
    for at in points:
        ours = sky.apparent_longitudes(
            sky.BODY_KEYS, [at - sky.SPEED_STEP, at, at + sky.SPEED_STEP]
        )
        ref = theirs.latlon(at)
        for key in sky.BODY_KEYS:
            for i, lon in enumerate(ref[key][1]):
                diff = angle(ours[key][i], lon) * 3600.0
                worst[key] = max(worst[key], diff)
                if key == "sun" or angle(lon, ref["sun"][1][i]) >= NEAR_SUN_DEG:
                    worst_far[key] = max(worst_far[key], diff)
                else:
                    near_sun += 1
    planets = [k for k in sky.BODY_KEYS if k != "moon"]
    return {
        "instants": len(points) * 3,
        "near_sun_deg": NEAR_SUN_DEG,
        "near_sun_samples": near_sun,
        "max_arcsec_by_body": worst,
        "max_arcsec_by_body_away_from_sun": worst_far,
        "max_arcsec": max(worst.values()),
        "max_arcsec_away_from_sun": max(worst_far.values()),
        "max_arcsec_planets_away_from_sun": max(worst_far[k] for k in planets),
        "max_arcsec_moon_away_from_sun": worst_far["moon"],
    }


def tree_bytes(path: Path) -> int:
    """Bytes of the files under `path` (a file or a directory), __pycache__ left out."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        total += sum((Path(root) / f).stat().st_size for f in files)
    return total


def sizes() -> dict[str, Any]:
    ours = {str(p.relative_to(DOMAIN.parent.parent)): tree_bytes(p) for p in OURS_FILES}
    theirs: dict[str, int] = {}
    for name in SKYFIELD_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        package = Path(next(iter(spec.submodule_search_locations)))
        theirs[name] = tree_bytes(package)
        libs = package.with_name(f"{name}.libs")  # manylinux wheels vendor shared libraries here
        if libs.is_dir():
            theirs[f"{name}.libs"] = tree_bytes(libs)
    return {
        "arch": platform.machine(),
        "ours_bytes": ours,
        "skyfield_bytes": theirs,
        "ours_mb": sum(ours.values()) / 1e6,
        "skyfield_mb": sum(theirs.values()) / 1e6,
    }


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    n_warm, n_cold = (30, 2) if args.quick else (400, 7)
    info = machine(("skyfield", "skyfield-data", "jplephem", "sgp4"))
    print_machine(info)

    with CpuWatch() as watch:
        cold_ours = cold_runs(COLD_OURS, n_cold)
        cold_theirs = cold_runs(COLD_SKYFIELD, n_cold)
        points = instants(n_warm)
        sky.sky_at(points[0])  # warm: the table read
        warm = latency(timed(sky.sky_at, points))
        theirs = SkyfieldSky()
        theirs.sky_at(points[0])  # warm: kernel open, skyfield's caches filled
        warm_theirs = latency(timed(theirs.sky_at, points))
        days = [p.date() for p in points]
        sun_sign = latency(timed(lambda d: natal_chart.sun_sign_on(d, tz="Asia/Ho_Chi_Minh"), days))
        natal = latency(
            timed(
                lambda d: natal_chart.natal_big_three(d, clock(9, 30), "UTC", 21.03, 105.85),
                days,
            )
        )
        agree = agreement(theirs, points)
        size = sizes()
        theirs.kernel.close()

    co, ct = cold_ours, cold_theirs
    rows = [
        ["import + first sky_at", co["import_and_first_call_ms"], ct["import_and_first_call_ms"]],
        ["  import", co["import_ms"], ct["import_ms"]],
        ["  first sky_at (ours: read table; sf: open kernel)", co["first_call_ms"],
         ct["first_call_ms"]],
        ["  second sky_at", co["second_call_ms"], ct["second_call_ms"]],
        ["whole process, wall (interpreter start included)", co["process_ms"], ct["process_ms"]],
        ["peak RSS (MiB)", co["rss_peak_mib"], ct["rss_peak_mib"]],
        ["  RSS at interpreter start (MiB)", co["rss_start_mib"], ct["rss_start_mib"]],
        ["numpy / skyfield imported", ", ".join(co["modules"]) or "neither",
         ", ".join(ct["modules"]) or "neither"],
    ]  # fmt: skip
    print(
        table(
            f"Cold, fresh process (ms; median of {co['runs']} runs each)",
            ["what", "ours (table)", "skyfield + DE421"],
            rows,
        )
    )

    rows = [
        ["sky_at, ours (table)", warm["p50_ms"], warm["p99_ms"], warm["n"]],
        ["sky_at, skyfield + DE421 (vectorized)", warm_theirs["p50_ms"], warm_theirs["p99_ms"],
         warm_theirs["n"]],
        ["sun_sign_on, Asia/Ho_Chi_Minh (ours)", sun_sign["p50_ms"], sun_sign["p99_ms"],
         sun_sign["n"]],
        ["natal_big_three, 09:30 UTC, Hanoi (ours)", natal["p50_ms"], natal["p99_ms"],
         natal["n"]],
    ]  # fmt: skip
    print(
        table(
            "Warm, per call (ms; 10 bodies x 3 instants, 1901-2052)",
            ["what", "p50", "p99", "n"],
            rows,
        )
    )

    rows = [
        [key, agree["max_arcsec_by_body"][key], agree["max_arcsec_by_body_away_from_sun"][key]]
        for key in sky.BODY_KEYS
    ]
    rows.append(["all bodies", agree["max_arcsec"], agree["max_arcsec_away_from_sun"]])
    print(
        table(
            f"Agreement with skyfield: largest longitude difference (arc-sec) over "
            f"{agree['instants']} instants",
            ["body", "all", f"> {NEAR_SUN_DEG:g} deg from the Sun"],
            rows,
        )
    )
    print(
        f"({agree['near_sun_samples']} body positions within {NEAR_SUN_DEG:g} deg of the Sun; "
        'docs/sky.md: 0.06" planets, 0.33" Moon, up to 2.3" near the Sun)'
    )

    rows = [[name, b / 1e6] for name, b in size["ours_bytes"].items()]
    rows.append(["ours, total", size["ours_mb"]])
    rows += [[f"site-packages/{name}", b / 1e6] for name, b in size["skyfield_bytes"].items()]
    rows.append(["skyfield + DE421, total", size["skyfield_mb"]])
    print(
        table(
            f"Installed size at run time (MB; {size['arch']} venv, __pycache__ left out)",
            ["what", "MB"],
            rows,
        )
    )

    cold_ratio = ct["import_and_first_call_ms"] / co["import_and_first_call_ms"]
    warm_ratio = warm_theirs["p50_ms"] / warm["p50_ms"]
    size_ratio = size["skyfield_mb"] / size["ours_mb"]
    rss_ratio = ct["rss_peak_mib"] / co["rss_peak_mib"]
    print(
        f"\nsummary: cold import + first sky_at {co['import_and_first_call_ms']:.0f} ms vs "
        f"{ct['import_and_first_call_ms']:.0f} ms ({cold_ratio:.1f}x faster); "
        f"warm p50 {warm['p50_ms']:.2f} ms vs {warm_theirs['p50_ms']:.2f} ms "
        f"({warm_ratio:.0f}x faster); size {size['ours_mb']:.1f} MB vs "
        f"{size['skyfield_mb']:.1f} MB ({size_ratio:.0f}x smaller); peak RSS "
        f"{co['rss_peak_mib']:.0f} MiB vs {ct['rss_peak_mib']:.0f} MiB ({rss_ratio:.1f}x)"
    )
    machine_load = watch.report()

    write_json(
        args.json,
        {
            "machine": info,
            "cold_ours": cold_ours,
            "cold_skyfield": cold_theirs,
            "warm_sky_at_ours": warm,
            "warm_sky_at_skyfield": warm_theirs,
            "sun_sign_on": sun_sign,
            "natal_big_three": natal,
            "agreement": agree,
            "installed_size": size,
            "ratios": {
                "cold_import_and_first_call_skyfield_over_ours": cold_ratio,
                "warm_p50_skyfield_over_ours": warm_ratio,
                "size_skyfield_over_ours": size_ratio,
                "peak_rss_skyfield_over_ours": rss_ratio,
            },
            "load": machine_load,
            "range": [date.isoformat(d) for d in sky.ephemeris_range()],
        },
    )


if __name__ == "__main__":
    main()
