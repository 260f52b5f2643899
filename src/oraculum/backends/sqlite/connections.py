"""Opening SQLite the same way everywhere: WAL, durable against a killed process, and shared
between threads (`Connections`): a pool of readers, one writer behind a lock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a killed process (not a power cut), which is what the
    # consistency protocol needs; FULL would fsync every commit.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class Connections:
    """One SQLite database shared by threads: readers in parallel, writes one at a time.

    A sqlite3 connection must not be used by two threads at once, and one connection would
    serialise every read. In WAL mode readers block neither each other nor the writer, so
    each read borrows a connection of its own from a pool (`reading`), opened when none is
    idle, and at most `idle` are kept open between reads. Writes go through the one writer
    connection (`writing`): a lock serialises them in this process, and BEGIN IMMEDIATE
    with the busy timeout against other processes (an ingest beside `oraculum serve`).

    `close` closes the writer and the idle readers at once; a reader still borrowed is
    closed when it is given back, so a read in flight ends normally. After `close`, reads
    and writes raise sqlite3.ProgrammingError, as a closed connection does.
    """

    def __init__(self, path: Path, schema: str = "", *, idle: int = 8) -> None:
        self.path = path
        self.writer = connect(path)
        if schema:
            self.writer.executescript(schema)
        self._write_lock = threading.RLock()
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._max_idle = idle
        self._closed = False

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread's reads (autocommit: each statement sees the last
        commit), given back to the pool afterwards."""
        with self._pool_lock:
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = connect(self.path)
        try:
            yield conn
        finally:
            self._give_back(conn)

    def _give_back(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:  # a read never leaves one open; never hand one on
            conn.rollback()
        with self._pool_lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The writer, inside one transaction (BEGIN IMMEDIATE; committed at the end, rolled
        back on an exception), and no other writer of this process meanwhile."""
        with self._write_lock, self.writer:
            self.writer.execute("BEGIN IMMEDIATE")
            yield self.writer

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        with self._write_lock:
            self.writer.close()
        for conn in idle:
            conn.close()


def placeholders(n: int) -> str:
    return ",".join("?" * n)


# SQLite's default limit on host parameters in one statement is 32,766; stay well under it.
MAX_PARAMS = 900


def in_batches(ids: Sequence[T]) -> Iterator[tuple[list[T], str]]:
    """`ids` in parts SQLite takes as bound parameters, each with its "?, ?, ..." list."""
    for start in range(0, len(ids), MAX_PARAMS):
        part = list(ids[start : start + MAX_PARAMS])
        yield part, placeholders(len(part))
