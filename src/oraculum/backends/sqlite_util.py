"""Opening SQLite the same way everywhere: WAL, durable against a killed process."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a killed process (not a power cut), which is what the
    # consistency protocol needs; FULL would fsync every commit.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def placeholders(n: int) -> str:
    return ",".join("?" * n)


# SQLite's default limit on host parameters in one statement is 32,766; stay well under it.
MAX_PARAMS = 900
