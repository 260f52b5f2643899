"""Human output of a reading: Rich tables for the facts, a panel for the text, the sources."""

from __future__ import annotations

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from oraculum.cli.common import out
from oraculum.readings.answer import Answer
from oraculum.readings.words import words


def cards_table(answer: Answer) -> Table | None:
    """The drawn cards, labelled in the reading's language; None when nothing was drawn."""
    if not answer.reading.get("cards"):
        return None
    label = words(answer.lang).labels
    title = answer.reading.get("spread_name") or answer.reading["spread"]
    focus = answer.reading.get("focus")
    if focus:
        title += f" · {label['focus']}: {words(answer.lang).focus_names[focus]}"
    table = Table(title=title)
    for name in ("#", label["position"], label["card"], label["orientation"], label["reads"]):
        table.add_column(name, overflow="fold")
    for row in answer.reading["cards"]:
        turned = row["orientation_label"] + (" ↓" if row["orientation"] == "reversed" else " ↑")
        if row["orientation"] == "reversed":
            turned = f"[magenta]{turned}[/]"
        table.add_row(str(row["position_index"] + 1), row["position"], f"[bold]{row['card']}[/]",
                      turned, f"[dim]{label[row['facet']]}[/]")  # fmt: skip
    return table


def show_answer(answer: Answer, *, facts: Table | None = None) -> None:
    label = words(answer.lang).labels
    if facts is not None:
        out.print(facts)
    subtitle = f"{answer.model}" + (f" · [red]{label['degraded']}[/]" if answer.degraded else "")
    if answer.cached:
        subtitle += f" · {label['cached']}"
    # Text(), not a markup string: the citations' square brackets must print as they are.
    out.print(
        Panel(
            Text(answer.text),
            title=label.get(answer.kind, answer.kind),
            subtitle=subtitle,
            padding=(1, 2),
        )
    )
    for note in answer.notes:
        out.print(f"[yellow]{label['note']}:[/] {note}")
    if answer.sources:
        out.print(f"[bold]{label['sources']}[/]")
    for source in answer.sources:
        out.print(Text(f"  • {source}"))
    t = answer.timings
    timings = label["timings"].format(r=t.retrieve_ms, g=t.generate_ms, t=t.total_ms)
    out.print(f"[dim]{timings}[/]")
