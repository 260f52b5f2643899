"""The document store on DynamoDB (on-demand): one item per chunk, keyed by the chunk id.

The same semantics as the SQLite store; schema.py holds the table's shape. Reads of
the base table are strongly consistent (a run reads what it wrote, as with SQLite); the
listings by document and by source go through indexes, which DynamoDB keeps eventually
consistent (usually well under a second behind).

Within a request's deadline (oraculum.time_budget) every call keeps to it: the client's own
hooks bound each attempt and stop its retries (backends/aws/clients.py), a call does not start
without time left, a resend of unprocessed items does not wait past it, and the pools'
workers run under the caller's deadline.
"""

from __future__ import annotations

import heapq
import json
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import groupby
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from oraculum import time_budget
from oraculum.backends.dynamodb import schema
from oraculum.clock import system_time
from oraculum.domain.errors import BackendUnavailable, DimensionMismatch, RecordRejected
from oraculum.domain.records import Chunk

if TYPE_CHECKING:
    from oraculum.config import Settings

WRITE_BATCH = 25  # BatchWriteItem's limit
GET_BATCH = 100  # BatchGetItem's limit
WORKERS = 8  # conditional updates and index queries in flight (no batch form exists)
SCAN_AHEAD = 4  # BatchGetItem calls a scan keeps in flight
_CLAIM = "model_id"
_THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException",
              "RequestLimitExceeded"}  # fmt: skip
T = TypeVar("T")
R = TypeVar("R")


def from_settings(settings: Settings) -> DynamoDocumentStore:
    from oraculum.backends.aws.clients import client
    from oraculum.clock import timestamp

    clock = settings.clock()
    return DynamoDocumentStore(
        client("dynamodb", settings), settings.dynamodb_table, clock=lambda: timestamp(clock)
    )


class _TableMissing(BackendUnavailable):
    """The table does not exist (claim creates it; everything else reports it)."""


def _is_chunk_id(ident: str) -> bool:
    return bool(ident) and not ident.startswith(schema.META_PREFIX)


class DynamoDocumentStore:
    """`attempts`, `base_delay_s` and `max_delay_s` bound the resending of unprocessed batch
    items (exponential backoff with full jitter); botocore retries throttled calls itself."""

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        attempts: int = 8,
        base_delay_s: float = 0.05,
        max_delay_s: float = 5.0,
        clock: Callable[[], float] = system_time,
    ) -> None:
        self.client = client
        self.clock = clock
        self.table = table
        self.region = str(client.meta.region_name)
        self.attempts = attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._where = f"DynamoDB table {table!r} ({self.region})"
        self._claimed: tuple[str, int | None] | None = None  # the stamp once read or written

    # --- the model the store was built with, and the other meta items -----------------
    @property
    def model_id(self) -> str | None:
        if self._claimed is None:
            self._claimed = self._claim_found()
        return None if self._claimed is None else self._claimed[0]

    def claim(self, model_id: str, dim: int) -> None:
        """Stamp the table with the model (creating the table first if it is missing)."""
        try:  # a stamp already read (open_stores reads model_id first) is not read again
            found = self._claimed if self._claimed is not None else self._claim_found()
        except _TableMissing:
            found = None
        if found is None:
            with self._errors("CreateTable"):
                schema.ensure_table(self.client, self.table)
            found = self._put_claim(model_id, dim)
        if found != (model_id, dim):
            raise DimensionMismatch(
                f"document store {self._where}", f"{model_id} ({dim}-d)",
                f"{found[0]} ({found[1]}-d)",
            )  # fmt: skip
        self._claimed = (model_id, dim)

    def _claim_found(self) -> tuple[str, int | None] | None:
        item = self._get_item(schema.meta_id(_CLAIM))
        if item is None:
            return None
        dim = item.get("dim", {}).get("N")
        return str(json.loads(item["value"]["S"])), None if dim is None else int(dim)

    def _put_claim(self, model_id: str, dim: int) -> tuple[str, int | None]:
        """A conditional write: of two concurrent claims, one wins and the other reads it."""
        item = {
            schema.KEY: {"S": schema.meta_id(_CLAIM)},
            "value": {"S": json.dumps(model_id, ensure_ascii=False)},
            "dim": {"N": str(dim)},
        }
        with self._errors("PutItem"):
            try:
                self.client.put_item(
                    TableName=self.table, Item=item,
                    ConditionExpression="attribute_not_exists(#id)",
                    ExpressionAttributeNames={"#id": schema.KEY},
                )  # fmt: skip
                return model_id, dim
            except ClientError as exc:
                if schema.error_code(exc) != "ConditionalCheckFailedException":
                    raise
        found = self._claim_found()
        assert found is not None  # the condition failed because the claim exists
        return found

    def get_meta(self, key: str) -> Any:
        item = self._get_item(schema.meta_id(key))
        if item is None:
            return None
        expires = item.get(schema.EXPIRES_AT)
        if expires is not None and float(expires["N"]) <= self.clock():
            return None  # expired; DynamoDB's time to live deletes it later
        return json.loads(item["value"]["S"])

    def set_meta(self, key: str, value: Any, *, expires_at: float | None = None) -> None:
        item = {
            schema.KEY: {"S": schema.meta_id(key)},
            "value": {"S": json.dumps(value, ensure_ascii=False)},
        }
        if expires_at is not None:
            item[schema.EXPIRES_AT] = {"N": str(int(expires_at))}
        if schema.item_size(item) > schema.MAX_ITEM_BYTES:
            raise RecordRejected(self._where, f"meta {key!r}", "value", "over 400 KB")
        with self._errors("PutItem"):
            self.client.put_item(TableName=self.table, Item=item)

    def _get_item(self, ident: str) -> schema.Item | None:
        with self._errors("GetItem"):
            found = self.client.get_item(
                TableName=self.table, Key={schema.KEY: {"S": ident}}, ConsistentRead=True
            )
        return found.get("Item")  # type: ignore[no-any-return]

    # --- writes ------------------------------------------------------------------------
    def put_many(self, chunks: Iterable[Chunk]) -> None:
        """Every item is checked (size, keys) before the first one is written."""
        items: dict[str, schema.Item] = {}
        for chunk in chunks:
            item = schema.encode(chunk)
            schema.check(chunk, item, self._where)
            items[chunk.id] = item  # the last of two with one id wins, as in SQLite
        self._write([{"PutRequest": {"Item": item}} for item in items.values()])

    def mark_indexed(self, hashes: Mapping[str, str]) -> int:
        pairs = [(cid, h) for cid, h in hashes.items() if _is_chunk_id(cid)]
        return sum(self._parallel(self._mark, pairs))

    def _mark(self, pair: tuple[str, str]) -> bool:
        ident, content_hash = pair
        with self._errors("UpdateItem"):
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key={schema.KEY: {"S": ident}},
                    UpdateExpression="SET #status = :indexed",
                    ConditionExpression="#hash = :hash",  # false too when the item is missing
                    ExpressionAttributeNames={"#status": "status", "#hash": "content_hash"},
                    ExpressionAttributeValues={
                        ":indexed": {"S": "indexed"},
                        ":hash": {"S": content_hash},
                    },
                )
            except ClientError as exc:
                if schema.error_code(exc) == "ConditionalCheckFailedException":
                    return False
                raise
        return True

    def delete_many(self, ids: Sequence[str]) -> None:
        unique = dict.fromkeys(i for i in ids if _is_chunk_id(i))
        self._write([{"DeleteRequest": {"Key": {schema.KEY: {"S": i}}}} for i in unique])

    def _write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), WRITE_BATCH):
            batch = {self.table: requests[start : start + WRITE_BATCH]}
            self._until_processed("batch_write_item", batch, "UnprocessedItems")

    # --- reads -------------------------------------------------------------------------
    def get_many(self, ids: Sequence[str]) -> dict[str, Chunk]:
        unique = list(dict.fromkeys(i for i in ids if _is_chunk_id(i)))
        out: dict[str, Chunk] = {}
        for start in range(0, len(unique), GET_BATCH):
            out.update(self._get_batch(unique[start : start + GET_BATCH]))
        return out

    def _get_batch(self, ids: list[str]) -> dict[str, Chunk]:
        keys = [{schema.KEY: {"S": i}} for i in ids]
        request = {self.table: {"Keys": keys, "ConsistentRead": True}}
        items = self._until_processed("batch_get_item", request, "UnprocessedKeys")
        return {chunk.id: chunk for chunk in map(schema.decode, items)}

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        """Through the `by_doc` index, in chunk order."""
        out: dict[str, list[str]] = {d: [] for d in doc_ids}
        wanted = [d for d in out if d]
        for doc_id, ids in zip(wanted, self._parallel(self._chunk_ids, wanted), strict=True):
            out[doc_id] = ids
        return out

    def _chunk_ids(self, doc_id: str) -> list[str]:
        return list(self._query(schema.BY_DOC, "doc_id", doc_id, schema.KEY))

    def doc_ids_of_source(self, source: str) -> Iterator[str]:
        """Through the `by_source` index: its shards merged, in doc id order, each id once."""
        shards = [
            self._query(schema.BY_SOURCE, "source_shard", shard, "doc_id")
            for shard in schema.source_shards(source)
        ]
        for doc_id, _ in groupby(heapq.merge(*shards)):
            yield doc_id

    def _query(self, index: str, key: str, value: str, want: str) -> Iterator[str]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=index,
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": key},
            ExpressionAttributeValues={":v": {"S": value}},
        )
        with self._errors("Query"):
            for page in pages:
                for item in page["Items"]:
                    yield item[want]["S"]

    def scan(self) -> Iterator[Chunk]:
        """Every chunk in id order: a consistent scan lists the ids (only the ids are held in
        memory), then BatchGetItem reads them in sorted batches, a few batches ahead."""
        ids = sorted(self._scan_ids())
        with ThreadPoolExecutor(max_workers=SCAN_AHEAD) as pool:
            ahead: deque[tuple[list[str], Future[dict[str, Chunk]]]] = deque()
            for start in range(0, len(ids), GET_BATCH):
                batch = ids[start : start + GET_BATCH]
                ahead.append((batch, pool.submit(time_budget.carried(self._get_batch), batch)))
                if len(ahead) == SCAN_AHEAD:
                    yield from _in_order(*ahead.popleft())
            while ahead:
                yield from _in_order(*ahead.popleft())

    def _scan_ids(self) -> Iterator[str]:
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table,
            ConsistentRead=True,
            ProjectionExpression="#id",
            FilterExpression="NOT begins_with(#id, :meta)",
            ExpressionAttributeNames={"#id": schema.KEY},
            ExpressionAttributeValues={":meta": {"S": schema.META_PREFIX}},
        )
        with self._errors("Scan"):
            for page in pages:
                for item in page["Items"]:
                    yield item[schema.KEY]["S"]

    def count(self) -> int:
        """Counted on the small keys-only `by_doc` index, which holds every chunk and no meta
        item; like any index it may trail the latest writes by a moment."""
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table, IndexName=schema.BY_DOC, Select="COUNT"
        )
        with self._errors("Scan"):
            return sum(int(page["Count"]) for page in pages)

    def close(self) -> None:
        """Nothing to release: the boto3 client is shared by the process (backends.aws)."""

    # --- batches, retries and errors ---------------------------------------------------
    def _until_processed(
        self, operation: str, request: dict[str, Any], leftover: str
    ) -> list[schema.Item]:
        """Send a batch request; resend what comes back unprocessed, with backoff and full
        jitter, at most `attempts` times in all."""
        call = getattr(self.client, operation)
        found: list[schema.Item] = []
        for attempt in range(1, self.attempts + 1):
            with self._errors(operation):
                response = call(RequestItems=request)
            found.extend(response.get("Responses", {}).get(self.table, []))
            request = response.get(leftover) or {}
            if not request.get(self.table):
                return found
            if attempt < self.attempts:
                ceiling = min(self.max_delay_s, self.base_delay_s * 2**attempt)
                step = f"a resend of the unprocessed items of DynamoDB {operation}"
                time_budget.pause(random.uniform(0, ceiling), step)
        left = request[self.table]
        count = len(left["Keys"]) if isinstance(left, dict) else len(left)
        raise BackendUnavailable(
            f"{self._where}: {count} item(s) of a {operation} still unprocessed after "
            f"{self.attempts} attempts (the table is throttled); the writes are idempotent, so "
            "run the command again in a little while"
        )

    def _parallel(self, work: Callable[[T], R], items: list[T]) -> list[R]:
        if len(items) <= 1:
            return [work(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(items))) as pool:
            return list(pool.map(time_budget.carried(work), items))

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """botocore's errors become ours, saying which table, which region and what to do.
        Within a request's deadline a call does not start once the time is (nearly) out."""
        time_budget.check(f"DynamoDB {operation}")
        try:
            yield
        except ClientError as exc:
            code = schema.error_code(exc)
            if code == "ResourceNotFoundException":
                raise _TableMissing(
                    f"{self._where} does not exist: run `oraculum ingest` to create it, or "
                    "deploy infra/ (ORACULUM_DYNAMODB_TABLE and AWS_REGION choose the table)"
                ) from exc
            hint = (
                "the table is throttled even after retries; try again in a little while"
                if code in _THROTTLED
                else "check that this role may use the table and that it was made by "
                "`oraculum ingest` or infra/"
            )
            message = exc.response.get("Error", {}).get("Message", "")
            raise BackendUnavailable(
                f"{self._where}: {operation} failed: {code}: {message}; {hint}"
            ) from exc
        except BotoCoreError as exc:
            raise BackendUnavailable(
                f"cannot reach {self._where} ({operation}): {exc}; check the network, "
                "AWS_ENDPOINT_URL and the credentials"
            ) from exc


def _in_order(ids: list[str], fetched: Future[dict[str, Chunk]]) -> Iterator[Chunk]:
    found = fetched.result()
    for ident in ids:
        if ident in found:  # deleted since the ids were listed
            yield found[ident]
