"""Term search (BM25) in the document store's own database, with SQLite FTS5.

The index is written in the same transaction as the item it describes (`write`, `remove`,
called by the document store), so it can never hold a text the store does not, nor miss
one, short of a bug, which `verify` looks for (`entries`) and `repair` mends (`rebuild`).
Each chunk is indexed as written (diacritics kept: Vietnamese needs them to tell words apart)
and folded to ASCII (for queries typed without them); the title and the keywords weigh more
than the body. The FTS table's rowid comes from `lexical_rows`, so an item is replaced or
removed by its id without scanning the index.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from oraculum.backends.sqlite.connections import Connections, in_batches
from oraculum.domain.records import Chunk, VectorHit
from oraculum.domain.terms import folded, keywords_text, pairs, query_words
from oraculum.ports import Filter

if TYPE_CHECKING:
    from oraculum.backends.sqlite.store import SqliteDocumentStore

log = logging.getLogger("oraculum.lexical")

SCHEMA = """
CREATE TABLE IF NOT EXISTS lexical_rows (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(
    title, body, keywords, title_folded, body_folded,
    id UNINDEXED, kind UNINDEXED, lang UNINDEXED, content_hash UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
);
"""
# bm25() weights, in the columns' order: a word in the title or keywords says more than one
# in the body; a folded match (no diacritics) says less than an exact one.
_WEIGHTS = "4.0, 1.0, 2.0, 2.0, 0.5"
_EXACT = "{title body keywords}"
_FOLDED = "{title_folded body_folded}"


def _fields(chunk: Chunk) -> tuple[str, ...]:
    body = f"{chunk.section} {chunk.text}" if chunk.section else chunk.text
    keywords = keywords_text(chunk.metadata)
    return (
        chunk.title, body, keywords, folded(chunk.title), folded(f"{body} {keywords}"),
        chunk.id, chunk.kind, chunk.lang, chunk.content_hash,
    )  # fmt: skip


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def match_expression(text: str) -> str | None:
    """The FTS5 query for a question: its words and neighbouring pairs, as written and folded."""
    exact = query_words(text)
    if not exact:
        return None
    terms = exact + pairs(exact)
    folded_terms = list(dict.fromkeys(folded(t) for t in terms if folded(t)))
    either = " OR ".join(_phrase(t) for t in terms)
    query = f"{_EXACT} : ({either})"
    if folded_terms:
        query += f" OR {_FOLDED} : ({' OR '.join(_phrase(t) for t in folded_terms)})"
    return query


def write(db: sqlite3.Connection, chunks: Sequence[Chunk]) -> None:
    """Index these chunks (replacing any indexed under the same ids), in the caller's
    transaction."""
    last = {c.id: c for c in chunks}  # as INSERT OR REPLACE does: the last of an id wins
    remove(db, list(last))
    for chunk in last.values():
        rid = db.execute("INSERT INTO lexical_rows (id) VALUES (?)", (chunk.id,)).lastrowid
        db.execute(
            "INSERT INTO lexical (rowid, title, body, keywords, title_folded, body_folded,"
            " id, kind, lang, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rid, *_fields(chunk)),
        )


def remove(db: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Forget these chunk ids, in the caller's transaction."""
    for part, marks in in_batches(ids):
        rids = [
            r for (r,) in db.execute(f"SELECT rid FROM lexical_rows WHERE id IN ({marks})", part)
        ]
        for rpart, rmarks in in_batches(rids):
            db.execute(f"DELETE FROM lexical WHERE rowid IN ({rmarks})", rpart)
            db.execute(f"DELETE FROM lexical_rows WHERE rid IN ({rmarks})", rpart)


class SqliteLexicalIndex:
    """The FTS5 index of one SQLite document store (it shares the store's connections)."""

    follows_writes = True

    def __init__(self, conns: Connections) -> None:
        self._conns = conns

    def query(self, text: str, top_k: int, where: Filter | None = None) -> list[VectorHit]:
        expression = match_expression(text)
        if expression is None:
            return []
        sql = (
            f"SELECT id, -bm25(lexical, {_WEIGHTS}) AS score, kind, lang, content_hash"
            " FROM lexical WHERE lexical MATCH ?"
        )
        params: list[object] = [expression]
        for column, wanted in (where or {}).items():
            if column not in ("kind", "lang"):
                raise ValueError(f"the lexical index filters on kind and lang, not {column!r}")
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            sql += f" AND {column} IN ({','.join('?' * len(values))})"
            params.extend(values)
        sql += " ORDER BY score DESC LIMIT ?"
        params.append(top_k)
        with self._conns.reading() as db:
            rows = db.execute(sql, params).fetchall()
        return [
            VectorHit(ident, float(score), {"kind": kind, "lang": lang, "content_hash": digest})
            for ident, score, kind, lang, digest in rows
        ]

    def entries(self) -> dict[str, str]:
        with self._conns.reading() as db:
            return dict(db.execute("SELECT id, content_hash FROM lexical"))

    def count(self) -> int:
        with self._conns.reading() as db:
            return int(db.execute("SELECT COUNT(*) FROM lexical_rows").fetchone()[0])

    def note_writes(self) -> None:
        """Nothing to note: the rows are written in the items' own transactions."""

    def up_to_date(self) -> bool:
        return True

    def rebuild(self, chunks: Iterable[Chunk]) -> int:
        with self._conns.writing() as db:
            db.execute("DELETE FROM lexical")
            db.execute("DELETE FROM lexical_rows")
            batch: list[Chunk] = []
            total = 0
            for chunk in chunks:
                batch.append(chunk)
                if len(batch) >= 500:
                    write(db, batch)
                    total += len(batch)
                    batch = []
            write(db, batch)
            return total + len(batch)


def from_store(store: SqliteDocumentStore) -> SqliteLexicalIndex:
    return store.lexical
