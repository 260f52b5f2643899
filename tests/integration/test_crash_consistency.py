"""Kill the ingest (SIGKILL) at every failpoint and at random moments; the next run heals.

Each test runs the real `oraculum` command in a subprocess on the embedded stores, with the
deterministic hashing embedder so that thousands of records stay fast.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oraculum.config import Settings, open_stores
from oraculum.ingest.chunking import chunk_record
from oraculum.ingest.normalize import Limits, build_record
from oraculum.ingest.verify import verify
from tests.conftest import card, cli_env, run_cli, write_jsonl

BATCH = 16


def long_card(n: int, sentences: int) -> dict:
    return card(
        n,
        text=" ".join(
            f"Sentence {j} of note {n}, on the tides and the moon." for j in range(sentences)
        ),
    )


def assert_stores_match(data_dir: Path, records: list[dict]) -> None:
    """Both stores hold exactly the chunks of `records`: nothing old, nothing deleted, no drift."""
    settings = Settings(data_dir=data_dir, embedder="hashing")
    stores = open_stores(settings)
    try:
        drift = verify(stores)
        assert drift.clean, drift.as_dict()
        expected = {}
        for i, data in enumerate(records):
            rec = build_record(data, source="", location=str(i), limits=Limits())
            for chunk in chunk_record(
                rec, model_id=stores.embedder.model_id, limit=settings.chunk_chars
            ):
                expected[chunk.id] = chunk
        stored = {c.id: c for c in stores.documents.scan()}
        assert set(stored) == set(expected)
        assert set(stores.index.list_ids()) == set(expected)
        for cid, chunk in expected.items():
            assert stored[cid].text == chunk.text and stored[cid].content_hash == chunk.content_hash
        vector_meta = stores.index.fetch_metadata(list(expected))
        assert all(
            vector_meta[cid]["content_hash"] == c.content_hash for cid, c in expected.items()
        )
    finally:
        stores.close()


def ingest(src: Path, data_dir: Path, *extra: str, failpoint: str | None = None):
    env = cli_env(data_dir, ORACULUM_INGEST_BATCH_SIZE=str(BATCH))
    if failpoint:
        env["ORACULUM_FAILPOINT"] = failpoint
    return run_cli(["ingest", str(src), "--json", *extra], env)


def edit_in_flight(records: list[dict], in_flight: range) -> list[dict]:
    """Edit some records of the batch being written when the kill came, delete others."""
    out = []
    for i, rec in enumerate(records):
        if i in in_flight and i % 4 == 0:
            continue  # deleted from the source
        if i in in_flight and i % 4 == 1:
            rec = {**rec, "text": f"Edited after the crash: note {i} now speaks of sunrise."}
        if i % 50 == 7:
            rec = {**rec, "text": f"Edited elsewhere: note {i}."}
        out.append(rec)
    return out


@pytest.mark.parametrize("point", ["after-pending", "after-vector", "before-indexed"])
def test_kill_at_a_write_failpoint_then_edit_and_prune(tmp_path, point):
    data_dir = tmp_path / "data"
    records = [card(i) for i in range(200)]
    src = write_jsonl(tmp_path / "kb.jsonl", records)
    killed = ingest(src, data_dir, failpoint=f"{point}:3")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    drifted = run_cli(["verify", "--json"], cli_env(data_dir))
    assert drifted.returncode == 1 and '"stuck_pending": 16' in drifted.stdout

    changed = edit_in_flight(records, range(2 * BATCH, 3 * BATCH))
    write_jsonl(src, changed)
    healed = ingest(src, data_dir, "--prune")
    assert healed.returncode == 0, healed.stderr
    assert_stores_match(data_dir, changed)


def test_kill_in_the_middle_of_a_prune(tmp_path):
    data_dir = tmp_path / "data"
    records = [card(i) for i in range(400)]
    src = write_jsonl(tmp_path / "kb.jsonl", records)
    assert ingest(src, data_dir).returncode == 0

    kept = records[:100]
    write_jsonl(src, kept)
    killed = ingest(src, data_dir, "--prune", failpoint="mid-prune:2")
    assert killed.returncode == -signal.SIGKILL

    final = edit_in_flight(kept, range(40, 60))
    write_jsonl(src, final)
    assert ingest(src, data_dir, "--prune").returncode == 0
    assert_stores_match(data_dir, final)


def test_kill_while_removing_the_chunks_of_a_shortened_document(tmp_path):
    data_dir = tmp_path / "data"
    records = [long_card(i, 60) for i in range(20)]
    src = write_jsonl(tmp_path / "kb.jsonl", records)
    assert ingest(src, data_dir).returncode == 0

    shorter = [long_card(i, 5) for i in range(20)]
    write_jsonl(src, shorter)
    assert ingest(src, data_dir, failpoint="mid-stale:1").returncode == -signal.SIGKILL
    assert ingest(src, data_dir, "--prune").returncode == 0
    assert_stores_match(data_dir, shorter)


def written_with(data_dir: Path, marker: str) -> int:
    """How many chunks the document store holds with this round's text (read-only)."""
    import sqlite3

    path = data_dir / "documents.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return int(
                db.execute(
                    "SELECT COUNT(*) FROM chunks WHERE text LIKE ?", (f"%{marker}%",)
                ).fetchone()[0]
            )
    except sqlite3.OperationalError:
        return 0


def test_random_kills_then_a_full_run_leave_no_drift_no_duplicate_no_loss(tmp_path):
    """SIGKILL at seeded random points of progress (not of time), with the source edited
    between runs; then one full run must leave exactly the source in both stores."""
    rng = random.Random(20261126)
    data_dir = tmp_path / "data"
    src = tmp_path / "kb.jsonl"
    env = cli_env(data_dir, ORACULUM_INGEST_BATCH_SIZE=str(BATCH))
    interrupted = 0
    for round_ in range(4):
        marker = f"round{round_}"
        records = [
            card(i, text=f"{marker}: note {i} on tide {i % 7}. " * (1 + i % 3)) for i in range(3000)
        ]
        if round_ >= 1:  # records come and go between crashes too
            records = [r for i, r in enumerate(records) if i % 97] + [
                card(10_000 + i) for i in range(30)
            ]
        write_jsonl(src, records)
        target = rng.randint(100, 2500)  # kill once this many chunks of this round are stored
        proc = subprocess.Popen(
            [sys.executable, "-m", "oraculum", "ingest", str(src), "--prune", "--json"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        while proc.poll() is None:
            if written_with(data_dir, marker) >= target:
                proc.send_signal(signal.SIGKILL)
                interrupted += 1
                break
            time.sleep(0.01)
        proc.wait()
    assert interrupted >= 3, "the runs ended before reaching their kill points"
    final = ingest(src, data_dir, "--prune")
    assert final.returncode == 0, final.stderr
    assert_stores_match(data_dir, records)
