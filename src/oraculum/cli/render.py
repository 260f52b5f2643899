"""Human output of a reading: Rich tables for the facts, a panel for the text, the sources."""

from __future__ import annotations

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from oraculum.cli.common import out
from oraculum.readings.answer import Answer


def cards_table(answer: Answer) -> Table:
    table = Table(title=f"{answer.reading['spread']} spread")
    for name in ("#", "position", "card", "orientation", "meaning"):
        table.add_column(name, overflow="fold")
    for row in answer.reading["cards"]:
        turned = "[magenta]reversed ↓[/]" if row["orientation"] == "reversed" else "upright ↑"
        table.add_row(str(row["position_index"] + 1), row["position"], f"[bold]{row['card']}[/]",
                      turned, f"[dim]{row['meaning_id'] or '—'}[/]")  # fmt: skip
    return table


def show_answer(answer: Answer, *, facts: Table | None = None) -> None:
    if facts is not None:
        out.print(facts)
    subtitle = f"{answer.model}" + (" · [red]degraded[/]" if answer.degraded else "")
    if answer.cached:
        subtitle += " · cached"
    # Text(), not a markup string: the citations' square brackets must print as they are.
    out.print(Panel(Text(answer.text), title=answer.kind, subtitle=subtitle, padding=(1, 2)))
    for note in answer.notes:
        out.print(f"[yellow]note:[/] {note}")
    out.print("[bold]sources[/]")
    for source in answer.sources:
        out.print(Text(f"  • {source}"))
    t = answer.timings
    out.print(
        f"[dim]retrieve {t.retrieve_ms:.0f} ms · generate {t.generate_ms:.0f} ms · "
        f"total {t.total_ms:.0f} ms[/]"
    )
