"""`oraculum verify`, `repair` and `stats`: the health of the two stores."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import friendly_errors, out, print_json, progress, settings
from oraculum.config import Stores, open_stores
from oraculum.ingest.verify import DriftReport, repair, verify

JsonFlag = Annotated[bool, typer.Option("--json", help="print the result as JSON")]


def _verify(stores: Stores, quiet: bool) -> DriftReport:
    total = stores.documents.count() + stores.index.count()
    with progress("verify", total, enabled=not quiet) as tick:
        return verify(stores, tick=tick)


def _drift_table(report: DriftReport) -> None:
    lexical = "" if report.lexical is None else f", {report.lexical} in the lexical index"
    table = Table(
        title=f"{report.documents} chunks in the document store, {report.vectors} vectors{lexical}"
    )
    table.add_column("drift")
    table.add_column("count", justify="right")
    table.add_column("examples", overflow="fold")
    examples = report.as_dict(examples=3)["examples"]
    for name, count in report.counts().items():
        shown = report.dimension_mismatch if name == "dimension_mismatch" else examples[name]
        table.add_row(name.replace("_", " "), str(count), ", ".join(shown))
    out.print(table)
    if report.waited_s:
        out.print(f"waited {report.waited_s:.1f} s for the index to catch up")
    out.print("[green]clean[/]" if report.clean else "[red]the stores have drifted[/]")


def verify_command(as_json: JsonFlag = False) -> None:
    """Compare both stores in full; exit 1 on any drift."""
    with friendly_errors():
        stores = open_stores(settings())
        try:
            report = _verify(stores, as_json)
        finally:
            stores.close()
    if as_json:
        print_json(report.as_dict())
    else:
        _drift_table(report)
    if not report.clean:
        raise typer.Exit(1)


def repair_command(as_json: JsonFlag = False) -> None:
    """Fix drift: delete orphan vectors, re-index missing, stale and stuck chunks."""
    cfg = settings()
    with friendly_errors():
        stores = open_stores(cfg)
        try:
            drift = _verify(stores, as_json)
            with progress("repair", sum(drift.counts().values()), enabled=not as_json) as tick:
                result = repair(cfg, stores, drift, tick=tick)
            after = _verify(stores, True)
        finally:
            stores.close()
    if as_json:
        print_json(
            {"before": drift.as_dict(), "repair": result.as_dict(), "after": after.as_dict()}
        )
    else:
        out.print(
            f"deleted {result.orphans_deleted} orphan vectors, wrote {result.vectors_written} "
            f"vectors ({result.chunks_embedded} embedded)"
            + (
                ""
                if result.lexical_rebuilt is None
                else f"; lexical index made again ({result.lexical_rebuilt} entries)"
            )
        )
        for problem in result.unrepairable:
            out.print(f"[red]cannot repair:[/] {problem}")
        _drift_table(after)
    if not after.clean:
        raise typer.Exit(1)


def stats_command(as_json: JsonFlag = False) -> None:
    """Counts by kind, language and status, and the model the stores were built with."""
    cfg = settings()
    with friendly_errors():
        stores = open_stores(cfg)
        try:
            by_kind: Counter[tuple[str, str]] = Counter()
            by_status: Counter[str] = Counter()
            docs: set[str] = set()
            for chunk in stores.documents.scan():
                by_kind[(chunk.kind, chunk.lang)] += 1
                by_status[chunk.status] += 1
                docs.add(chunk.doc_id)
            data = {
                "data_dir": str(cfg.data_dir),
                "embedder": stores.embedder.model_id,
                "dim": stores.embedder.dim,
                "index_model": stores.index.model_id,
                "index_dim": stores.index.dim,
                "documents": len(docs),
                "chunks": sum(by_status.values()),
                "vectors": stores.index.count(),
                "status": dict(by_status),
                "by_kind": [
                    {"kind": k, "lang": lang, "chunks": n}
                    for (k, lang), n in sorted(by_kind.items())
                ],
            }
        finally:
            stores.close()
    if as_json:
        print_json(data)
        return
    out.print(
        f"{data['documents']} documents, {data['chunks']} chunks, {data['vectors']} vectors in "
        f"{data['data_dir']} — {data['embedder']} ({data['dim']}-d)"
    )
    table = Table()
    for name in ("kind", "lang", "chunks"):
        table.add_column(name, justify="right" if name == "chunks" else "left")
    for row in data["by_kind"]:
        table.add_row(row["kind"], row["lang"], str(row["chunks"]))
    out.print(table)
