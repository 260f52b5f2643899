"""`oraculum ingest`: load a source into both stores; `oraculum ingest-finish`: the step after
every shard of a sharded ingest (prune from their manifests, lexical sync, verify)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from oraculum.cli.common import err, fail, friendly_errors, out, print_json, progress, settings
from oraculum.config import Settings, open_stores
from oraculum.domain.errors import printable
from oraculum.ingest.finish import FinishReport, finish
from oraculum.ingest.mapping import load_mappings
from oraculum.ingest.pipeline import IngestOptions, IngestReport, ingest
from oraculum.ingest.shards import Shard
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
    if report.shard is not None:
        out.print(
            f"shard {report.shard} of run {report.run}: {report.elsewhere} records left to the "
            f"other shards; manifest written in {report.manifest_parts} part(s)"
            + (" (dry run: none)" if report.dry_run else "")
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
    shard: Annotated[
        str | None,
        typer.Option(
            help="I/N: load only shard I of N (0-based), the records whose document id falls "
            "to it (sha256 of the id, mod N); every shard of a run needs --run, then "
            "`oraculum ingest-finish` once"
        ),
    ] = None,
    run: Annotated[
        str | None,
        typer.Option(help="the id all shards of one sharded run share (letters, digits, ._-)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Load a source into the vector index and the document store, keeping both consistent.

    Unchanged records are neither re-embedded nor rewritten. Bad records are listed with where
    they came from (file and line, or table and legacy id) and field; the rest still load, and
    the exit code is 1. With --shard I/N --run RUN, N workers (machines, functions) load one
    source together, each its share; `oraculum ingest-finish` then prunes and verifies.
    """
    cfg = settings()
    if source_name is not None and is_url(source_name):
        source_name = redact_url(source_name)  # stored with every record: never a password
    options = IngestOptions(prune, dry_run, strict, _shard(shard), run)
    with friendly_errors():
        options.check()
        src = resolve_source(source, mapping)
        with _one_writer(cfg, sharded=options.shard is not None):
            stores = open_stores(cfg, claim=not dry_run)
            try:
                with progress(f"ingest ({src.unit})", src.total_bytes, enabled=not as_json) as tick:
                    report = ingest(
                        cfg, stores, src, options, source_name=source_name, on_progress=tick
                    )
            finally:
                stores.close()
    if as_json:
        print_json(report.as_dict())
    else:
        _summary(report)
    if report.rejected:
        raise typer.Exit(1)


def _shard(spec: str | None) -> Shard | None:
    if spec is None:
        return None
    try:
        return Shard.parse(spec)
    except ValueError as exc:
        fail(f"--shard {spec}: {exc}")


@contextmanager
def _one_writer(cfg: Settings, *, sharded: bool) -> Iterator[None]:
    """Shards on the embedded HNSW index take turns: each run saves the whole graph it holds,
    so two at once would save graphs without the other's vectors. A lock file in the data
    directory makes a second shard wait for the first (the AWS column has no such turn)."""
    if not sharded or cfg.vector_index != "usearch":
        yield
        return
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    with (cfg.data_dir / "ingest.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _finish_summary(report: FinishReport) -> None:
    table = Table(title=f"run {report.run}: {report.shards} shards finished")
    for name in ("documents", "read", "rejected", "deleted"):
        table.add_column(name, justify="right")
    table.add_row(*(str(v) for v in (report.documents, report.read, report.rejected,
                                     report.deleted)))  # fmt: skip
    out.print(table)
    if report.prune_skipped:
        err.print(f"[yellow]prune skipped:[/] {report.prune_skipped}")
    if report.dry_run:
        out.print("dry run: nothing was deleted, synced or verified")
        return
    if report.lexical is not None:
        out.print(f"lexical index rebuilt: {report.lexical} chunks")
    drift = report.drift
    if drift.clean:
        out.print(f"[green]verify: clean[/] ({drift.documents} chunks, {drift.vectors} vectors)")
    else:
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in drift.counts().items() if v)
        out.print(f"[red]verify: the stores have drifted[/] ({counts}); run oraculum repair")


def ingest_finish_command(
    source: Annotated[str, typer.Argument(help="the source the shards loaded, as they named it")],
    run: Annotated[str, typer.Option(help="the run id every shard was given")],
    shards: Annotated[int, typer.Option(help="N, the number of shards of the run", min=1)],
    mapping: Annotated[
        Path | None, typer.Option(help="the mapping the shards read the source with")
    ] = None,
    source_name: Annotated[
        str | None, typer.Option(help="the --source-name the shards were given, if any")
    ] = None,
    prune: Annotated[
        bool, typer.Option(help="delete what no shard of the run saw (--no-prune: keep it)")
    ] = True,
    dry_run: Annotated[
        bool, typer.Option(help="report what would be deleted; delete, sync and verify nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """After every shard of a sharded ingest: prune, rebuild the lexical index, verify.

    Refused (exit 2, nothing pruned) while any of the N shards has not reported complete; the
    message names them. Exit 1 when verify finds drift afterwards, 0 when clean.
    """
    cfg = settings()
    with friendly_errors():
        name = _finish_source_name(source, mapping, source_name)
        with _one_writer(cfg, sharded=True):
            stores = open_stores(cfg)
            try:
                report = finish(stores, name, run, shards, prune=prune, dry_run=dry_run)
            finally:
                stores.close()
    if as_json:
        print_json(report.as_dict())
    else:
        _finish_summary(report)
    if not report.clean:
        raise typer.Exit(1)


def _finish_source_name(source: str, mapping: Path | None, source_name: str | None) -> str:
    """The name the shards stored the source by: --source-name (a URL without credentials),
    else the source's own name, as `ingest` derives it."""
    if source_name is not None:
        return printable(redact_url(source_name) if is_url(source_name) else source_name)
    return printable(resolve_source(source, mapping).name)
