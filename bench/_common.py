"""What the benches share: the machine, timing summaries, plain-text tables, JSON output."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def script_module(name: str) -> ModuleType:
    """scripts/NAME.py as a module (the packager, the sky table's builder and reference)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a small smoke-test size")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    return p


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine(packages: Sequence[str] = ()) -> dict[str, Any]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": cores,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "packages": {p: _version(p) for p in ("oraculum", "numpy", *packages)},
    }


def print_machine(info: dict[str, Any]) -> None:
    print(f"date     {info['date']}")
    print(f"machine  {info['cpu']}, {info['cores']} cores, Python {info['python']}")
    versions = ", ".join(f"{k} {v or 'not installed'}" for k, v in info["packages"].items())
    print(f"packages {versions}")
    policy = info.get("omp_wait_policy")
    print(f"OMP_WAIT_POLICY {policy or 'unset (OpenMP default: idle threads spin a while)'}")


def latency(samples_s: Sequence[float]) -> dict[str, float]:
    """p50 / p99 / mean in milliseconds."""
    ms = np.asarray(samples_s, dtype=np.float64) * 1e3
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "mean_ms": float(ms.mean()),
        "n": len(ms),
    }


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.{digits}g}"
    return str(value)


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = (v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    out = [f"\n{title}", line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _busy_jiffies() -> int | None:
    """Machine-wide busy CPU time (all processes), in clock ticks."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return user + nice + system + irq + softirq + steal


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class CpuWatch:
    """How much CPU other processes took while a bench ran: a noisy machine skews timings."""

    def __enter__(self) -> CpuWatch:
        self._busy, self._own, self._wall = _busy_jiffies(), _own_cpu_s(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self._wall
        busy = _busy_jiffies()
        if busy is None or self._busy is None:
            self.others_core_s = None
            return
        machine_s = (busy - self._busy) / os.sysconf("SC_CLK_TCK")
        self.others_core_s = max(0.0, machine_s - (_own_cpu_s() - self._own))

    def summary(self) -> dict[str, Any]:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        share = None
        if self.others_core_s is not None and self.wall_s > 0:
            share = self.others_core_s / (self.wall_s * (os.cpu_count() or cores))
        return {"wall_s": self.wall_s, "others_core_s": self.others_core_s, "others_share": share}

    def report(self) -> dict[str, Any]:
        s = self.summary()
        if s["others_share"] is None:
            print("\ncould not read /proc/stat: other processes' CPU use unknown")
        else:
            note = (
                "  WARNING: the machine was busy; timings are skewed"
                if s["others_share"] > 0.05
                else ""
            )
            print(
                f"\nother processes used {s['others_core_s']:.1f} core-seconds during the "
                f"{s['wall_s']:.0f} s run ({s['others_share']:.0%} of the machine){note}"
            )
        return s


def write_json(path: Path | None, data: dict[str, Any]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"\nfigures written to {path}")
