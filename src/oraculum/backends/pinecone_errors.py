"""SDK failures as Oraculum errors, each naming the Pinecone index, the call and what to check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from oraculum.domain.errors import BackendUnavailable, OraculumError


class PineconeRequestRejected(OraculumError):
    """Pinecone answered a request with a 4xx that says the request itself is wrong."""

    def __init__(self, index: str, operation: str, status: int, message: str) -> None:
        self.index = index
        self.operation = operation
        self.status = status
        self.message = message
        super().__init__(
            f"Pinecone index {index!r} rejected {operation} ({status}): {message}. Oraculum "
            "splits and checks requests against Pinecone's limits (docs/pinecone.md), so this "
            "is a limit it does not know of: report it with this message."
        )


@contextmanager
def translated(index: str, what: str, where: str) -> Iterator[None]:
    """Run SDK calls; a failure leaves as BackendUnavailable or PineconeRequestRejected.

    Not-found and conflict answers are left to the caller, who may expect them (a describe of
    a missing index, a create that another process won): catch them inside this block.
    """
    from pinecone.errors import exceptions as pe

    try:
        yield
    except (pe.PineconeConnectionError, pe.PineconeTimeoutError) as exc:
        raise BackendUnavailable(
            f"cannot reach Pinecone index {index!r} for {what} at {where}: {exc}. Check the "
            "network, ORACULUM_PINECONE_HOST / ORACULUM_PINECONE_CONTROL_HOST and "
            "https://status.pinecone.io"
        ) from None
    except pe.UnauthorizedError:
        raise BackendUnavailable(
            f"Pinecone refused the API key for {what} on index {index!r} at {where}: check "
            "ORACULUM_PINECONE_API_KEY (or its SSM parameter / secret) and that the key belongs "
            "to the index's project"
        ) from None
    except pe.NotFoundError as exc:
        raise BackendUnavailable(
            f"Pinecone index {index!r} was not found for {what} at {where} ({exc.message}); "
            "it may have been deleted: `oraculum ingest` creates it again"
        ) from None
    except (pe.RateLimitError, pe.ServiceError) as exc:
        raise BackendUnavailable(
            f"Pinecone failed {what} on index {index!r} ({exc.status_code}: {exc.message}) "
            "after retries: retry later, and see https://status.pinecone.io"
        ) from None
    except pe.ForbiddenError as exc:
        raise BackendUnavailable(
            f"Pinecone forbids {what} on index {index!r}: {exc.message} (a project quota or "
            "deletion protection)"
        ) from None
    except pe.ApiError as exc:
        raise PineconeRequestRejected(index, what, exc.status_code, exc.message) from None
