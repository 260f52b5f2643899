"""One exception hierarchy, rooted in OraculumError; each carries what a caller needs."""

from __future__ import annotations


class OraculumError(Exception):
    """Base of every error Oraculum raises on purpose."""


class ConfigError(OraculumError):
    """Settings are missing or contradict each other."""


def printable(text: str) -> str:
    """`text` as UTF-8 can hold it: a lone surrogate (a JSON "\\ud800", a byte that was not
    UTF-8 in a file name) becomes its escape, so it can be printed, sent as JSON and stored."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class RecordRejected(OraculumError):
    """A source record cannot be ingested; names where it came from and which field is wrong.

    Every part is made printable: a rejection quotes what was wrong with the source, and
    must never fail to print (or to be written as JSON) because of it.
    """

    def __init__(self, source: str, location: str, field: str | None, reason: str) -> None:
        self.source = printable(source)
        self.location = printable(location)
        self.field = None if field is None else printable(field)
        self.reason = printable(reason)
        where = f"{self.source}:{self.location}"
        what = f" field {self.field!r}:" if self.field else ""
        super().__init__(f"{where}:{what} {self.reason}")

    def as_dict(self) -> dict[str, str | None]:
        return {
            "source": self.source,
            "location": self.location,
            "field": self.field,
            "reason": self.reason,
        }


class MappingError(OraculumError):
    """A mapping file is malformed; names the file and the key."""


class DimensionMismatch(OraculumError):
    """A store was built with another embedding model or dimension than the one configured."""

    def __init__(self, store: str, expected: str, found: str) -> None:
        self.store = store
        self.expected = expected
        self.found = found
        super().__init__(
            f"{store} was built with {found}, but the configured embedder is {expected}. "
            "Use the embedder the store was built with, or ingest into new stores (a new "
            "ORACULUM_DATA_DIR, ORACULUM_DYNAMODB_TABLE or ORACULUM_PINECONE_INDEX)."
        )


class BackendUnavailable(OraculumError):
    """A backend cannot be reached or used; says which and what to do."""


class DeadlineExceeded(BackendUnavailable):
    """The request's time ran out before a step could start (a Lambda invocation's deadline)."""

    def __init__(self, step: str, left_s: float) -> None:
        self.step = step
        self.left_s = left_s
        super().__init__(
            f"the request ran out of time before {step} ({left_s * 1000:.0f} ms were left of "
            "its deadline); a store or model is slow: try again"
        )


class NotFound(OraculumError):
    """A requested item does not exist."""


class InvalidInput(OraculumError):
    """A request's field is wrong; names the field, so an API or CLI can point at it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
