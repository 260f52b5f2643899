"""One exception hierarchy, rooted in OraculumError; each carries what a caller needs."""

from __future__ import annotations


class OraculumError(Exception):
    """Base of every error Oraculum raises on purpose."""


class ConfigError(OraculumError):
    """Settings are missing or contradict each other."""


class RecordRejected(OraculumError):
    """A source record cannot be ingested; names where it came from and which field is wrong."""

    def __init__(self, source: str, location: str, field: str | None, reason: str) -> None:
        self.source = source
        self.location = location
        self.field = field
        self.reason = reason
        where = f"{source}:{location}"
        what = f" field {field!r}:" if field else ""
        super().__init__(f"{where}:{what} {reason}")

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
