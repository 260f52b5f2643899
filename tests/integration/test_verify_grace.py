"""verify waits out an eventually consistent index for its grace window, and no longer."""

from __future__ import annotations

from pathlib import Path

from oraculum.config import Settings, open_stores
from oraculum.ingest.verify import verify
from tests.conftest import card, cli_env, run_cli, write_jsonl


class LaggingIndex:
    """Wraps a real index: the listing misses the newest vector for the first `lag` looks."""

    def __init__(self, inner: object, hidden: str, lag: int, grace_s: float) -> None:
        self._inner = inner
        self.hidden = hidden
        self.lag = lag
        self.grace_s = grace_s

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def list_ids(self):  # type: ignore[no-untyped-def]
        looks_left, self.lag = self.lag, self.lag - 1
        return (i for i in self._inner.list_ids() if looks_left <= 0 or i != self.hidden)


def ingested(tmp_path: Path) -> Settings:
    source = write_jsonl(tmp_path / "notes.jsonl", [card(n) for n in range(5)])
    done = run_cli(["ingest", str(source)], cli_env(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    return Settings(data_dir=tmp_path / "data", embedder="hashing")


def test_drift_that_clears_within_the_grace_window_is_not_drift(tmp_path: Path) -> None:
    stores = open_stores(ingested(tmp_path))
    try:
        hidden = sorted(stores.index.list_ids())[-1]
        stores.index = LaggingIndex(stores.index, hidden, lag=2, grace_s=10.0)  # type: ignore[assignment]
        pauses: list[float] = []
        report = verify(stores, sleep=pauses.append)
        assert report.clean and pauses == [0.5, 1.0] and report.waited_s == 1.5
    finally:
        stores.close()


def test_drift_that_outlasts_the_window_is_reported(tmp_path: Path) -> None:
    stores = open_stores(ingested(tmp_path))
    try:
        hidden = sorted(stores.index.list_ids())[-1]
        stores.index = LaggingIndex(stores.index, hidden, lag=100, grace_s=3.0)  # type: ignore[assignment]
        pauses: list[float] = []
        report = verify(stores, sleep=pauses.append)
        assert report.missing_vectors == [hidden] and sum(pauses) == 3.0
        assert report.as_dict()["waited_s"] == 3.0
    finally:
        stores.close()


def test_embedded_indexes_never_wait(tmp_path: Path) -> None:
    stores = open_stores(ingested(tmp_path))
    try:
        stores.documents.delete_many([sorted(stores.index.list_ids())[0]])  # an orphan vector
        pauses: list[float] = []
        report = verify(stores, sleep=pauses.append)
        assert len(report.orphan_vectors) == 1 and pauses == [] and report.waited_s == 0
    finally:
        stores.close()
