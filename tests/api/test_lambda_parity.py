"""The light Lambda router and the FastAPI app (through Mangum) give the same answers.

Both serve the same API Gateway HTTP API events over the same knowledge base: the sample
events in events/ and the ways a request goes wrong. Status, media type, the Allow and
WWW-Authenticate headers and the JSON body must agree; only timings and the cache flag
(the first of the two to make a horoscope caches it) may differ.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mangum import Mangum

from oraculum.api.asgi.app import asgi
from oraculum.api.aws_lambda.router import Router
from oraculum.api.http.routes import ROUTES
from oraculum.api.http.services import ApiServices
from oraculum.config import Settings
from tests.conftest import KNOWLEDGE, ROOT, cli_env, run_cli

EVENTS = ROOT / "events"
SECURITY = ("x-content-type-options", "x-frame-options", "content-security-policy")
FUNCTION_OF = {"tarot-reading": "tarot", "tarot-card": "tarot", "horoscope": "horoscope",
               "natal": "horoscope", "ask": "ask"}  # fmt: skip


@dataclass
class Context:
    aws_request_id: str = "req-parity-1"
    function_name: str = "oraculum-test"

    def get_remaining_time_in_millis(self) -> int:
        return 28_000


@pytest.fixture(scope="module")
def hashing_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("kb-hashing")
    done = run_cli(["ingest", str(KNOWLEDGE), "--json"], cli_env(data_dir))
    assert done.returncode == 0, done.stderr
    return data_dir


@pytest.fixture(params=["gateway", "api-key"])
def pair(request: pytest.FixtureRequest, hashing_kb: Path) -> Iterator[tuple[Any, Any, str]]:
    settings = Settings(data_dir=hashing_kb, embedder="hashing", auth_mode=request.param,
                        api_keys="k1,k2", max_body_bytes=2_048)  # fmt: skip
    runtime = ApiServices(settings)
    fastapi = Mangum(asgi(settings), lifespan="off")
    routers = {name: Router(make(), runtime) for name, make in ROUTES.items()}
    yield fastapi, routers, request.param
    runtime.close()


def sample(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


def with_key(event: dict[str, Any], key: str | None = "k2") -> dict[str, Any]:
    event = copy.deepcopy(event)
    if key is not None:
        event["headers"]["authorization"] = f"Bearer {key}"
    return event


def comparable(response: dict[str, Any]) -> tuple[int, str, dict[str, str], Any]:
    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    body = json.loads(raw) if "json" in headers["content-type"] else raw
    if isinstance(body, dict):
        body.pop("timings_ms", None)
        body.pop("cached", None)
    kept = {k: headers[k] for k in ("allow", "www-authenticate", *SECURITY) if k in headers}
    return response["statusCode"], headers["content-type"], kept, body


def both(pair: tuple[Any, Any, str], function: str, event: dict[str, Any]) -> tuple[Any, Any]:
    fastapi, routers, _ = pair
    light = comparable(routers[function](copy.deepcopy(event), Context()))
    full = comparable(fastapi(copy.deepcopy(event), Context()))
    return light, full


@pytest.mark.parametrize("name", sorted(FUNCTION_OF))
def test_sample_events_answer_alike(pair: tuple[Any, Any, str], name: str) -> None:
    light, full = both(pair, FUNCTION_OF[name], with_key(sample(name)))
    assert light == full
    assert light[0] == 200 and light[1] == "application/json"


def _tarot(body: str | None, **changes: Any) -> dict[str, Any]:
    event = with_key(sample("tarot-reading"))
    event["body"] = body
    event.update(changes)
    return event


def _get(path: str, query: dict[str, str] | None = None, method: str = "GET") -> dict[str, Any]:
    event = with_key(sample("horoscope"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["queryStringParameters"] = query or {}
    event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in (query or {}).items())
    event["body"] = None
    return event


def _with_type(event: dict[str, Any], content_type: str) -> dict[str, Any]:
    event["headers"]["content-type"] = content_type
    return event


def _anonymous(event: dict[str, Any]) -> dict[str, Any]:
    event["headers"].pop("authorization", None)
    event["requestContext"].pop("authorizer", None)
    return event


B64_BODY = base64.b64encode(b'{"question": "love?", "seed": 3}').decode()
ERRORS = {
    "malformed json": ("tarot", _tarot('{"question": "x",')),
    "unknown spread": ("tarot", _tarot('{"question": "x", "spread": "pentagram"}')),
    "extra field": ("tarot", _tarot('{"question": "x", "colour": "red"}')),
    "empty question": ("tarot", _tarot('{"question": ""}')),
    "seed is a string": ("tarot", _tarot('{"question": "x", "seed": "7"}')),
    "oversize body": ("tarot", _tarot(json.dumps({"question": "x" * 3_000}))),
    "base64 body": ("tarot", _tarot(B64_BODY, isBase64Encoded=True)),
    "unknown card": ("tarot", _get("/v1/tarot/cards/the-dragon")),
    "card list": ("tarot", _get("/v1/tarot/cards")),
    "spreads": ("tarot", _get("/v1/tarot/spreads")),
    "card in vietnamese": ("tarot", _get("/v1/tarot/cards/the-star", {"lang": "vi"})),
    "card in klingon": ("tarot", _get("/v1/tarot/cards/the-star", {"lang": "tlh"})),
    "wrong method": ("tarot", _get("/v1/tarot/spreads", method="DELETE")),
    "unknown path": ("tarot", _get("/v1/tarot/nowhere")),
    "bad sign": ("horoscope", _get("/v1/horoscopes/ophiuchus")),
    "natal by GET": ("horoscope", _get("/v1/horoscopes/natal")),
    "bad date": ("horoscope", _get("/v1/horoscopes/leo", {"date": "2026-02-30"})),
    "date out of range": ("horoscope", _get("/v1/sky", {"date": "2060-01-01"})),
    "bad time zone": ("horoscope", _get("/v1/sky", {"date": "2026-01-01", "tz": "Mars/Olympus"})),
    "sky": ("horoscope", _get("/v1/sky", {"date": "2026-11-26", "tz": "Asia/Ho_Chi_Minh"})),
    "search": ("ask", _get("/v1/search", {"q": "the tower", "top_k": "3", "kind": "card"})),
    "top_k too big": ("ask", _get("/v1/search", {"q": "x", "top_k": "500"})),
    "top_k not a number": ("ask", _get("/v1/search", {"q": "x", "top_k": "many"})),
    "search without q": ("ask", _get("/v1/search")),
    "health": ("ask", _get("/health")),
    "invalid UTF-8": (
        "tarot",
        _tarot(base64.b64encode(b'{"question": "\xff\xfe?"}').decode(), isBase64Encoded=True),
    ),
    "deep nesting": ("tarot", _tarot('{"question": ' + "[" * 100 + "]" * 100 + "}")),
    "nesting past the parser": ("tarot", _tarot("[" * 1_020 + "]" * 1_020)),
    "body is a JSON list": ("tarot", _tarot("[1, 2]")),
    "body is a JSON string": ("tarot", _tarot('"a question"')),
    "text/plain body": ("tarot", _with_type(_tarot('{"question": "x"}'), "text/plain")),
    "json with a charset": (
        "tarot",
        _with_type(_tarot('{"question": "x", "seed": 1}'), "application/json; charset=utf-8"),
    ),
    "oversize body, no credential": ("tarot", _anonymous(_tarot(json.dumps({"q": "x" * 3_000})))),
    "text/plain, no credential": ("tarot", _anonymous(_with_type(_tarot("x"), "text/plain"))),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_every_kind_of_request_answers_alike(pair: tuple[Any, Any, str], case: str) -> None:
    function, event = ERRORS[case]
    light, full = both(pair, function, event)
    assert light == full
    assert light[2]["x-content-type-options"] == "nosniff"  # security headers on every answer
    assert "frame-ancestors 'none'" in light[2]["content-security-policy"]


EXPECTED = {
    "invalid UTF-8": (400, "malformed-json"),
    "deep nesting": (422, "invalid-input"),
    "nesting past the parser": (400, "malformed-json"),
    "text/plain body": (415, "unsupported-media-type"),
    "json with a charset": (200, None),
    "oversize body, no credential": (413, "payload-too-large"),
    "text/plain, no credential": (415, "unsupported-media-type"),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_bodies_get_the_same_named_answer(pair: tuple[Any, Any, str], case: str) -> None:
    status, kind = EXPECTED[case]
    light, _ = both(pair, *ERRORS[case])
    assert light[0] == status
    if kind:
        assert light[3]["type"].endswith("/" + kind)


def test_a_413_carries_a_request_id_and_a_log_line(pair, capsys) -> None:
    event = _anonymous(_tarot(json.dumps({"q": "x" * 3_000})))
    fastapi, routers, _ = pair
    for front in (fastapi, routers["tarot"]):
        answer = front(copy.deepcopy(event), Context())
        assert answer["statusCode"] == 413 and answer["headers"]["x-request-id"] == "req-parity-1"
        logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
        assert any(e.get("status") == 413 and e["request_id"] == "req-parity-1" for e in logged)


def test_missing_body_is_a_field_error_in_both(pair: tuple[Any, Any, str]) -> None:
    light, full = both(pair, "tarot", _tarot(None))
    assert light[0] == full[0] == 422
    assert light[3]["field"] == full[3]["field"] == "body"


def test_without_a_credential_both_refuse(pair: tuple[Any, Any, str]) -> None:
    event = sample("tarot-reading")
    del event["requestContext"]["authorizer"]
    light, full = both(pair, "tarot", event)
    assert light == full and light[0] == 401 and light[2]["www-authenticate"] == "Bearer"


def test_a_wrong_key_is_refused_in_key_mode(pair: tuple[Any, Any, str]) -> None:
    if pair[2] != "api-key":
        pytest.skip("the gateway mode trusts the authorizer and reads no key")
    light, full = both(pair, "tarot", with_key(sample("tarot-reading"), "wrong"))
    assert light == full and light[0] == 401


def test_a_named_stage_prefix_is_routed(pair: tuple[Any, Any, str]) -> None:
    event = with_key(sample("tarot-card"))
    event["requestContext"]["stage"] = "prod"
    event["rawPath"] = "/prod" + event["rawPath"]
    light = comparable(pair[1]["tarot"](event, Context()))
    assert light[0] == 200 and light[3]["id"] == "the-tower"


def test_a_request_gets_the_invocations_time_within_api_gateways_29_s() -> None:
    from oraculum.api.aws_lambda.router import _time_left

    class Remaining:
        def __init__(self, ms: int) -> None:
            self.ms = ms

        def get_remaining_time_in_millis(self) -> int:
            return self.ms

    assert _time_left(Remaining(60_000)) == 28.0  # the gateway's 29 s, less the margin
    assert _time_left(Remaining(12_000)) == 11.0  # the function's own timeout comes first
    assert _time_left(None) == 28.0


# Retrieval checks the deadline before each step. A horoscope or a tarot reading on the embedded
# stores asks only SQLite by id (microseconds, no check; a tarot reading searches nothing); on
# DynamoDB each call checks it (test_dynamodb_store.py).
@pytest.mark.parametrize("name", ["ask"])
def test_a_request_with_no_time_left_gets_a_clear_503_not_a_lambda_timeout(
    pair: tuple[Any, Any, str], name: str
) -> None:
    @dataclass
    class NearlySpent(Context):
        def get_remaining_time_in_millis(self) -> int:
            return 1_100  # 0.1 s once the second kept to answer is taken off

    _, routers, _ = pair
    response = routers[FUNCTION_OF[name]](with_key(sample(name)), NearlySpent())
    body = json.loads(response["body"])
    assert response["statusCode"] == 503, body
    assert body["type"].endswith("/deadline-exceeded")
    assert "ran out of time before" in body["detail"]
    # The same request with the usual time is answered.
    assert routers[FUNCTION_OF[name]](with_key(sample(name)), Context())["statusCode"] == 200


def test_the_chart_wheel_answers_alike_as_svg_text(pair: tuple[Any, Any, str]) -> None:
    query = {"date": "1990-05-15", "time": "14:30", "tz": "Asia/Ho_Chi_Minh",
             "latitude": "10.8231", "longitude": "106.6297"}  # fmt: skip
    light, full = both(pair, "horoscope", _get("/v1/charts/wheel.svg", query))
    assert light == full
    status, content_type, _, body = light
    assert status == 200 and content_type.startswith("image/svg+xml")
    assert body.startswith("<svg") and 'data-body="ascendant"' in body
