"""The DynamoDB table behind the document store: its keys, indexes, item codec and lifecycle.

One item per chunk, keyed by the chunk id (partition key `id`, a string). Two global secondary
indexes, both KEYS_ONLY so that they stay small and cheap to read:

- `by_doc`: `doc_id` + `n` — a document's chunk ids, in chunk order (ingest, `--prune`);
- `by_source`: `source_shard` + `doc_id` — the documents of a source (`--prune`). The partition
  key is `{source}#{k}` with k = crc32(doc_id) mod 16, so that the index writes of one large
  source are spread over 16 key values instead of one hot key (a key value takes about 1,000
  writes a second); a reader queries the 16 shards and merges them, each already sorted by
  doc_id. Changing SOURCE_SHARDS means rewriting every item.

Meta items (the model claim, cached horoscopes) live in the same table under the reserved
prefix `~meta#`: a normalized chunk id never contains `~`, and meta items have neither `doc_id`
nor `source_shard`, so no index ever holds them.

Chunk metadata is stored as one JSON string, not as a native map: it is JSON-like and never
queried in DynamoDB, and a string round-trips it exactly (floats stay floats, ints stay ints,
null, empty maps and NaN survive), where native maps would turn every number into a Decimal,
refuse NaN and lose the int/float distinction.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from typing import Any

from botocore.exceptions import ClientError

from oraculum import time_budget
from oraculum.domain.errors import BackendUnavailable, RecordRejected
from oraculum.domain.records import Chunk

log = logging.getLogger("oraculum.dynamodb")

Item = dict[str, dict[str, str]]

KEY = "id"
BY_DOC = "by_doc"
BY_SOURCE = "by_source"
SOURCE_SHARDS = 16
META_PREFIX = "~meta#"
MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item limit: 400 KB, names and values in UTF-8
MAX_PARTITION_KEY_BYTES = 2048
_CHUNK_FIELDS = ("doc_id", "kind", "lang", "title", "section", "text", "content_hash", "source")


def table_definition(name: str) -> dict[str, Any]:
    """The CreateTable request (on-demand); infra/ must declare the same keys and indexes."""

    def keys(hash_key: str, range_key: str | None = None) -> list[dict[str, str]]:
        out = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        return out + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])

    def index(name: str, hash_key: str, range_key: str) -> dict[str, Any]:
        return {
            "IndexName": name,
            "KeySchema": keys(hash_key, range_key),
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }

    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": KEY, "AttributeType": "S"},
            {"AttributeName": "doc_id", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
            {"AttributeName": "source_shard", "AttributeType": "S"},
        ],
        "KeySchema": keys(KEY),
        "GlobalSecondaryIndexes": [
            index(BY_DOC, "doc_id", "n"),
            index(BY_SOURCE, "source_shard", "doc_id"),
        ],
    }


# --- items -------------------------------------------------------------------------------
def source_shard(source: str, doc_id: str) -> str:
    return f"{source}#{zlib.crc32(doc_id.encode()) % SOURCE_SHARDS:02d}"


def source_shards(source: str) -> list[str]:
    return [f"{source}#{k:02d}" for k in range(SOURCE_SHARDS)]


# DynamoDB's time to live deletes an item some time (usually within days) after this attribute's
# Unix time; reads check it themselves.
EXPIRES_AT = "expires_at"


def meta_id(key: str) -> str:
    return META_PREFIX + key


def encode(chunk: Chunk) -> Item:
    item: Item = {name: {"S": getattr(chunk, name)} for name in _CHUNK_FIELDS}
    item[KEY] = {"S": chunk.id}
    item["n"] = {"N": str(chunk.n)}
    item["metadata"] = {"S": json.dumps(chunk.metadata, ensure_ascii=False)}
    item["status"] = {"S": chunk.status}
    item["source_shard"] = {"S": source_shard(chunk.source, chunk.doc_id)}
    return item


def decode(item: Item) -> Chunk:
    def text(name: str) -> str:
        return item[name]["S"]

    return Chunk(
        id=text(KEY), doc_id=text("doc_id"), n=int(item["n"]["N"]), kind=text("kind"),
        lang=text("lang"), title=text("title"), section=text("section"), text=text("text"),
        content_hash=text("content_hash"), metadata=json.loads(text("metadata")),
        source=text("source"), status="indexed" if text("status") == "indexed" else "pending",
    )  # fmt: skip


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _number_size(digits: str) -> int:
    significant = digits.lstrip("-").replace(".", "").strip("0") or "0"
    return (len(significant) + 1) // 2 + 1


def attribute_sizes(item: Item) -> dict[str, int]:
    """Each attribute's size as DynamoDB counts it: UTF-8 name plus value (S and N here)."""
    sizes = {}
    for name, value in item.items():
        if "S" in value:
            size = _utf8(value["S"])
        elif "N" in value:
            size = _number_size(value["N"])
        else:
            raise TypeError(f"attribute {name!r}: only S and N values are sized here")
        sizes[name] = _utf8(name) + size
    return sizes


def item_size(item: Item) -> int:
    return sum(attribute_sizes(item).values())


def check(chunk: Chunk, item: Item, where: str) -> None:
    """Refuse a chunk DynamoDB would refuse (or one that would pass for a meta item)."""

    def reject(field: str | None, reason: str) -> RecordRejected:
        return RecordRejected(chunk.source or where, chunk.id, field, reason)

    if not chunk.id or not chunk.doc_id:
        raise reject("id" if not chunk.id else "doc_id", "is empty; DynamoDB keys cannot be")
    if chunk.id.startswith(META_PREFIX):
        raise reject("id", f"chunk {chunk.id!r}: ids starting {META_PREFIX!r} are reserved")
    for name in (KEY, "source_shard"):
        if _utf8(item[name]["S"]) > MAX_PARTITION_KEY_BYTES:
            raise reject(name, f"chunk {chunk.id!r}: key longer than 2,048 bytes")
    sizes = attribute_sizes(item)
    total = sum(sizes.values())
    if total > MAX_ITEM_BYTES:
        largest = max(sizes, key=lambda name: sizes[name])
        raise reject(
            largest,
            f"chunk {chunk.id!r} would be a {total:,}-byte DynamoDB item ({largest} takes "
            f"{sizes[largest]:,}); the limit is {MAX_ITEM_BYTES:,} bytes: lower "
            "ORACULUM_CHUNK_CHARS or ORACULUM_MAX_METADATA_BYTES",
        )


# --- the table's lifecycle ----------------------------------------------------------------
def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def ensure_table(client: Any, name: str, *, timeout_s: float = 300.0, poll_s: float = 2.0) -> None:
    """Create the table (on-demand, with its indexes) if missing, wait until it and its indexes
    are ACTIVE, turn on point-in-time recovery for a new table; refuse a table without our
    indexes. ClientErrors other than the expected ones propagate to the caller."""
    try:
        table = client.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
        _create(client, name)
        _wait_active(client, name, timeout_s, poll_s)
        _point_in_time_recovery(client, name)
        _time_to_live(client, name)
        return
    missing = {BY_DOC, BY_SOURCE} - {
        i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])
    }
    if table["KeySchema"] != table_definition(name)["KeySchema"] or missing:
        raise BackendUnavailable(
            f"DynamoDB table {name!r} exists but is not a document-store table (partition key "
            f"'id' and the indexes {BY_DOC!r} and {BY_SOURCE!r}; missing: "
            f"{', '.join(sorted(missing)) or 'the key schema'}): deploy infra/ or choose another "
            "table with ORACULUM_DYNAMODB_TABLE"
        )
    _wait_active(client, name, timeout_s, poll_s)


def _time_to_live(client: Any, name: str) -> None:
    """Let DynamoDB delete expired cache entries (meta items carrying EXPIRES_AT). Best effort:
    reads ignore expired entries anyway; without it they stay in the table."""
    try:
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": EXPIRES_AT}
        )
    except ClientError as exc:
        log.warning("time to live not enabled on %s (expired horoscopes stay): %s", name, exc)


def _create(client: Any, name: str) -> None:
    try:
        client.create_table(**table_definition(name))
        log.info("created DynamoDB table %s (on-demand)", name)
    except ClientError as exc:
        if error_code(exc) != "ResourceInUseException":  # created meanwhile by another run
            raise


def _wait_active(client: Any, name: str, timeout_s: float, poll_s: float) -> None:
    give_up_at = time.monotonic() + timeout_s
    while True:
        table = client.describe_table(TableName=name)["Table"]
        statuses = [table["TableStatus"]]
        statuses += [
            i.get("IndexStatus", "ACTIVE") for i in table.get("GlobalSecondaryIndexes", [])
        ]
        if all(s == "ACTIVE" for s in statuses):
            return
        if time.monotonic() > give_up_at:
            raise BackendUnavailable(
                f"DynamoDB table {name!r} is still {'/'.join(sorted(set(statuses)))} after "
                f"{timeout_s:.0f} s; try again when the console shows it ACTIVE"
            )
        time_budget.pause(poll_s, f"another look at DynamoDB table {name!r}, not yet ACTIVE")


def _point_in_time_recovery(client: Any, name: str, attempts: int = 5) -> None:
    """Best effort: a new table may refuse it for a while; some endpoints do not offer it."""
    for attempt in range(attempts):
        try:
            client.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
            return
        except ClientError as exc:
            if error_code(exc) != "ContinuousBackupsUnavailableException":
                log.warning("point-in-time recovery not enabled on %s: %s", name, exc)
                return
            if not time_budget.fits(2.0 * (attempt + 1)):
                break  # a request's deadline would not wait for it (oraculum.time_budget)
            time.sleep(2.0 * (attempt + 1))
    log.warning(
        "point-in-time recovery not enabled on %s: still unavailable; enable it later", name
    )
