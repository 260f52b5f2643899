"""The natal chart's warnings: what a few minutes of birth time would change."""

from __future__ import annotations

from oraculum.domain.chart import natal_chart


def test_a_moon_minutes_past_its_ingress_is_flagged():
    from datetime import UTC, datetime, timedelta

    from oraculum.domain.events import events_between

    ingress = next(e for e in events_between(datetime(2026, 12, 1, tzinfo=UTC),
                                             datetime(2026, 12, 10, tzinfo=UTC), ("moon",))
                   if e.kind == "ingress")  # fmt: skip
    born = ingress.at + timedelta(minutes=3)
    chart = natal_chart(born.date(), born.time(), "UTC", 21.03, 105.85)
    warning = next(w for w in chart.warnings if w.point == "moon" and w.what == "sign")
    assert (warning.what, warning.now, warning.other) == ("sign", ingress.sign, ingress.from_sign)
    assert -5 <= warning.minutes <= -2
