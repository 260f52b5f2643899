"""Focus, scope and compatibility: the rules over a table of questions in English and
Vietnamese (tests/questions.json, written apart from the labelled examples the embedder uses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oraculum.domain.zodiac import SIGNS
from oraculum.readings import compatibility
from oraculum.readings.ask import compatibility_facts
from oraculum.readings.focus import FOCUSES, by_keywords, classify, facet_of
from oraculum.readings.scope import assess
from oraculum.readings.words import words

TABLE = json.loads((Path(__file__).parents[1] / "questions.json").read_text("utf-8"))


def row_id(row: dict) -> str:
    return f"{row['lang']}:{row['q'][:40]}"


@pytest.mark.parametrize("row", TABLE["focus"], ids=row_id)
def test_the_focus_of_a_question(row):
    # without an embedder a question with no keyword is `general`: the table's general
    # questions hold none, which is what makes them general
    assert classify(row["q"]).focus == row["focus"]


def test_the_table_covers_every_focus_in_both_languages():
    seen = {(r["focus"], r["lang"]) for r in TABLE["focus"]}
    assert seen == {(f, lang) for f in FOCUSES for lang in ("en", "vi")}


def test_a_decision_about_an_area_keeps_the_area_and_says_it_is_a_decision():
    found = by_keywords("Should I take the new job offer in Hanoi?")
    assert found is not None and (found.focus, found.decision) == ("work", True)
    assert {"job offer", "should i"} <= set(found.matched)
    assert facet_of("work") == "work" and facet_of("health") == "inner"


def test_keywords_match_whole_words_only():
    # "or" marks a choice, but not inside "work" or "for"; "tiền" is money, not "tiền kiếp"
    found = by_keywords("Tell me about my inner work for the coming weeks")
    assert found is not None and not found.decision
    assert classify("Tiền kiếp của tôi là gì?").focus != "money"


@pytest.mark.parametrize("row", TABLE["scope"], ids=row_id)
def test_the_scope_of_a_question(row):
    found = assess(row["q"])
    assert (found.scope, found.category) == (row["scope"], row["category"]), found


def test_every_scope_and_category_has_its_words_in_both_languages():
    for lang in ("en", "vi"):
        notes = words(lang).scope
        for key in ("off-topic", "self-harm", "violence", "poisoning", "weapons", "medical",
                    "legal", "financial"):  # fmt: skip
            assert notes[key].strip()
    assert "findahelpline.com" in words("vi").scope["self-harm"]


@pytest.mark.parametrize("row", TABLE["compatibility"], ids=row_id)
def test_a_compatibility_question_names_its_sign(row):
    found = compatibility.asked(row["q"])
    assert found is not None and found.sign.key == row["sign"]


def test_not_every_question_naming_a_sign_is_about_compatibility():
    assert compatibility.asked("What does Mercury in Gemini mean for me?") is None
    assert compatibility.asked("Tính cách cung Song Tử thế nào?") is None


def test_gemini_suits_the_air_signs_then_fire_and_its_opposite():
    gemini = SIGNS["gemini"]
    assert [s.key for s in compatibility.at(gemini, "trine")] == ["libra", "aquarius"]
    assert [s.key for s in compatibility.at(gemini, "sextile")] == ["aries", "leo"]
    assert [s.key for s in compatibility.at(gemini, "opposite")] == ["sagittarius"]
    assert [s.key for s in compatibility.at(gemini, "square")] == ["virgo", "pisces"]
    facts, answer = compatibility_facts(compatibility.Match(gemini, None), words("vi"))
    assert answer == (
        "Theo các quy tắc này, Song Tử hợp nhất với: Thiên Bình, Bảo Bình, Bạch Dương, Sư Tử "
        "và Nhân Mã."
    )
    assert "Thiên Bình và Bảo Bình" in facts[0]


def test_two_signs_are_read_as_a_pair():
    pair = compatibility.asked("Is a Leo good with a Scorpio?")
    assert pair is not None and pair.other is not None
    assert compatibility.relation(pair.sign, pair.other) == "square"
    _, answer = compatibility_facts(pair, words("en"))
    assert answer.startswith("Leo and Scorpio: the same fixed modality")
