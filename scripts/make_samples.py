"""Write docs/samples/: real readings in English and Vietnamese, as a person receives them.

    .venv/bin/python scripts/make_samples.py [--out docs/samples]

Run by `make samples` after `oraculum ingest data/knowledge`, over the data directory the
settings name (ORACULUM_DATA_DIR), with the configured generator (the extractive composer by
default). The clock is fixed (ORACULUM_NOW, default below) and every draw is seeded, so the
files change only when the code or the knowledge base does: a diff of docs/samples/ shows what
a change did to what readers get.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_NOW = "2026-12-04T08:00:00+00:00"  # the day the samples describe

# Ten readings: several spreads and focuses, in both languages.
TAROT = [
    ("tarot-job-offer", "Should I take the new job offer in Hanoi?", "three-card", 7, "en"),
    ("tarot-life", "Where is my life heading?", "celtic-cross", 11, "en"),
    ("tarot-relationship", "Where is this relationship going?", "relationship", 3, "en"),
    ("tarot-money", "How can I get my spending under control this year?", "horseshoe", 4, "en"),
    ("tarot-yes-no", "Will I move abroad next year?", "yes-no", 9, "en"),
    ("tarot-job-offer", "Tôi có nên nhận lời mời làm việc mới ở Hà Nội không?", "three-card", 7,
     "vi"),
    ("tarot-day", "Hôm nay tôi nên chú ý điều gì?", "single", 5, "vi"),
    ("tarot-love", "Em và anh ấy có quay lại được với nhau không?", "relationship", 8, "vi"),
    ("tarot-two-paths", "Em nên học tiếp thạc sĩ hay đi làm luôn?", "two-paths", 2, "vi"),
    ("tarot-inner", "Làm sao để mình bớt lo âu và sống bình an hơn?", "mind-body-spirit", 6,
     "vi"),
]  # fmt: skip
LABELS = {
    "en": {"reading": "The reading", "sources": "Sources", "question": "Question",
           "cards": ("position", "card", "orientation", "read for"), "focus": "Focus"},
    "vi": {"reading": "Bài đọc", "sources": "Nguồn", "question": "Câu hỏi",
           "cards": ("vị trí", "lá bài", "chiều", "đọc theo"), "focus": "Trọng tâm"},
}  # fmt: skip
HOROSCOPES = [("scorpio", "en", "Asia/Ho_Chi_Minh"), ("scorpio", "vi", "Asia/Ho_Chi_Minh"),
              ("leo", "en", "Europe/London")]  # fmt: skip
ASKS = [("What does the Tower mean when it is reversed?", "en"),
        ("Cung Song Tử hợp với cung nào?", "vi"),
        ("What is the capital of France?", "en")]  # fmt: skip


def markdown(answer: Any, title: str, details: list[str]) -> str:
    data = answer.as_dict()
    label = LABELS[data["lang"]]
    lines = [f"# {title}", "", *details, "", f"## {label['reading']}", "", data["text"].strip()]
    lines += ["", f"## {label['sources']}", "", *[f"- `{s}`" for s in data["sources"]], ""]
    lines += [f"Model: `{data['model']}`; degraded: {data['degraded']}."]
    if data["notes"]:
        lines += ["", "Notes:", *[f"- {n}" for n in data["notes"]]]
    return "\n".join(lines) + "\n"


def card_lines(answer: Any) -> list[str]:
    from oraculum.readings.words import words

    if not answer.reading["cards"]:
        return []
    w = words(answer.lang)
    head = LABELS[answer.lang]["cards"]
    rows = [f"| {' | '.join(head)} |", "| --- | --- | --- | --- |"]
    for c in answer.reading["cards"]:
        rows.append(f"| {c['position']} | {c['card']} | {c['orientation_label']} | "
                    f"{w.labels[c['facet']]} |")  # fmt: skip
    return rows


def samples(services: Any) -> dict[str, Callable[[], str]]:
    from oraculum.readings.ask import ask
    from oraculum.readings.horoscope import daily_horoscope
    from oraculum.readings.natal import NatalRequest, natal_reading
    from oraculum.readings.tarot import TarotRequest, tarot_reading

    made: dict[str, Callable[[], str]] = {}
    for name, question, spread, seed, lang in TAROT:

        def tarot(q: str = question, sp: str = spread, s: int = seed, lg: str = lang) -> str:
            from oraculum.readings.words import words

            answer = tarot_reading(TarotRequest(q, sp, s, lg), services)
            label = LABELS[lg]
            focus = answer.reading.get("focus")
            shown = words(lg).focus_names[focus] if focus else answer.reading["scope"]
            info = [f"{label['question']}: **{q}**", "",
                    f"`{sp}`, seed {s}, `{lg}`; {label['focus']}: {shown}.", ""]  # fmt: skip
            title = answer.reading.get("spread_name") or sp
            return markdown(answer, f"Tarot: {title}", info + card_lines(answer))

        made[f"{name}.{lang}.md"] = tarot
    day = date.fromisoformat(SAMPLES_NOW[:10])
    for sign, lang, tz in HOROSCOPES:

        def horoscope(sg: str = sign, lg: str = lang, zone: str = tz) -> str:
            answer = daily_horoscope(sg, day, services, lang=lg, tz=zone)
            info = [f"Sign `{sg}`, {day.isoformat()}, zone `{zone}`, language `{lg}`."]
            return markdown(answer, f"Horoscope: {sg} ({lg})", info)

        made[f"horoscope-{sign}.{lang}.md"] = horoscope
    for lang in ("en", "vi"):

        def natal(lg: str = lang) -> str:
            birth = NatalRequest(date(1990, 5, 15), time(14, 30), "Asia/Ho_Chi_Minh", 10.8231,
                                 106.6297, lg)  # fmt: skip
            answer = natal_reading(birth, services)
            info = ["Born 1990-05-15 14:30 in Ho Chi Minh City (10.8231 N, 106.6297 E)."]
            return markdown(answer, f"Natal chart ({lg})", info)

        made[f"natal.{lang}.md"] = natal
    for n, (question, lang) in enumerate(ASKS, start=1):

        def free(q: str = question, lg: str = lang) -> str:
            return markdown(ask(q, services, lang=lg), f"Ask ({lg})", [f"Question: **{q}**"])

        made[f"ask-{n}.{lang}.md"] = free
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "samples")
    args = parser.parse_args()
    os.environ.setdefault("ORACULUM_NOW", SAMPLES_NOW)
    from oraculum.config import Settings, build_services, open_stores

    settings = Settings()
    stores = open_stores(settings)
    if stores.documents.count() == 0:
        raise SystemExit("the knowledge base is empty: run `oraculum ingest data/knowledge` first")
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        services = build_services(settings, stores)
        for name, make in samples(services).items():
            (args.out / name).write_text(make(), encoding="utf-8")
            written.append(name)
    finally:
        stores.close()
    index = ["# Samples", "", f"Real outputs of `make samples`, the clock at {SAMPLES_NOW}.", ""]
    index += [f"- [{name}]({name})" for name in written]
    (args.out / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"wrote {len(written)} samples to {args.out}")


if __name__ == "__main__":
    main()
