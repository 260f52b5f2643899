"""Readings over the bundled knowledge base, real model for retrieval, composer for text."""

from __future__ import annotations

import threading

import pytest

from oraculum.backends.local.extractive import ExtractiveComposer
from oraculum.domain.errors import InvalidInput
from oraculum.domain.tarot import UnknownSpread
from oraculum.ports import Generation, GenerationRequest
from oraculum.rag.generate import FallbackGenerator
from oraculum.readings.ask import ask
from oraculum.readings.tarot import TarotRequest, tarot_reading

pytestmark = pytest.mark.slow


class BrokenModel:
    """A generator whose model is down: a real Generator, registered like any other."""

    model_id = "test/broken-model"
    languages = frozenset({"en", "vi"})

    def generate(self, request: GenerationRequest) -> Generation:
        raise ConnectionError("model server refused the connection")


class StuckModel:
    """A generator that never answers until released."""

    model_id = "test/stuck-model"
    languages = frozenset({"en"})

    def __init__(self) -> None:
        self.release = threading.Event()

    def generate(self, request: GenerationRequest) -> Generation:
        self.release.wait(30)
        return Generation("late", self.model_id, 1)


def all_exist(services, ids) -> bool:
    return set(services.documents.get_many(ids)) == set(ids)


def test_celtic_cross_has_ten_distinct_cards_in_their_positions(services):
    answer = tarot_reading(
        TarotRequest("Where is my career going?", "celtic-cross", seed=11), services
    )
    cards = answer.reading["cards"]
    assert len(cards) == 10 and len({c["card"] for c in cards}) == 10
    assert [c["position"] for c in cards][:3] == ["Present", "Challenge", "Foundation"]
    for c in cards:
        assert c["meaning_id"].startswith(c["card_id"]) and c["orientation"] in (
            "upright",
            "reversed",
        )
    assert all_exist(services, answer.sources)
    assert all(c["meaning_id"] in answer.sources for c in cards)
    assert not answer.degraded and answer.timings.total_ms >= answer.timings.retrieve_ms


def test_the_meaning_used_matches_the_orientation(services):
    for question in ("What now?", "How is my love life going?"):
        answer = tarot_reading(TarotRequest(question, "celtic-cross", seed=5), services)
        chunks = services.documents.get_many([c["meaning_id"] for c in answer.reading["cards"]])
        for c in answer.reading["cards"]:
            # the general meaning of the orientation, or its facet for the focus
            assert chunks[c["meaning_id"]].section in (c["orientation"], f"{c['orientation']}-love")
            facet = c["facet"]
            assert chunks[c["meaning_id"]].section in (facet, f"{c['orientation']}-{facet}")


def test_same_seed_same_reading(services):
    a = tarot_reading(TarotRequest("Love?", "relationship", seed=99), services)
    b = tarot_reading(TarotRequest("Love?", "relationship", seed=99), services)
    assert a.reading["cards"] == b.reading["cards"] and a.sources == b.sources and a.text == b.text


def test_vietnamese_reading_uses_vietnamese_meanings_for_the_major_arcana(services):
    answer = tarot_reading(
        TarotRequest("Tình yêu của tôi?", "celtic-cross", seed=3, lang="vi"), services
    )
    majors = [c for c in answer.reading["cards"] if c["card_id"].startswith("tarot/major")]
    assert majors and all("/vi#" in c["meaning_id"] and c["facet"] == "love" for c in majors)
    assert "Tổng hợp" in answer.text


def test_a_failing_model_gives_a_degraded_composed_reading(services):
    services_down = build_services_with(
        services, FallbackGenerator(BrokenModel(), ExtractiveComposer())
    )
    answer = tarot_reading(TarotRequest("Will it work out?", "three-card", seed=1), services_down)
    assert answer.degraded is True
    assert "ConnectionError" in answer.notes[0]
    assert answer.model == "oraculum/extractive-composer-v1"
    assert "Past —" in answer.text and all(f"[{s}]" in answer.text for s in answer.sources[:1])


def test_a_model_that_times_out_gives_a_degraded_reading(services):
    stuck = StuckModel()
    try:
        answer = tarot_reading(
            TarotRequest("Hm?", "single", seed=2),
            build_services_with(
                services, FallbackGenerator(stuck, ExtractiveComposer(), timeout_s=0.2)
            ),
        )
    finally:
        stuck.release.set()
    assert answer.degraded and "timed out" in answer.notes[0]


def test_a_model_without_the_language_hands_over_to_the_composer(services):
    answer = tarot_reading(
        TarotRequest("Sự nghiệp?", "single", seed=2, lang="vi"),
        build_services_with(services, FallbackGenerator(StuckModel(), ExtractiveComposer())),
    )
    assert not answer.degraded and "cannot write 'vi'" in answer.notes[0]


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (TarotRequest("", "three-card"), "question"),
        (TarotRequest("x" * 10_000, "three-card"), "question"),
        (TarotRequest("ok?", "three-card", lang="fr"), "lang"),
        (TarotRequest("ok?", "three-card", seed=-1), "seed"),
    ],
)
def test_bad_input_names_the_field(services, request_, field):
    with pytest.raises(InvalidInput) as info:
        tarot_reading(request_, services)
    assert info.value.field == field


def test_unknown_spread(services):
    with pytest.raises(UnknownSpread, match="celtic-cross"):
        tarot_reading(TarotRequest("ok?", "pentagram"), services)


def test_ask_cites_passages_that_exist(services):
    answer = ask("What does Mercury retrograde mean?", services)
    assert answer.sources and all_exist(services, answer.sources)
    assert "mercury" in " ".join(answer.sources)
    assert f"[{answer.sources[0]}]" in answer.text


def build_services_with(services, generator):
    from dataclasses import replace

    return replace(services, generator=generator)


def test_horoscope_from_the_sky_is_generated_once_then_served_from_the_store(services):
    from datetime import date

    from oraculum.readings.horoscope import daily_horoscope

    first = daily_horoscope("Sagittarius", date(2026, 11, 26), services)
    assert first.cached is False and all_exist(services, first.sources)
    assert "zodiac-sign/sagittarius/en#0" in first.sources
    assert any(s.startswith("moon-phase/") for s in first.sources)
    planets = {p["name"]: p for p in first.reading["sky"]["planets"]}
    assert planets["sun"]["sign"] == "sagittarius"  # 26 November: the Sun is in Sagittarius
    again = daily_horoscope("nhân mã", date(2026, 11, 26), services)
    assert again.cached is True and again.text == first.text and again.sources == first.sources
    vi = daily_horoscope("sagittarius", date(2026, 11, 26), services, lang="vi")
    assert vi.cached is False and "zodiac-sign/sagittarius/vi#0" in vi.sources


def test_a_stored_horoscope_expires_days_after_its_day(services):
    from datetime import UTC, date, datetime

    from oraculum.readings.horoscope import cache_expiry, daily_horoscope

    day = date(2026, 11, 28)  # two days after the suite's clock: stored
    expiry = cache_expiry(day, "Asia/Ho_Chi_Minh", services.horoscope_cache_days)
    # The local day ends at 29 Nov 00:00 in Ho Chi Minh City (17:00 UTC on the 28th); 7 days on.
    assert services.horoscope_cache_days == 7
    assert expiry == datetime(2026, 12, 5, 17, 0, tzinfo=UTC).timestamp()
    store = services.documents
    saved = store.clock
    try:
        store.clock = lambda: expiry - 1.0
        first = daily_horoscope("aries", day, services, tz="Asia/Ho_Chi_Minh")
        assert daily_horoscope("aries", day, services, tz="Asia/Ho_Chi_Minh").cached is True
        store.clock = lambda: expiry
        again = daily_horoscope("aries", day, services, tz="Asia/Ho_Chi_Minh")
        assert again.cached is False and again.text == first.text  # made again, the same
    finally:
        store.clock = saved


def test_precompute_makes_all_twelve(services):
    from datetime import date

    from oraculum.readings.horoscope import daily_horoscope, precompute

    made = precompute(date(2026, 11, 27), services)  # tomorrow, by the suite's clock
    assert [a.reading["sign"] for a in made][:3] == ["aries", "taurus", "gemini"]
    assert len(made) == 12
    assert daily_horoscope("leo", date(2026, 11, 27), services).cached is True
    with pytest.raises(InvalidInput, match=r"2027-01-02 is not stored.*-1 to \+7 days"):
        precompute(date(2027, 1, 2), services)


def test_natal_big_three_of_a_published_chart(services):
    from datetime import date, time

    from oraculum.readings.natal import NatalRequest, natal_reading

    # Barack Obama: 1961-08-04 19:24 HST, Honolulu (Astro-Databank, Rodden rating AA):
    # Sun Leo, Moon Gemini, Ascendant Aquarius.
    birth = NatalRequest(date(1961, 8, 4), time(19, 24), "Pacific/Honolulu", 21.3069, -157.8583)
    answer = natal_reading(birth, services)
    big3 = answer.reading["big_three"]
    assert (big3["sun"], big3["moon"], big3["rising"]) == ("leo", "gemini", "aquarius")
    # each read by its own passage: the Sun in Leo, the Moon in Gemini, Aquarius rising
    assert any(s.startswith("planet-in-sign/sun-in-leo/en#") for s in answer.sources)
    assert any(s.startswith("planet-in-sign/moon-in-gemini/en#") for s in answer.sources)
    assert any(s.startswith("zodiac-sign/aquarius/en#") for s in answer.sources)


def test_natal_without_a_birth_time_says_why_rising_is_missing(services):
    from datetime import date

    from oraculum.readings.natal import NatalRequest, natal_reading

    answer = natal_reading(NatalRequest(date(1990, 7, 1)), services)
    big3 = answer.reading["big_three"]
    assert big3["rising"] is None and "birth time" in big3["rising_missing_reason"]
    assert "birth time" in answer.text


def meta_rows(services) -> int:
    import sqlite3

    with sqlite3.connect(services.documents.path) as db:
        return int(db.execute("SELECT COUNT(*) FROM meta").fetchone()[0])


def test_a_flood_of_far_dates_and_zones_stores_nothing(services):
    """Far days are made and answered but not stored; near days are stored once per offset.
    (8 days ahead of the suite's UTC day is still +7 in Kiritimati, UTC+14: the window is
    the reader's.)"""
    from datetime import date, timedelta

    from oraculum.readings.horoscope import daily_horoscope

    zones = ["UTC", "Asia/Ho_Chi_Minh", "Asia/Bangkok", "America/New_York", "Pacific/Kiritimati",
             "Asia/Kathmandu", "Europe/London", "Australia/Eucla"]  # fmt: skip
    before = meta_rows(services)
    suite_today = date(2026, 11, 26)
    far = [suite_today + timedelta(days=d) for d in (-400, -3, 9, 10, 365, 9_000)]
    for day in far:
        for tz in zones:
            answer = daily_horoscope("virgo", day, services, tz=tz)
            assert answer.cached is False and answer.text and answer.reading["tz"] == tz
    assert meta_rows(services) == before
    # Ho Chi Minh City and Bangkok are both UTC+07:00 at noon: one stored horoscope serves both.
    day = suite_today + timedelta(days=3)
    made = daily_horoscope("virgo", day, services, tz="Asia/Ho_Chi_Minh")
    shared = daily_horoscope("virgo", day, services, tz="Asia/Bangkok")
    assert made.cached is False and shared.cached is True and shared.reading["tz"] == "Asia/Bangkok"
    assert shared.text == made.text
    assert meta_rows(services) == before + 1
