"""`oraculum tarot`, `ask` and `demo`: readings from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from oraculum.cli.common import fail, friendly_errors, out, print_json, settings
from oraculum.cli.render import cards_table, show_answer
from oraculum.config import build_services, open_stores
from oraculum.domain.tarot import SPREADS
from oraculum.readings.ask import ask
from oraculum.readings.services import Services
from oraculum.readings.tarot import TarotRequest, tarot_reading

Lang = Annotated[str, typer.Option(help="language of the reading: en or vi")]
Json = Annotated[bool, typer.Option("--json", help="print the answer as JSON")]


@contextmanager
def reading_services() -> Iterator[Services]:
    cfg = settings()
    with friendly_errors():
        stores = open_stores(cfg)
        try:
            if stores.documents.count() == 0:
                fail("the knowledge base is empty: run `oraculum ingest data/knowledge` first")
            yield build_services(cfg, stores)
        finally:
            stores.close()


def tarot_command(
    question: Annotated[str, typer.Argument(help="what the reading is about")],
    spread: Annotated[str, typer.Option(help=f"one of: {', '.join(SPREADS)}")] = "three-card",
    seed: Annotated[int | None, typer.Option(help="a seed makes the draw reproducible")] = None,
    lang: Lang = "en",
    as_json: Json = False,
) -> None:
    """Draw a spread and read it from the knowledge base, with sources."""
    with reading_services() as services, friendly_errors():
        answer = tarot_reading(TarotRequest(question, spread, seed, lang), services)
    if as_json:
        print_json(answer.as_dict())
    else:
        show_answer(answer, facts=cards_table(answer))


def spreads_command(lang: Lang = "en", as_json: Json = False) -> None:
    """List the spreads and their positions (the position marked * answers the question)."""
    from rich.table import Table

    from oraculum.readings.services import check_lang
    from oraculum.readings.words import words

    with friendly_errors():
        check_lang(lang)
    listed = SPREADS.values()
    if as_json:
        print_json({"spreads": [s.as_dict(lang) for s in listed]})
        return
    label = words(lang).labels
    table = Table(title=f"{len(listed)} {label['spread']} ({label['answers']}: *)")
    table.add_column("id", no_wrap=True)
    for name in (label["spread"], label["positions"]):
        table.add_column(name, overflow="fold")
    for s in listed:
        names = [f"{p.name_in(lang)}*" if p.answers else p.name_in(lang) for p in s.positions]
        table.add_row(s.id, s.name_in(lang), f"{len(names)}: " + ", ".join(names))
    out.print(table)


def ask_command(
    question: Annotated[str, typer.Argument(help="a question about tarot or astrology")],
    lang: Lang = "en",
    as_json: Json = False,
) -> None:
    """Answer a free question from the knowledge base, citing its passages."""
    with reading_services() as services, friendly_errors():
        answer = ask(question, services, lang=lang)
    if as_json:
        print_json(answer.as_dict())
    else:
        show_answer(answer)


def demo_command() -> None:
    """A reading end to end: a seeded three-card draw on a sample question."""
    question = "I feel stuck at work. What should I pay attention to?"
    out.print(f"[bold]oraculum tarot[/] {question!r} --spread three-card --seed 7\n")
    with reading_services() as services, friendly_errors():
        answer = tarot_reading(TarotRequest(question, "three-card", 7, "en"), services)
    show_answer(answer, facts=cards_table(answer))
