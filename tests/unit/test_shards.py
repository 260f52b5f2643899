"""Shard assignment (ingest/shards.py), the manifest's parts (ingest/manifest.py) and the Lambda
ingest handlers' answers to events a stranger could send (api/aws_lambda/ingest_worker.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oraculum.api.aws_lambda import ingest_worker
from oraculum.domain.errors import ConfigError
from oraculum.ingest import manifest
from oraculum.ingest.pipeline import IngestOptions
from oraculum.ingest.shards import Shard, shard_of

# sha256("article/note-0/en")[:8] as a big-endian integer, mod 4, and so on: fixed forever
KNOWN = {"article/note-0/en": 2, "article/note-1/en": 0, "article/note-3/en": 3,
         "article/note-5/en": 1}  # fmt: skip


def test_a_document_falls_to_the_same_shard_everywhere():
    assert {d: shard_of(d, 4) for d in KNOWN} == KNOWN
    assert shard_of("tarot/major/16/the-tower/en", 7) == 6
    code = "from oraculum.ingest.shards import shard_of; print(shard_of('article/note-3/en', 4))"
    for seed in ("0", "1", "12345"):  # Python's own hash() would differ between these
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=True)  # fmt: skip
        assert done.stdout.strip() == "3"


def test_shards_share_ids_evenly_and_unknown_ids_go_to_shard_zero():
    counts = Counter(shard_of(f"article/note-{i}/en", 8) for i in range(16_000))
    assert set(counts) == set(range(8)) and max(counts.values()) < 2_000 * 1.06
    assert Shard(0, 3).owns(None) and not Shard(1, 3).owns(None)
    owners = [s for s in range(3) if Shard(s, 3).owns("article/note-9/en")]
    assert len(owners) == 1


@pytest.mark.parametrize(
    ("spec", "error"),
    [("4/4", "shard 4 does not exist"), ("0/0", "must be 1 to 1000"), ("x", "not I/N"),
     ("1/1001", "must be 1 to 1000"), ("-1/4", "not I/N")],
)  # fmt: skip
def test_a_shard_spec_is_checked(spec: str, error: str):
    with pytest.raises(ValueError, match=error):
        Shard.parse(spec)
    assert Shard.parse(" 3 / 8 ") == Shard(3, 8) and str(Shard(3, 8)) == "3/8"


def test_sharded_options_refuse_prune_and_want_a_run_id():
    with pytest.raises(ConfigError, match="--prune cannot be given with --shard"):
        IngestOptions(prune=True, shard=Shard(0, 2), run_id="r").check()
    with pytest.raises(ConfigError, match="--shard needs --run"):
        IngestOptions(shard=Shard(0, 2)).check()
    with pytest.raises(ConfigError, match="run id"):
        IngestOptions(shard=Shard(0, 2), run_id="no spaces please").check()
    with pytest.raises(ConfigError, match="belongs to a sharded run"):
        IngestOptions(run_id="r").check()
    IngestOptions(shard=Shard(1, 2), run_id="exec-2026-12-04_1").check()


class Meta:
    """The meta half of a document store."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def set_meta(self, key: str, value: Any, *, expires_at: float | None = None) -> None:
        self.items[key] = value

    def get_meta(self, key: str) -> Any:
        return self.items.get(key)


def test_a_manifest_is_split_under_the_item_limit_and_read_back_whole(monkeypatch):
    store = Meta()
    ids = [f"article/{'x' * 400}-{i}/en" for i in range(2_000)]  # about 0.8 MB of ids
    summary = manifest.ShardSummary(read=2_000)
    parts = manifest.write_shard(store, "kb", "r1", Shard(0, 2), ids, summary, now=0.0)  # type: ignore[arg-type]
    assert parts >= 3
    assert all(len(str(v).encode()) < 400 * 1024 for v in store.items.values())
    with pytest.raises(manifest.ShardsIncomplete, match=r"1 of 2 shards .*shard 1\)"):
        manifest.read_run(store, "kb", "r1", 2)  # type: ignore[arg-type]
    manifest.write_shard(store, "kb", "r1", Shard(1, 2), ["a/b/en"], manifest.ShardSummary(),
                         now=0.0)  # type: ignore[arg-type]  # fmt: skip
    run = manifest.read_run(store, "kb", "r1", 2)  # type: ignore[arg-type]
    assert run.ids == {*ids, "a/b/en"} and run.summary.read == 2_000
    with pytest.raises(manifest.ShardsIncomplete):  # another N is another run
        manifest.read_run(store, "kb", "r1", 3)  # type: ignore[arg-type]


# --- the Lambda handlers: a stranger's event gets a named answer, never a traceback ----------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=3),
    max_leaves=8,
)  # fmt: skip
FIELDS = st.fixed_dictionaries(
    {},
    optional={"bucket": JSON | st.just("oraculum-src"), "key": JSON | st.just("kb.jsonl"),
              "shard": JSON | st.integers(-2, 5), "shards": JSON | st.integers(-1, 1002),
              "run": JSON | st.just("run-1"), "prune": JSON, "source_name": JSON,
              "mapping_key": JSON},
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(event=JSON | FIELDS)
def test_the_ingest_handlers_answer_any_event_by_name(event: Any) -> None:
    def no_source(*args: Any) -> Any:  # a valid event goes no further than the download
        raise ingest_worker._Refused("source-unreadable", "not in this test", "key")

    saved = ingest_worker._source, dict(ingest_worker._runtime)
    ingest_worker._source = no_source  # type: ignore[assignment]
    scratch = Path(tempfile.gettempdir()) / "oraculum-test-shards"
    ingest_worker._runtime["settings"] = SimpleNamespace(data_dir=scratch)
    try:
        for handler in (ingest_worker.shard, ingest_worker.finish):
            if handler is ingest_worker.finish and isinstance(event, dict) and "run" in event:
                event = {**event, "shards": "not a number"}  # a valid one opens the stores
            answer = handler(event, None)
            assert answer["ok"] is False
            assert answer["error"] in ("bad-event", "source-unreadable")
            assert answer["error"] != "bad-event" or answer.get("field")
    finally:
        ingest_worker._source = saved[0]  # type: ignore[assignment]
        ingest_worker._runtime.clear()
        ingest_worker._runtime.update(saved[1])
