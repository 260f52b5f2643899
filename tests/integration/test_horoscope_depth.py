"""Horoscopes that speak of this sign and these days, and the sky's events, over the bundled
base. The event times are checked against the Swiss Ephemeris in tests/unit/test_events.py;
here, that the readings carry them, in the reader's zone and houses."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from oraculum.readings.horoscope import daily_horoscope
from tests.conftest import cli_env, run_cli

pytestmark = pytest.mark.slow
DAY = date(2026, 12, 4)
ZONE = "Asia/Ho_Chi_Minh"


def test_scorpio_on_4_december_names_the_week_events_with_their_times(services):
    answer = daily_horoscope("scorpio", DAY, services, lang="en", tz=ZONE).as_dict()
    events = {(e["kind"], e["body"]): e for e in answer["events"]}
    mercury = events[("ingress", "mercury")]
    assert (mercury["sign"], mercury["local_date"], mercury["house"]) == ("sagittarius",
                                                                          "2026-12-06", 2)  # fmt: skip
    assert mercury["at_utc"].startswith("2026-12-06T08:")
    new_moon = events[("new-moon", "moon")]
    assert new_moon["local_date"] == "2026-12-09" and new_moon["sign"] == "sagittarius"
    saturn = events[("station-direct", "saturn")]
    assert saturn["local_date"] == "2026-12-11" and saturn["at_utc"].startswith("2026-12-10T23")
    for e in (mercury, new_moon, saturn):
        assert e["text"] in answer["text"]  # the composed reading names each, with its date


def test_every_planet_is_read_in_its_own_sign_and_the_reader_house(services):
    answer = daily_horoscope("scorpio", DAY, services, lang="en", tz=ZONE).as_dict()
    assert len(answer["planets"]) == 10
    for p in answer["planets"]:
        assert 0 <= p["degree"] <= 29
        sign_ids = [s for s in answer["sources"] if s.startswith("planet-in-sign/")]
        assert any(f"planet-in-sign/{p['body']}-in-{p['sign']}/en#" in s for s in sign_ids), p
        house = f"planet-in-house/{p['body']}-in-house-{p['house']}/en#"
        assert any(s.startswith(house) for s in answer["sources"]), p
        # no paragraph about the planet in another sign
        others = [s for s in sign_ids if s.startswith(f"planet-in-sign/{p['body']}-in-")]
        assert all(f"-in-{p['sign']}/" in s for s in others), others
    # Mercury in Scorpio is the reader's first house; the degrees are floored, as printed
    mercury = next(p for p in answer["planets"] if p["body"] == "mercury")
    assert (mercury["sign"], mercury["house"]) == ("scorpio", 1)
    assert f"Mercury in Scorpio {mercury['degree']}°" in answer["text"]


def test_a_vietnamese_horoscope_names_the_events_in_vietnamese(services):
    answer = daily_horoscope("scorpio", DAY, services, lang="vi", tz=ZONE).as_dict()
    assert "Sao Thủy vào Nhân Mã" in answer["text"] and "Trăng non ở Nhân Mã" in answer["text"]
    assert "nhà 2 của bạn" in answer["text"]
    prose = re.sub(r"\[[^\]]+\]", "", answer["text"])  # the citations' ids stay English
    for word in ("enters", "your", "house", "New Moon", "retrograde"):
        assert word not in prose, word


def test_the_month_outlook_lists_a_month_of_events(services):
    month = daily_horoscope("leo", DAY, services, tz=ZONE, period="month").as_dict()
    week = daily_horoscope("leo", DAY, services, tz=ZONE, period="week").as_dict()
    assert month["period"] == "month" and len(month["events"]) > len(week["events"])
    assert max(e["local_date"] for e in month["events"]) <= "2027-01-02"
    assert "full-moon" in {e["kind"] for e in month["events"]}


def test_oraculum_events_lists_december_to_the_minute(knowledge_dir):
    env = cli_env(knowledge_dir)
    done = run_cli(["events", "--from", "2026-12-01", "--to", "2026-12-31", "--tz", ZONE,
                    "--no-moon", "--json"], env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["events"]
    found = {(e["kind"], e["body"], e["local_date"]) for e in listed}
    assert {("ingress", "mercury", "2026-12-06"), ("new-moon", "moon", "2026-12-09"),
            ("station-direct", "saturn", "2026-12-11"),
            ("station-retrograde", "jupiter", "2026-12-13")} <= found  # fmt: skip
    assert all(e["body"] != "moon" or e["kind"] != "ingress" for e in listed)
    bad = run_cli(["events", "--from", "2026-12-10", "--to", "2026-12-01"], env)
    assert bad.returncode == 2 and "before --from" in bad.stderr
