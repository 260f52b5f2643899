"""The HTTP API over a live `oraculum serve` on loopback, as curl would see it."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.slow
KEY = {"Authorization": "Bearer test-key"}
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def assert_problem(response: httpx.Response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"].endswith(f"/problems/{kind}") and body["status"] == status
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}]
)
def test_every_v1_route_needs_a_credential(client, headers):
    for method, path in [("GET", "/v1/tarot/spreads"), ("GET", "/v1/tarot/cards"), ("GET", "/v1/sky"),
                         ("POST", "/v1/tarot/readings"), ("POST", "/v1/ask"), ("GET", "/v1/horoscopes/leo")]:  # fmt: skip
        response = client.request(method, path, headers=headers, json={"question": "hi"})
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_reading_with_cards_and_sources_that_exist(client):
    body = {"question": "Will my new job suit me?", "spread": "three-card", "seed": 12}
    response = client.post(
        "/v1/tarot/readings", json=body, headers={"Authorization": "Bearer other-key"}
    )
    assert response.status_code == 200
    reading = response.json()
    assert [c["position"] for c in reading["cards"]] == ["Past", "Present", "Future"]
    assert reading["sources"] and not reading["degraded"]
    card = reading["cards"][0]
    slug = card["card_id"].rsplit("/", 1)[1]
    detail = client.get(f"/v1/tarot/cards/{slug}", headers=KEY).json()
    assert card["meaning_id"] in {s["chunk_id"] for s in detail["sections"].values()}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "kind", "field"),
    [
        ("POST", "/v1/tarot/readings", {"content": b'{"question": "x",'}, 400, "malformed-json", None),
        ("POST", "/v1/tarot/readings", {"json": {"question": "x", "spread": "pentagram"}}, 422, "invalid-input", "spread"),
        ("POST", "/v1/tarot/readings", {"json": {"question": "x" * 1001}}, 422, "invalid-input", "question"),
        ("POST", "/v1/tarot/readings", {"json": {"question": "   "}}, 422, "invalid-input", "question"),
        ("POST", "/v1/tarot/readings", {"content": b'{"question": "' + b"a" * 20_000 + b'"}'}, 413, "payload-too-large", None),
        ("POST", "/v1/horoscopes/natal", {"json": {"birth_date": "1990-02-30"}}, 422, "invalid-input", "birth_date"),
        ("POST", "/v1/horoscopes/natal", {"json": {"birth_date": "1990-02-03", "latitude": 95}}, 422, "invalid-input", "latitude"),
        ("GET", "/v1/horoscopes/ophiuchus", {}, 422, "invalid-input", "sign"),
        ("GET", "/v1/horoscopes/natal", {}, 405, "method-not-allowed", None),
        ("POST", "/v1/tarot/readings", {"json": {"question": "x", "seed": True}}, 422, "invalid-input", "seed"),
        ("POST", "/v1/horoscopes/natal", {"json": {"birth_date": "1990-02-03", "tz": "Mars/Olympus"}}, 422, "invalid-input", "tz"),
        ("GET", "/v1/sky?date=2100-01-01", {}, 422, "invalid-input", "date"),
        ("GET", "/v1/search?q=tower&top_k=500", {}, 422, "invalid-input", "top_k"),
        ("GET", "/v1/tarot/cards/the-dragon", {}, 404, "not-found", None),
        ("GET", "/v1/nothing-here", {}, 404, "not-found", None),
        ("DELETE", "/v1/tarot/spreads", {}, 405, "method-not-allowed", None),
    ],
)  # fmt: skip
def test_bad_requests_get_problem_json(client, method, path, kwargs, status, kind, field):
    headers = {**KEY, "content-type": "application/json"}
    body = assert_problem(client.request(method, path, headers=headers, **kwargs), status, kind)
    if field:
        assert body["field"] == field


def test_openapi_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/v1/tarot/readings" in spec["paths"] and "/health" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_health_reports_dimension_agreement(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["dimensions_agree"] is True
    assert (
        health["embedder_dim"] == health["index_dim"] == 384
        and health["vectors"] == health["documents"]
    )


def test_catalogue_routes(client):
    cards = client.get("/v1/tarot/cards", headers=KEY).json()["cards"]
    assert len(cards) == 78 and cards[16]["id"] == "the-tower"
    vi = client.get("/v1/tarot/cards/three-of-swords?lang=vi", headers=KEY).json()
    assert vi["lang"] == "vi" and {"description", "upright", "reversed"} <= set(vi["sections"])
    assert {f"{o}-{f}" for o in ("upright", "reversed")
            for f in ("love", "work", "money", "inner", "advice")} <= set(vi["sections"])  # fmt: skip
    spreads = client.get("/v1/tarot/spreads", headers=KEY).json()["spreads"]
    assert {"single", "three-card", "celtic-cross", "relationship", "horseshoe", "two-paths",
            "yes-no", "year-ahead"} <= {s["id"] for s in spreads} and len(spreads) >= 11  # fmt: skip
    vi = client.get("/v1/tarot/spreads?lang=vi", headers=KEY).json()["spreads"]
    celtic = next(s for s in vi if s["id"] == "celtic-cross")
    assert celtic["lang"] == "vi" and celtic["positions"][9] == "Kết quả"
    assert celtic["position_details"][9] == {
        "key": "outcome", "name": "Kết quả", "lead": celtic["position_details"][9]["lead"],
        "answers": True,
    }  # fmt: skip


def test_horoscope_natal_sky_ask_and_search(client):
    horo = client.get("/v1/horoscopes/leo?date=2026-08-01&lang=vi", headers=KEY).json()
    assert horo["sign"] == "leo" and horo["lang"] == "vi" and len(horo["sky"]["planets"]) == 10
    natal = client.post("/v1/horoscopes/natal", headers=KEY, json={
        "birth_date": "1961-08-04", "birth_time": "19:24", "tz": "Pacific/Honolulu",
        "latitude": 21.3069, "longitude": -157.8583}).json()  # fmt: skip
    assert natal["big_three"]["rising"] == "aquarius"
    sky = client.get("/v1/sky?date=2025-03-20", headers=KEY).json()
    assert sky["planets"][0]["sign"] == "aries"
    answer = client.post(
        "/v1/ask", headers=KEY, json={"question": "What is a full moon good for?"}
    ).json()
    assert answer["sources"] and answer["kind"] == "ask"
    hits = client.get(
        "/v1/search", params={"q": "sudden upheaval", "kind": "tarot_card", "top_k": 3}, headers=KEY
    ).json()
    assert len(hits["hits"]) == 3


def test_security_headers_on_the_page_the_api_and_errors(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["x-content-type-options"] == "nosniff"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    for response in (client.get("/v1/tarot/spreads", headers=KEY), client.get("/v1/nowhere"),
                     client.post("/v1/ask", content=b"x" * 20_000, headers=KEY)):  # fmt: skip
        assert response.headers["x-content-type-options"] == "nosniff"
        assert (
            response.headers["content-security-policy"]
            == "default-src 'none'; frame-ancestors 'none'"
        )
        assert response.headers["x-request-id"]
    assert (
        "access-control-allow-origin"
        not in client.get("/health", headers={"Origin": "https://x.example"}).headers
    )


def test_the_clients_request_id_is_kept_only_when_short_and_plain(client):
    kept = client.get("/health", headers={"x-request-id": "trace-42.a"})
    assert kept.headers["x-request-id"] == "trace-42.a"
    for odd in ("x" * 129, "two words", "semi;colon"):
        answer = client.get("/health", headers={"x-request-id": odd})
        assert answer.headers["x-request-id"] != odd and len(answer.headers["x-request-id"]) <= 128


def test_cors_is_configurable(tmp_path):
    from fastapi.testclient import TestClient

    from oraculum.api.asgi.app import asgi
    from oraculum.config import Settings

    settings = Settings(data_dir=tmp_path, embedder="hashing", cors_origins="https://app.example")
    with TestClient(asgi(settings)) as local:
        allowed = local.options("/v1/ask", headers={"Origin": "https://app.example",
                                                    "Access-Control-Request-Method": "POST"})  # fmt: skip
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = local.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
