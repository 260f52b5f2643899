"""The knowledge base's version: a token every write that changes what retrieval can find
replaces (ingest, prune, repair, the sharded finish step), so readings stored from the base, the
daily horoscopes, are keyed by the base they were made from and are made again after it changes.

The token is a meta item of the document store (`~meta#knowledge/version` on DynamoDB). It is
written after the writes it stands for, never before, so a reading made while an ingest runs is
stored under the old token and replaced once the ingest ends. A reader asks the store for it at
most every `recheck_s` seconds: a warm Lambda spends one GetItem per ten seconds on it, and a
stored horoscope is served stale for at most that long after an ingest.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from oraculum.ports import DocumentStore

KEY = "knowledge/version"
NONE_YET = "0"  # a base that no write of this version has touched: stored before the token


def bump(documents: DocumentStore) -> str:
    """After writes that changed the base: a new token, returned."""
    token = uuid.uuid4().hex[:12]
    documents.set_meta(KEY, token)
    return token


class KnowledgeVersion:
    """The current token of one document store, remembered for `recheck_s` seconds."""

    def __init__(
        self,
        documents: DocumentStore,
        *,
        recheck_s: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._documents = documents
        self._recheck_s = recheck_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._token = NONE_YET
        self._asked_at = float("-inf")

    def current(self) -> str:
        with self._lock:
            now = self._monotonic()
            if now - self._asked_at >= self._recheck_s:
                token = self._documents.get_meta(KEY)
                self._token = token if isinstance(token, str) and token else NONE_YET
                self._asked_at = now
            return self._token
