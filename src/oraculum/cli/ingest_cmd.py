"""`oraculum ingest`: load a source into both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import err, fail, friendly_errors, out, print_json, progress, settings
from oraculum.config import open_stores
from oraculum.ingest.mapping import load_mappings
from oraculum.ingest.pipeline import IngestOptions, IngestReport, ingest
from oraculum.ingest.sources import (
    Source,
    chain_sources,
    is_url,
    jsonl_source,
    mapped_source,
    redact_url,
    url_source,
)


def resolve_source(source: str, mapping: Path | None) -> Source:
    """A path (JSONL, or JSON/CSV with a mapping) or a URL (postgresql:// with a mapping)."""
    mappings = load_mappings(mapping) if mapping is not None else []
    if is_url(source):
        return url_source(source, mappings)
    path = Path(source)
    if mappings:
        return chain_sources([mapped_source(path, m) for m in mappings])
    if path.is_dir() or path.suffix == ".jsonl":
        return jsonl_source(path)
    fail(
        f"{source}: only JSONL (a file or a folder of them) is read without a mapping; "
        "give --mapping MAPPING.yaml for JSON or CSV (see docs/mapping.md)"
    )


def _summary(report: IngestReport) -> None:
    table = Table(title="dry run: nothing was written" if report.dry_run else "ingest")
    for name in ("read", "new", "updated", "unchanged", "deleted", "rejected"):
        table.add_column(name, justify="right")
    table.add_row(
        *(
            str(v)
            for v in (report.read, report.new, report.updated, report.unchanged, report.deleted)
        ),
        str(len(report.rejected)),
    )
    out.print(table)
    out.print(
        f"chunks written {report.chunks_written}, embedded {report.chunks_embedded}, "
        f"from cache {report.cache_hits}"
    )
    if report.prune_skipped:
        err.print(f"[yellow]prune skipped:[/] {report.prune_skipped}")
    if report.rejected:
        rejected = Table(title="rejected records", show_lines=False)
        for name in ("where", "field", "reason"):
            rejected.add_column(name, overflow="fold")
        for r in report.rejected[:50]:
            rejected.add_row(f"{r.source}:{r.location}", r.field or "", r.reason)
        err.print(rejected)
        if len(report.rejected) > 50:
            err.print(f"… and {len(report.rejected) - 50} more (--json lists them all)")


def ingest_command(
    source: Annotated[
        str,
        typer.Argument(
            help="a JSONL file, a folder of them, a JSON/CSV file with --mapping, or a "
            "postgresql://user@host:port/db URL with --mapping (the password is best given "
            "in PGPASSWORD or ~/.pgpass)"
        ),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(help="mapping file (YAML or TOML) for JSON, CSV or a PostgreSQL table"),
    ] = None,
    prune: Annotated[bool, typer.Option(help="delete what this source no longer has")] = False,
    dry_run: Annotated[bool, typer.Option(help="report what would change; write nothing")] = False,
    strict: Annotated[bool, typer.Option(help="stop at the first rejected record")] = False,
    source_name: Annotated[
        str | None,
        typer.Option(
            help="the name --prune knows this source by (default: its resolved path, or the "
            "URL without credentials); a URL given here loses its credentials too"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Load a source into the vector index and the document store, keeping both consistent.

    Unchanged records are neither re-embedded nor rewritten. Bad records are listed with where
    they came from (file and line, or table and legacy id) and field; the rest still load, and
    the exit code is 1.
    """
    cfg = settings()
    if source_name is not None and is_url(source_name):
        source_name = redact_url(source_name)  # stored with every record: never a password
    with friendly_errors():
        src = resolve_source(source, mapping)
        stores = open_stores(cfg, claim=not dry_run)
        try:
            with progress(f"ingest ({src.unit})", src.total_bytes, enabled=not as_json) as tick:
                report = ingest(
                    cfg, stores, src, IngestOptions(prune, dry_run, strict),
                    source_name=source_name, on_progress=tick,
                )  # fmt: skip
        finally:
            stores.close()
    if as_json:
        print_json(report.as_dict())
    else:
        _summary(report)
    if report.rejected:
        raise typer.Exit(1)
