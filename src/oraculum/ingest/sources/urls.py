"""Sources named by a URL, dispatched on the scheme (today postgresql://), and URLs made safe
to print: no user, password or options."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

from oraculum.ingest.mapping import RecordMapping
from oraculum.ingest.sources.base import Source, SourceError, chain_sources

POSTGRES_SCHEMES = ("postgresql", "postgres")

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")

_LOCATING_PARAMS = ("host", "hostaddr", "port", "dbname")  # the rest may be secret or noise


def is_url(source: str) -> bool:
    return _URL.match(source) is not None


def split_userinfo(url: str) -> tuple[str, str, str]:
    """(scheme, user:password, the rest), split the way libpq splits a connection URL.

    The credentials end at the first '@' that comes before any '/'. An '@' left in the rest's
    hosts or path means a password with an unencoded '/' or '@': libpq would read its tail as a
    host or database name (and print it), so callers treat such a URL as malformed.
    """
    scheme, _, tail = url.partition("://")
    at, slash = tail.find("@"), tail.find("/")
    if at >= 0 and (slash < 0 or at < slash):
        return scheme, tail[:at], tail[at + 1 :]
    return scheme, "", tail


def is_malformed_url(url: str) -> bool:
    return "@" in split_userinfo(url)[2].partition("?")[0]


def redact_url(url: str) -> str:
    """The URL without user, password and options: safe to print and to store as a name.

    Keeps what locates the data (scheme, hosts, ports, database, a `host=` socket directory),
    so that it still names the source for --prune; both PostgreSQL schemes read as postgresql.
    """
    scheme, _, rest = split_userinfo(url)
    scheme = "postgresql" if scheme.lower() in POSTGRES_SCHEMES else scheme.lower()
    if is_malformed_url(url):
        return f"{scheme}://(a malformed URL)"
    parts = urlsplit(f"{scheme}://{rest}")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k in _LOCATING_PARAMS])
    return f"{scheme}://{parts.netloc}{parts.path}" + (f"?{query}" if query else "")


def url_source(url: str, mappings: Sequence[RecordMapping]) -> Source:
    """A source named by a URL, by its scheme: today postgresql:// (and postgres://)."""
    match = _URL.match(url)
    scheme = match["scheme"].lower() if match else ""
    if scheme not in POSTGRES_SCHEMES:
        raise SourceError(
            f"{redact_url(url)}: cannot read {scheme}:// sources; ingest reads a JSONL file, a "
            "folder of them, a JSON/CSV file with --mapping, or a postgresql:// URL with --mapping"
        )
    if not mappings:
        raise SourceError(
            f"{redact_url(url)}: a database is read through a mapping: give --mapping FILE whose "
            "mapping names a table: or query: (docs/mapping.md)"
        )
    try:
        from oraculum.ingest.sources.postgres import postgres_source
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("psycopg"):
            raise
        raise SourceError(
            "reading PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'"
        ) from None
    return chain_sources([postgres_source(url, mapping) for mapping in mappings])
