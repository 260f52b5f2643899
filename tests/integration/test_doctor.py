"""`oraculum doctor` through the real CLI: embedded stores, DynamoDB on moto's server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import card, cli_env, run_cli, write_jsonl


def doctor(env: dict[str, str]) -> tuple[int, dict]:
    done = run_cli(["doctor", "--json"], env)
    return done.returncode, json.loads(done.stdout)


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def test_a_fresh_embedded_setup_is_ready_and_empty(tmp_path: Path) -> None:
    code, report = doctor(cli_env(tmp_path / "data"))
    assert code == 0 and report["ok"]
    assert "will create" in by_name(report)["vector index"]["detail"]


def test_an_embedder_that_disagrees_with_the_stores_is_one_line_each(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data")
    source = write_jsonl(tmp_path / "n.jsonl", [card(n) for n in range(3)])
    assert run_cli(["ingest", str(source)], env).returncode == 0
    code, report = doctor({**env, "ORACULUM_HASHING_DIM": "512"})
    checks = by_name(report)
    assert code == 1 and not report["ok"]
    assert "384-d" in checks["vector index"]["detail"] and checks["vector index"]["fix"]
    assert not checks["document store"]["ok"] and checks["embedder"]["ok"]
    # and the human table says the same, one row per check
    table = run_cli(["doctor"], {**env, "ORACULUM_HASHING_DIM": "512"})
    assert table.returncode == 1 and table.stdout.count("FAIL") == 2


def test_a_bad_setting_names_the_variable(tmp_path: Path) -> None:
    code, report = doctor(cli_env(tmp_path / "data", ORACULUM_CHUNK_CHARS="5"))
    assert code == 1 and report["checks"][0]["name"] == "setting chunk_chars"
    assert "ORACULUM_CHUNK_CHARS" in report["checks"][0]["fix"]


def test_dynamodb_missing_table_then_ready_after_ingest(tmp_path: Path, aws: str) -> None:
    env = cli_env(tmp_path / "data", ORACULUM_DOCUMENT_STORE="dynamodb",
                  ORACULUM_DYNAMODB_TABLE="DoctorKB")  # fmt: skip
    code, report = doctor(env)
    checks = by_name(report)
    assert code == 1 and checks["aws credentials"]["ok"]
    assert "does not exist" in checks["document store"]["detail"]
    source = write_jsonl(tmp_path / "n.jsonl", [card(n) for n in range(3)])
    assert run_cli(["ingest", str(source)], env).returncode == 0
    code, report = doctor(env)
    assert code == 0, report
    assert by_name(report)["document store"]["detail"].startswith("3 chunks")


def test_no_credentials_stops_before_any_aws_call(tmp_path: Path, aws: str) -> None:
    env = cli_env(tmp_path / "data", ORACULUM_DOCUMENT_STORE="dynamodb",
                  AWS_PROFILE="does-not-exist")  # fmt: skip
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    code, report = doctor(env)
    assert code == 1 and [c["name"] for c in report["checks"]] == ["settings", "aws credentials"]


def test_pinecone_with_a_wrong_key_is_one_failed_line(tmp_path: Path) -> None:
    from tests.standins.pinecone_standin import PineconeStandin

    with PineconeStandin() as server:
        env = cli_env(tmp_path / "data", ORACULUM_VECTOR_INDEX="pinecone",
                      ORACULUM_PINECONE_API_KEY="wrong-key",
                      ORACULUM_PINECONE_CONTROL_HOST=server.url)  # fmt: skip
        code, report = doctor(env)
    checks = by_name(report)
    assert code == 1 and checks["pinecone api key"]["ok"]
    assert "wrong-key" not in json.dumps(report)  # the key is never shown
    assert (
        not checks["vector index"]["ok"]
        and "metaphysical-index" in checks["vector index"]["detail"]
    )
    assert checks["document store"]["ok"] and checks["embedder"]["ok"]
