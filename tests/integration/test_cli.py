"""The `oraculum` command as a user runs it (subprocess, hashing embedder)."""

from __future__ import annotations

import itertools
import json

from tests.conftest import card, cli_env, run_cli, write_jsonl


def test_ingest_summary_exit_codes_and_two_independent_data_dirs(tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(1), card(2), "{oops"])
    env_a, env_b = cli_env(tmp_path / "a"), cli_env(tmp_path / "b")
    done = run_cli(["ingest", str(src)], env_a)
    assert done.returncode == 1
    assert "read" in done.stdout and "rejected" in done.stdout
    assert "line 3" in done.stderr and "malformed JSON" in done.stderr

    stats_a = json.loads(run_cli(["stats", "--json"], env_a).stdout)
    stats_b = json.loads(run_cli(["stats", "--json"], env_b).stdout)
    assert (stats_a["documents"], stats_b["documents"]) == (2, 0)


def test_json_summary_and_dry_run(tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(4)])
    env = cli_env(tmp_path / "d")
    dry = json.loads(run_cli(["ingest", str(src), "--dry-run", "--json"], env).stdout)
    assert (dry["new"], dry["chunks_written"], dry["dry_run"]) == (4, 0, True)
    real = json.loads(run_cli(["ingest", str(src), "--json"], env).stdout)
    assert set(real) >= {"read", "new", "updated", "unchanged", "deleted", "rejected", "rejections"}
    assert real["new"] == 4


def test_verify_exits_1_on_drift_and_repair_heals(tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(5)])
    env = cli_env(tmp_path / "d")
    assert run_cli(["ingest", str(src)], env).returncode == 0
    assert run_cli(["verify"], env).returncode == 0
    killed = run_cli(["ingest", str(write_jsonl(src, [card(i, text="new") for i in range(5)]))],
                     {**env, "ORACULUM_FAILPOINT": "after-vector:1"})  # fmt: skip
    assert killed.returncode < 0
    drift = run_cli(["verify", "--json"], env)
    assert drift.returncode == 1
    assert json.loads(drift.stdout)["counts"]["stuck_pending"] == 5
    healed = run_cli(["repair", "--json"], env)
    assert healed.returncode == 0, healed.stdout
    assert json.loads(healed.stdout)["after"]["clean"] is True


def test_mismatched_model_is_refused_with_a_clear_line(tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(1)])
    env = cli_env(tmp_path / "d")
    assert run_cli(["ingest", str(src)], env).returncode == 0
    other = run_cli(["ingest", str(src)], {**env, "ORACULUM_HASHING_DIM": "128"})
    assert other.returncode == 2
    assert "hashing-v1-384" in other.stderr and "ORACULUM_DATA_DIR" in other.stderr
    assert "Traceback" not in other.stderr


def test_unmapped_json_and_missing_source_are_usage_errors(tmp_path):
    env = cli_env(tmp_path / "d")
    (tmp_path / "x.json").write_text("{}")
    done = run_cli(["ingest", str(tmp_path / "x.json")], env)
    assert done.returncode == 2 and "--mapping" in done.stderr
    missing = run_cli(["ingest", str(tmp_path / "nope.jsonl")], env)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_help_is_worth_reading():
    done = run_cli(["ingest", "--help"], cli_env(__import__("pathlib").Path("/tmp")))
    assert "--prune" in done.stdout and "--mapping" in done.stdout


def test_the_command_list_reads_on_an_80_column_terminal():
    """Each command's line is its summary re-wrapped to the table, not its docstring's own
    line breaks (which left "the Ascendant, the" alone on a line)."""
    from typer.main import get_command

    from oraculum.cli import app

    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        summary = command.short_help or command.help or ""
        assert summary and "\n" not in summary and len(summary) <= 240, name
    env = {**cli_env(__import__("pathlib").Path("/tmp")), "COLUMNS": "80"}
    lines = run_cli(["--help"], env).stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    table = lines[next(i for i, line in enumerate(lines) if "Commands" in line) + 1 : -1]
    name_column = len(table[0]) - len(table[0][2:].split(" ", 1)[1].lstrip())
    for line, after in itertools.pairwise(table):
        continued = not after[1:name_column].strip()  # the next line carries on this entry
        # a line cut short where the docstring broke, not where the column ends
        assert not continued or len(line[:-1].rstrip()) > 60, line
