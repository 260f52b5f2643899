"""Lambda entry points of the sharded ingest, which the Step Functions state machine
(infra/statemachine/ingest.asl.json) invokes: `shard` loads shard I of N of a source in S3,
`finish` runs once after every shard (prune from their manifests, lexical sync, verify).

    shard:  {"bucket": B, "key": K, "shard": I, "shards": N, "run": RUN,
             "source_name": optional, "mapping_key": optional S3 key of a mapping file}
    finish: {"bucket": B, "key": K, "shards": N, "run": RUN, "source_name": optional,
             "prune": optional, true by default}

The source is named `s3://B/K` unless the event gives `source_name`; every shard and the finish
step of a run must agree on it (the manifests are kept by it). Answers are small JSON objects
for the state machine's choices: `{"ok": true, "complete": ...}` for a shard (complete false:
it stopped near the function's timeout and is to be invoked again, where it resumes);
`{"ok": true, "clean": true, ...}` for a finish. What the caller must change gets a named
refusal, `{"ok": false, "error": "bad-event" | "source-unreadable" | "refused" |
"shards-incomplete" | "drift", "field"?, "detail"}`, logged, never a traceback: a retry could
not mend it. Only a backend that failed (BackendUnavailable: throttled, unreachable, out of
time) raises, as IngestRetry with its message, so that the state machine retries that shard
with backoff (each run of a shard is idempotent).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

_runtime: dict[str, Any] = {}
STOP_MARGIN_S = 120.0  # a shard stops taking batches when less than this is left
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class IngestRetry(RuntimeError):
    """A backend failed (throttled, unreachable, out of time): the state machine retries."""


class _Refused(Exception):
    def __init__(self, error: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.answer: dict[str, Any] = {"ok": False, "error": error, "detail": detail[:500]}
        if field is not None:
            self.answer["field"] = field


def _bad(field: str, detail: str) -> _Refused:
    return _Refused("bad-event", f"{field}: {detail}", field)


def _text(event: dict[str, Any], name: str, *, required: bool = True, limit: int = 1024) -> Any:
    value = event.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _bad(name, f"must be a non-empty string, not {type(value).__name__}")
    if len(value.encode("utf-8", "surrogatepass")) > limit or not value.isprintable():
        raise _bad(name, f"must be printable and at most {limit} bytes")
    return value


def _number(event: dict[str, Any], name: str, low: int, high: int) -> int:
    value = event.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(name, f"must be a whole number from {low} to {high}, not {value!r}")
    return value


def _common(event: Any) -> tuple[str, str, int, str, str]:
    """(bucket, key, shards, run, source name) of a shard or finish event."""
    from oraculum.domain.errors import ConfigError
    from oraculum.ingest.manifest import check_run_id
    from oraculum.ingest.shards import MAX_SHARDS

    if not isinstance(event, dict):
        raise _bad("event", f"must be an object, not {type(event).__name__}")
    bucket = _text(event, "bucket", limit=63)
    if not _BUCKET.match(bucket):
        raise _bad("bucket", f"{bucket!r} is not an S3 bucket name")
    key = _text(event, "key")
    shards = _number(event, "shards", 1, MAX_SHARDS)
    run = _text(event, "run", limit=80)
    try:
        check_run_id(run)
    except ConfigError as exc:
        raise _bad("run", str(exc)) from None
    name = _text(event, "source_name", required=False) or f"s3://{bucket}/{key}"
    return bucket, key, shards, run, name


def _settings() -> Any:
    found = _runtime.get("settings")
    if found is None:
        from oraculum import observability
        from oraculum.config import Settings

        observability.quiet_stdlib_loggers()
        found = _runtime["settings"] = Settings()
    return found


def _download(settings: Any, folder: Path, bucket: str, key: str, field: str) -> Path:
    """The S3 object, into `folder`."""
    from botocore.exceptions import BotoCoreError, ClientError

    from oraculum.backends.aws import clients

    path = folder / field / (Path(key).name or "source")
    path.parent.mkdir(parents=True)
    try:
        clients.client("s3", settings).download_file(bucket, key, str(path))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchKey", "403", "AccessDenied", "NoSuchBucket"):
            detail = f"s3://{bucket}/{key} cannot be read ({code})"
            raise _Refused("source-unreadable", detail, field) from None
        raise IngestRetry(f"s3://{bucket}/{key}: {exc}") from None
    except BotoCoreError as exc:
        raise IngestRetry(f"s3://{bucket}/{key}: {exc}") from None
    return path


def _source(settings: Any, folder: Path, bucket: str, key: str, mapping_key: str | None) -> Any:
    """The source read from its S3 object (and mapping), downloaded into `folder`."""
    from oraculum.ingest.mapping import load_mappings
    from oraculum.ingest.sources import chain_sources, jsonl_source, mapped_source

    path = _download(settings, folder, bucket, key, "key")
    if mapping_key is None:
        return jsonl_source(path)
    mappings = load_mappings(_download(settings, folder, bucket, mapping_key, "mapping_key"))
    return chain_sources([mapped_source(path, m) for m in mappings])


def _answer(function: str, work: Any) -> dict[str, Any]:
    """Run `work`; our errors become named refusals, a failed backend IngestRetry."""
    from oraculum import observability
    from oraculum.domain.errors import BackendUnavailable, OraculumError
    from oraculum.ingest.manifest import ShardsIncomplete

    try:
        return work()  # type: ignore[no-any-return]
    except _Refused as exc:
        answer = exc.answer
    except ShardsIncomplete as exc:
        answer = {"ok": False, "error": "shards-incomplete", "detail": str(exc)[:500],
                  "missing": exc.missing[:100]}  # fmt: skip
    except BackendUnavailable as exc:
        observability.logger().warning(f"{function}: a backend failed, to retry",
                                       extra={"detail": str(exc)})  # fmt: skip
        raise IngestRetry(str(exc)[:1000]) from None
    except OraculumError as exc:  # a source, mapping or setting the caller must change
        answer = {"ok": False, "error": "refused", "detail": str(exc)[:500]}
    finally:
        observability.flush()
    observability.logger().warning(f"{function} refused", extra=answer)
    return answer


def shard(event: Any, context: Any) -> dict[str, Any]:
    """Load shard I of N of the source in S3; `complete` false: invoke it again."""

    def work() -> dict[str, Any]:
        from oraculum import observability
        from oraculum.config import open_stores
        from oraculum.ingest.pipeline import IngestOptions, ingest
        from oraculum.ingest.shards import Shard

        bucket, key, count, run, name = _common(event)
        index = _number(event, "shard", 0, count - 1)
        mapping_key = _text(event, "mapping_key", required=False)
        settings = _settings()
        request_id = getattr(context, "aws_request_id", "") or "local"
        observability.bind_request(
            request_id, path="ingest-shard", shard=f"{index}/{count}", run=run
        )
        # a folder of this invocation's own in Lambda's /tmp, emptied afterwards
        folder = Path(tempfile.mkdtemp(prefix="source-", dir=_scratch(settings)))
        try:
            source = _source(settings, folder, bucket, key, mapping_key)
            options = IngestOptions(shard=Shard(index, count), run_id=run,
                                    should_stop=_stopper(context))  # fmt: skip
            stores = open_stores(settings, claim=True)
            try:
                report = ingest(settings, stores, source, options, source_name=name)
            finally:
                stores.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for rejected in report.rejected:  # the shard that owns a rejected record reports it
            observability.logger().warning("record rejected", extra=rejected.as_dict())
        summary = report.as_dict()
        summary["rejections"] = summary["rejections"][:5]
        observability.logger().info("shard loaded", extra={k: v for k, v in summary.items()
                                                          if k != "rejections"})  # fmt: skip
        return {"ok": True, **summary}

    return _answer("ingest shard", work)


def _scratch(settings: Any) -> Path:
    path = Path(settings.data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stopper(context: Any) -> Any:
    left = getattr(context, "get_remaining_time_in_millis", None)
    if left is None:
        return None
    return lambda: left() / 1000.0 < STOP_MARGIN_S


def finish(event: Any, context: Any) -> dict[str, Any]:
    """After every shard: prune from their manifests, sync the lexical index, verify.
    `ok` false with `error: drift` when verify finds drift (the state machine fails)."""

    def work() -> dict[str, Any]:
        from oraculum import observability
        from oraculum.config import open_stores
        from oraculum.ingest.finish import finish as finish_run

        _bucket, _key, count, run, name = _common(event)
        prune = event.get("prune", True)
        if not isinstance(prune, bool):
            raise _bad("prune", f"must be true or false, not {prune!r}")
        observability.bind_request(getattr(context, "aws_request_id", "") or "local",
                                   path="ingest-finish", run=run)  # fmt: skip
        started = time.monotonic()
        stores = open_stores(_settings())
        try:
            report = finish_run(stores, name, run, count, prune=prune)
        finally:
            stores.close()
        answer = report.as_dict()
        answer["seconds"] = round(time.monotonic() - started, 1)
        if not report.clean:
            observability.logger().error("stores drifted after the run", extra=answer)
            return {"ok": False, "error": "drift", "detail": "verify found drift after the "
                    "run: run `oraculum repair`, then finish again", **answer}  # fmt: skip
        observability.logger().info("run finished", extra=answer)
        return {"ok": True, **answer}

    return _answer("ingest finish", work)
