"""`oraculum search`: retrieval alone, with the consistency check."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from oraculum.cli.common import fail, friendly_errors, out, print_json, settings
from oraculum.config import build_retriever, open_stores
from oraculum.rag.retrieve import MODES, Mode, NoLexicalIndex
from oraculum.rag.twins import in_language

MAX_QUERY_CHARS = 2_000


def search_command(
    text: Annotated[str, typer.Argument(help="what to look for, in any language")],
    mode: Annotated[
        str | None,
        typer.Option(help="dense (meaning), lexical (words, BM25) or hybrid (both, fused)"),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="show hits in this language (en, vi) where a translation exists"),
    ] = None,
    only_lang: Annotated[
        str | None, typer.Option("--only-lang", help="search only passages in this language")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="only this kind (tarot_card, zodiac_sign, …)")
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="how many hits")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print the hits as JSON")] = False,
) -> None:
    """Search the knowledge base by meaning and by words; drop hits that fail the check."""
    cfg = settings()
    if not text.strip():
        fail("text: give something to search for")
    if len(text) > MAX_QUERY_CHARS:
        fail(f"text: {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    if top_k > cfg.max_top_k:
        fail(f"--top-k: {top_k} is over the limit of {cfg.max_top_k} (ORACULUM_MAX_TOP_K)")
    if mode is not None and mode not in MODES:
        fail(f"--mode: {mode!r} is not one of {', '.join(MODES)}")
    for name, value in (("--lang", lang), ("--only-lang", only_lang)):
        if value is not None and value not in ("en", "vi"):
            fail(f"{name}: {value!r} is not a language of the base (en, vi)")
    with friendly_errors():
        stores = open_stores(cfg)
        try:
            if stores.documents.count() == 0:
                fail("the knowledge base is empty: run `oraculum ingest data/knowledge` first")
            retriever = build_retriever(cfg, stores)
            try:
                result = retriever.search(
                    text,
                    top_k=top_k,
                    kind=kind,
                    lang=only_lang,
                    mode=_mode(mode),
                    one_per_document=True,
                )
            except NoLexicalIndex as exc:
                fail(f"--mode: {exc}")
            hits = result.hits if lang is None else in_language(result.hits, lang, stores.documents)
        finally:
            stores.close()
    shown = [h.as_dict() for h in hits]
    if as_json:
        print_json(
            {
                "query": text,
                "mode": result.mode,
                "reranked": result.reranked,
                "rerank_failed": result.rerank_failed,
                "hits": shown,
                "dropped": result.dropped,
                "timings_ms": result.timings(),
            }
        )
        return
    out.print(_table(text, result.mode, shown))
    if result.dropped:
        out.print(f"[yellow]{len(result.dropped)} hit(s) dropped by the consistency check[/]")


def _mode(name: str | None) -> Mode | None:
    return None if name is None else next(m for m in MODES if m == name)


def _table(text: str, mode: str, hits: list[dict[str, Any]]) -> Table:
    """Three columns that fit 80 characters: rank and score, the passage, its opening."""
    table = Table(title=f"{mode} search: {text}", show_lines=True, expand=True)
    table.add_column("#", justify="right", width=5, no_wrap=True)
    table.add_column("passage", ratio=2, min_width=22, overflow="fold")
    table.add_column("snippet", ratio=3, min_width=30)
    for rank, h in enumerate(hits, start=1):
        passage = Text(h["title"], style="bold")
        passage.append(
            f"\n{h['kind']} · {h['lang']}" + (f" · {h['section']}" if h["section"] else "")
        )
        passage.append(f"\n{h['id']}", style="dim")
        if h["shown_for"]:
            passage.append(f"\nfound as {h['shown_for']}", style="dim")
        table.add_row(f"{rank}\n{h['score']:.3f}", passage, h["snippet"])
    return table
