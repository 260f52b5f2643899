"""PostgreSQL as a source: a table (or a query) of the legacy RDS database, row by row.

Each mapping is read in its own read-only transaction through a server-side (named) cursor
that fetches `itersize` rows at a time, so memory does not grow with the table. Progress
counts rows against the planner's estimate of the row count (EXPLAIN, that is
pg_class.reltuples scaled to the table's current size), not bytes.

The password is handed to libpq and to nothing else: the source's name, its errors and its
messages use the URL without user, password or options (`redact_url`), and every error text
from libpq is scrubbed of the password before it is shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from oraculum.domain.errors import RecordRejected
from oraculum.ingest.mapping import FieldError, RecordMapping, SqlSpec
from oraculum.ingest.sources.base import Progress, RawRecord, Source, SourceError
from oraculum.ingest.sources.urls import is_malformed_url, redact_url, split_userinfo

CURSOR_NAME = "oraculum_ingest"
CONNECT_TIMEOUT_S = 10
APPLICATION_NAME = "oraculum-ingest"
_SECRET_PARAMS = ("password", "sslpassword")


@dataclass(frozen=True)
class Target:
    """Where to connect (`url`, secret) and what may be shown of it (`display`, `user`)."""

    url: str
    display: str
    user: str | None
    secrets: tuple[str, ...]

    def scrub(self, text: str) -> str:
        """`text` with every form of the password blanked, on one line."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())

    def reason(self, exc: psycopg.Error) -> str:
        """The server's own message when there is one (not the echo of the SQL), scrubbed."""
        return self.scrub(exc.diag.message_primary or str(exc))


def parse_target(url: str) -> Target:
    _, userinfo, rest = split_userinfo(url)
    user, _, password = userinfo.partition(":")
    query = dict(parse_qsl(urlsplit(f"x://{rest}").query))
    secrets = {password, unquote(password)} | {query.get(k, "") for k in _SECRET_PARAMS}
    display = redact_url(url)
    if is_malformed_url(url):
        raise SourceError(
            f"{display}: a password holding '/' or '@' must be percent-encoded in the URL "
            "(%2F, %40), or given in PGPASSWORD instead"
        )
    return Target(url, display, unquote(user) or query.get("user"), tuple(s for s in secrets if s))


def connect(target: Target) -> psycopg.Connection[Any]:
    """A read-only connection, with a connect timeout unless the URL sets one."""
    try:
        given = conninfo_to_dict(target.url)
    except psycopg.ProgrammingError as exc:
        raise SourceError(
            f"{target.display}: not a valid PostgreSQL URL: {target.scrub(str(exc))}"
        ) from None
    extra: dict[str, Any] = {}
    if "connect_timeout" not in given:
        extra["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in given:
        extra["application_name"] = APPLICATION_NAME
    try:
        conn = psycopg.connect(target.url, **extra)
    except psycopg.Error as exc:
        who = f" as user {target.user!r}" if target.user else ""
        raise SourceError(
            f"cannot connect to PostgreSQL database {target.display}{who}: "
            f"{target.scrub(str(exc))}. Check the host, port, database, user and password "
            "(PGPASSWORD or ~/.pgpass keep the password off the command line)"
        ) from None
    conn.read_only = True
    return conn


def _select(spec: SqlSpec) -> sql.Composable:
    if spec.query is not None:
        return sql.SQL(spec.query.strip().rstrip(";"))  # type: ignore[arg-type]
    assert spec.table is not None
    select = sql.SQL("SELECT * FROM {}").format(sql.Identifier(*spec.table.split(".")))
    if spec.id_column is None:
        return select
    return select + sql.SQL(" ORDER BY {}").format(sql.Identifier(spec.id_column))


def _label(spec: SqlSpec) -> str:
    return spec.table or "query"


def _estimate(target: Target, spec: SqlSpec) -> int:
    """The planner's estimate of the rows `spec` reads; fails early on a missing table."""
    with connect(target) as conn:
        try:
            plan = conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) ") + _select(spec)).fetchone()
        except psycopg.Error as exc:
            raise SourceError(
                f"{target.display}: cannot read {_label(spec)}: {target.reason(exc)}"
            ) from None
    assert plan is not None
    return max(0, int(plan[0][0]["Plan"]["Plan Rows"]))


class Unusable(str):
    """Stands in for a value JSON cannot hold (bytea, NaN): harmless until the mapping uses it.

    A legacy table's photo or search column must not reject rows whose mapping never reads it;
    a mapping that does read it rejects the row, naming the column.
    """

    column: str
    reason: str

    def __new__(cls, column: str, reason: str) -> Unusable:
        self = super().__new__(cls, f"<{column}: {reason}>")
        self.column, self.reason = column, reason
        return self

    def __format__(self, spec: str) -> str:  # a template that reads the column fails
        raise ValueError(f"column {self.column!r} {self.reason}")


def jsonable(value: Any, column: str) -> Any:
    """A column's value as JSON would hold it: ISO dates, numbers, lists, trimmed strings."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.strip()  # legacy CHAR(n) columns pad with spaces
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            return Unusable(column, f"is {value}, which JSON cannot hold")
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple):
        items = [jsonable(item, column) for item in value]
        return next((i for i in items if isinstance(i, Unusable)), items)
    if isinstance(value, dict):
        return {str(k): jsonable(v, f"{column}.{k}") for k, v in value.items()}
    if isinstance(value, bytes | bytearray | memoryview):
        return Unusable(column, "is binary (bytea); convert it in a query: (encode(col, 'hex'))")
    return str(value)  # uuid, inet, cidr, ranges: their text form


def _unusable_in(value: Any) -> Unusable | None:
    if isinstance(value, Unusable):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for v in items if (found := _unusable_in(v)) is not None), None)


def _location(spec: SqlSpec, row: dict[str, Any], n: int) -> str:
    legacy_id = row.get(spec.id_column) if spec.id_column else None
    if legacy_id is None:
        return f"{_label(spec)} row {n}"
    return f"{_label(spec)} {spec.id_column}={jsonable(legacy_id, str(spec.id_column))}"


def _raw(source: str, where: str, row: dict[str, Any], mapping: RecordMapping) -> RawRecord:
    try:
        record = mapping.apply({column: jsonable(value, column) for column, value in row.items()})
    except FieldError as exc:
        return RawRecord(source, where, error=RecordRejected(source, where, exc.field, exc.reason))
    unusable = _unusable_in(record)
    if unusable is not None:
        error = RecordRejected(source, where, unusable.column, unusable.reason)
        return RawRecord(source, where, error=error)
    return RawRecord(source, where, record)


def _rows(target: Target, mapping: RecordMapping, progress: Progress) -> Iterator[RawRecord]:
    spec = mapping.sql
    assert spec is not None
    last = "before the first row"
    try:
        with connect(target) as conn:
            # local to this transaction: each FETCH is a statement; the pauses between fetches
            # (while a batch is embedded) must not end the transaction
            conn.execute(
                "SELECT set_config('statement_timeout', %s, true),"
                " set_config('idle_in_transaction_session_timeout', '0', true)",
                [str(round(spec.statement_timeout_s * 1000))],
            )
            with conn.cursor(CURSOR_NAME, row_factory=dict_row) as cursor:
                cursor.itersize = spec.itersize
                cursor.execute(_select(spec))
                for n, row in enumerate(cursor, start=1):
                    progress(1)
                    last = _location(spec, row, n)
                    yield _raw(target.display, last, row, mapping)
    except psycopg.Error as exc:
        raise SourceError(
            f"{target.display}: reading {_label(spec)} failed after {last}: {target.reason(exc)}"
        ) from None


def postgres_source(url: str, mapping: RecordMapping) -> Source:
    """The rows `mapping` names (its `table:` or `query:`), read from the database at `url`."""
    if mapping.sql is None:
        raise SourceError(
            f"mapping {mapping.path} reads {mapping.format} files; a postgresql:// source needs "
            "a mapping with table: or query: (docs/mapping.md)"
        )
    target = parse_target(url)
    estimate = _estimate(target, mapping.sql)

    def records(progress: Progress) -> Iterator[RawRecord]:
        yield from _rows(target, mapping, progress)

    # the name --prune knows it by: the database, never the credentials, and the mapping
    name = f"{target.display} (mapping {mapping.path.resolve()})"
    return Source(name, estimate, records, unit="rows")
