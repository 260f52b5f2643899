"""`oraculum search`: retrieval alone, with the consistency check."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import fail, friendly_errors, out, print_json, settings
from oraculum.config import open_stores
from oraculum.rag.retrieve import Retriever

MAX_QUERY_CHARS = 2_000


def search_command(
    text: Annotated[str, typer.Argument(help="what to look for, in any language")],
    kind: Annotated[
        str | None, typer.Option(help="only this kind (tarot_card, zodiac_sign, …)")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="only this language (en, vi)")] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="how many hits")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print the hits as JSON")] = False,
) -> None:
    """Embed the query, search the index, fetch the documents, drop hits that fail the check."""
    cfg = settings()
    if not text.strip():
        fail("text: give something to search for")
    if len(text) > MAX_QUERY_CHARS:
        fail(f"text: {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    if top_k > cfg.max_top_k:
        fail(f"--top-k: {top_k} is over the limit of {cfg.max_top_k} (ORACULUM_MAX_TOP_K)")
    with friendly_errors():
        stores = open_stores(cfg)
        try:
            if stores.documents.count() == 0:
                fail("the knowledge base is empty: run `oraculum ingest data/knowledge` first")
            result = Retriever(stores.embedder, stores.index, stores.documents).search(
                text, top_k=top_k, kind=kind, lang=lang
            )
        finally:
            stores.close()
    hits = [h.as_dict() for h in result.hits]
    if as_json:
        timings = {
            "embed": round(result.embed_ms, 2),
            "search": round(result.search_ms, 2),
            "fetch": round(result.fetch_ms, 2),
        }
        print_json({"query": text, "hits": hits, "dropped": result.dropped, "timings_ms": timings})
        return
    table = Table(title=f"search: {text}")
    for name in ("score", "title", "kind", "lang", "section", "snippet", "id"):
        table.add_column(name, overflow="fold", justify="right" if name == "score" else "left")
    for h in hits:
        table.add_row(
            f"{h['score']:.3f}",
            h["title"],
            h["kind"],
            h["lang"],
            h["section"],
            h["snippet"],
            h["id"],
        )
    out.print(table)
    if result.dropped:
        out.print(f"[yellow]{len(result.dropped)} hit(s) dropped by the consistency check[/]")
