"""The product's one clock: ORACULUM_NOW fixes it, and nothing else reads the machine's date."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from oraculum.clock import SYSTEM, FixedClock, clock_at, today
from oraculum.config import Settings

SRC = Path(__file__).resolve().parents[2] / "src" / "oraculum"


def test_a_fixed_clock_reads_its_instant_in_utc_and_today_in_any_zone():
    clock = FixedClock(datetime(2026, 12, 31, 20, 0, tzinfo=timezone(timedelta(hours=-5))))
    assert clock.now() == datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    assert today(clock) == date(2027, 1, 1)
    assert today(clock, ZoneInfo("America/New_York")) == date(2026, 12, 31)
    assert today(clock, ZoneInfo("Asia/Ho_Chi_Minh")) == date(2027, 1, 1)
    assert FixedClock(datetime(2026, 1, 1)).now().tzinfo is UTC  # naive is read as UTC


def test_settings_now_fixes_the_clock_and_unset_means_the_system_clock(monkeypatch):
    assert Settings(now="2031-02-28T23:30:00Z").clock().now() == datetime(
        2031, 2, 28, 23, 30, tzinfo=UTC
    )
    monkeypatch.setenv("ORACULUM_NOW", "2027-09-01T12:00:00+07:00")
    assert today(Settings().clock()) == date(2027, 9, 1)
    monkeypatch.delenv("ORACULUM_NOW")
    assert Settings().clock() is SYSTEM and clock_at(None) is SYSTEM
    assert abs((SYSTEM.now() - datetime.now(UTC)).total_seconds()) < 5


def test_nothing_in_the_product_reads_the_machines_date_but_the_clock_module():
    """datetime.now(), date.today(), time.time() and utcnow() live in oraculum/clock.py alone
    (time.monotonic and perf_counter measure durations, not dates, and stay). The one other
    reader is ops/alarms.py: it runs by itself (CloudShell) and asks CloudWatch for the last
    minutes of real metrics, which only the real time can name."""
    readers = {("datetime", "now"), ("date", "today"), ("datetime", "today"),
               ("datetime", "utcnow"), ("time", "time")}  # fmt: skip
    found = []
    for path in SRC.rglob("*.py"):
        if path in (SRC / "clock.py", SRC / "ops" / "alarms.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in readers
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []
