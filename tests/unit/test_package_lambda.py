"""The Lambda packager's choices that need no network: which interpreter compiles the .pyc,
what --pyc-only leaves, and which files each function gets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
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
        function in {"horoscope", "precompute"}
    )
    assert not (ours / "cli").exists() and not (ours / "api" / "app.py").exists()
    assert not any("numpy" in req for req in pack.FUNCTIONS[function])
