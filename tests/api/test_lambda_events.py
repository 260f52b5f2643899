"""The Lambda front door never raises: any JSON value as the event gets an answer.

Every function (tarot, horoscope, ask through the light router; precompute on its own) is
called in-process on the hashing knowledge base with events hypothesis makes: arbitrary JSON,
and the sample events with one part replaced by arbitrary JSON. Each answer is a dict; an
error is a 4xx problem+json with the request id, and a log line was written. A 5xx would mean
the event broke our code, so none may appear.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oraculum.api.aws_lambda.handlers as handlers
from tests.conftest import KNOWLEDGE, ROOT, cli_env, run_cli

EVENTS = ROOT / "events"
SAMPLES = {
    "tarot": ["tarot-reading", "tarot-card"],
    "horoscope": ["horoscope", "natal"],
    "ask": ["ask"],
    "precompute": ["precompute"],
}


@dataclass
class Context:
    aws_request_id: str = "req-fuzz-1"

    def get_remaining_time_in_millis(self) -> int:
        return 28_000


@pytest.fixture(scope="module")
def lambda_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The handlers' settings point at a hashing knowledge base, in gateway mode."""
    data_dir = tmp_path_factory.mktemp("kb-fuzz")
    done = run_cli(["ingest", str(KNOWLEDGE), "--json"], cli_env(data_dir))
    assert done.returncode == 0, done.stderr
    patch = pytest.MonkeyPatch()
    patch.setenv("ORACULUM_DATA_DIR", str(data_dir))
    patch.setenv("ORACULUM_EMBEDDER", "hashing")
    patch.setenv("ORACULUM_AUTH_MODE", "gateway")
    patch.setattr(handlers, "_runtime", None)
    patch.setattr(handlers, "_handlers", {})
    yield
    if handlers._runtime is not None:
        handlers._runtime.close()
    patch.undo()


def sample(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
# Text that may hold a lone surrogate, as a JSON parser can produce from "\ud800".
SURROGATE_TEXT = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1)
FIELDS = ["body", "isBase64Encoded", "headers", "requestContext", "queryStringParameters",
          "rawPath", "date", "langs", ("requestContext", "authorizer"),
          ("requestContext", "http"), ("requestContext", "authorizer", "jwt", "claims"),
          ("requestContext", "http", "method")]  # fmt: skip


def _replace(event: dict[str, Any], where: str | tuple[str, ...], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(event)
    path = (where,) if isinstance(where, str) else where
    node: Any = event
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return event


@st.composite
def events(draw: st.DrawFn, function: str) -> Any:
    if draw(st.booleans()):
        return draw(JSON)
    base = sample(draw(st.sampled_from(SAMPLES[function])))
    where = draw(st.sampled_from(FIELDS))
    value = draw(JSON | SURROGATE_TEXT | st.sampled_from(["false", "true", "%%%", "eA=", "en"]))
    return _replace(base, where, value)


def check_answer(function: str, event: Any) -> None:
    logs = io.StringIO()
    with contextlib.redirect_stdout(logs):
        result = getattr(handlers, function)(event, Context())
    assert isinstance(result, dict)
    if function == "precompute" and "statusCode" not in result:
        assert set(result) == {"date", "made"}
        return
    status = result["statusCode"]
    assert 200 <= status < 500, (status, result.get("body"))
    assert result["headers"]["x-request-id"] == "req-fuzz-1"
    body = json.loads(result["body"])
    if status >= 400:
        assert result["headers"]["content-type"] == "application/problem+json"
        assert body["status"] == status and body["type"].startswith("https://")
    if function != "precompute":
        assert result["headers"]["x-content-type-options"] == "nosniff"
    assert "req-fuzz-1" in logs.getvalue()  # the request's log line carries its id


@pytest.mark.parametrize("function", sorted(SAMPLES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_event_gets_an_answer_never_an_exception(lambda_env, function, data) -> None:
    check_answer(function, data.draw(events(function)))


MALFORMED = {
    "None": None,
    "a list": [1, 2],
    "a string": "GET /v1/tarot/spreads",
    "body not a string": ("tarot-reading", "body", {"question": "x"}),
    "bad base64 padding": ("tarot-reading", "isBase64Encoded", True, "body", "eyJxIjoi"),
    "isBase64Encoded as 'false'": ("tarot-reading", "isBase64Encoded", "false"),
    "lone surrogate in the body": ("tarot-reading", "body", '{"question": "\ud800?"}'),
    "headers as a list": ("tarot-reading", "headers", ["accept"]),
    "requestContext as a string": ("tarot-reading", "requestContext", "ctx"),
    "authorizer as a string": ("tarot-reading", ("requestContext", "authorizer"), "jwt"),
    "claims as a string": (
        "tarot-reading", ("requestContext", "authorizer", "jwt", "claims"), "sub"),
    "query not an object": ("horoscope", "queryStringParameters", "date=2026-11-26"),
}  # fmt: skip


def _malformed(spec: Any) -> Any:
    if not isinstance(spec, tuple):
        return spec
    name, *changes = spec
    event = sample(name)
    for where, value in zip(changes[::2], changes[1::2], strict=True):
        event = _replace(event, where, value)
    return event


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.parametrize("function", ["tarot", "horoscope", "ask"])
def test_the_malformed_events_of_the_issue_get_a_4xx_problem(lambda_env, function, case) -> None:
    event = _malformed(MALFORMED[case])
    logs = io.StringIO()
    with contextlib.redirect_stdout(logs):
        result = getattr(handlers, function)(event, Context())
    assert 400 <= result["statusCode"] < 500, result
    assert result["headers"]["content-type"] == "application/problem+json"
    assert result["headers"]["x-request-id"] == "req-fuzz-1"
    assert '"status":4' in logs.getvalue().replace(" ", "")


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (None, "event"),
        ({"langs": "en"}, "langs"),
        ({"langs": ["en", "tlh"]}, "langs"),
        ({"date": "someday"}, "date"),
        ({"date": 20261126}, "date"),
        ({"date": "2027-09-01"}, "date"),  # out of the stored window: nothing to make ahead
        ({"date": "0001-01-01"}, "date"),
    ],
)
def test_precompute_refuses_what_it_cannot_make(lambda_env, event, field) -> None:
    result = handlers.precompute(event, Context())
    assert 400 <= result["statusCode"] < 500, result
    body = json.loads(result["body"])
    assert body["field"] == field and result["headers"]["x-request-id"] == "req-fuzz-1"


def test_a_long_or_odd_client_request_id_is_replaced(lambda_env) -> None:
    event = sample("tarot-reading")
    for given_id in ("x" * 129, "bad id\nwith a newline", "ok-id.1:2_3"):
        event["headers"]["x-request-id"] = given_id
        result = handlers.tarot(copy.deepcopy(event), None)
        kept = result["headers"]["x-request-id"]
        assert (kept == given_id) == (given_id == "ok-id.1:2_3") and len(kept) <= 128


def test_a_handled_5xx_leaves_a_server_errors_metric_its_alarm_can_see(tmp_path) -> None:
    """A route that fails answers 500, and ServerErrors leaves in an EMF line of its own with
    exactly the dimensions the template's alarm names: {function, service}."""
    from oraculum.api.aws_lambda.router import Router
    from oraculum.api.http.routes import Route
    from oraculum.api.http.schemas import Health
    from oraculum.api.http.services import ApiServices
    from oraculum.config import Settings

    def fails(runtime):
        from oraculum import observability

        observability.count("ReadingLatency", 12.0, reading="tarot")  # another dimension set
        raise RuntimeError("the disk is on fire")

    runtime = ApiServices(Settings(data_dir=tmp_path, embedder="hashing"))
    router = Router(
        [Route("GET", "/boom", fails, Health, "boom", "test", public=True)], runtime, "tarot"
    )
    event = _replace(sample("tarot-card"), "rawPath", "/boom")
    logs = io.StringIO()
    with contextlib.redirect_stdout(logs):
        answer = router(event, Context())
    assert answer["statusCode"] == 500 and "fire" not in answer["body"]
    emf = [json.loads(line) for line in logs.getvalue().splitlines() if '"_aws"' in line]
    errors = [e for e in emf if "ServerErrors" in e]
    assert len(errors) == 1 and errors[0]["ServerErrors"] in (1.0, [1.0])
    directive = errors[0]["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "Oraculum"
    assert directive["Dimensions"] == [["function", "service"]] and errors[0]["function"] == "tarot"
    assert all("ReadingLatency" not in e for e in errors)
