"""Cloud ingest: batched writes into DynamoDB and Pinecone against one item at a time, in the
same run, and what the boto3 and pinecone clients add to a cold start.

Servers, each in its own process on 127.0.0.1: moto's server (DynamoDB, SSM) and the Pinecone
stand-in (tests/standins/pinecone_standin.py: Pinecone's documented REST API and limits, not
Pinecone). Requests are counted where they are sent: botocore's `before-send` event on the
DynamoDB client (every HTTP attempt, retries included) and the stand-in's own request log.

1. **Writes of N chunks** (default 2,000; synthetic records in our schema, chunked by the
   pipeline; 1,024-d vectors from the hashing embedder): each way on a fresh table and a fresh
   namespace, `--repeat` times, the median wall time.
   - DynamoDB: `DynamoDocumentStore.put_many` (BatchWriteItem, 25 items a request,
     UnprocessedItems resent) against the same items written with one `PutItem` each, in one
     thread and in 8;
   - Pinecone: `PineconeIndex.upsert` (every vector checked, then batches of at most 1,000
     vectors and 2 MB) against the SDK's `index.upsert` with one vector a call, in one thread
     and in 8.
2. **The whole ingest** (`oraculum.ingest.pipeline.ingest`, as `oraculum ingest` runs it) of
   the same chunks into DynamoDB + Pinecone, fresh and unchanged re-run: requests per chunk by
   operation. The consistency protocol (DESIGN.md) adds to the writes above: a Query per
   document to find its stored chunks, a BatchGetItem per batch, and a conditional UpdateItem
   per chunk to mark it indexed (DynamoDB has no batch form of a conditional update).
3. **Clients on a cold start**, in fresh processes of the project's venv (`.pyc` compiled), min
   and median: `import boto3`, then the dynamodb, bedrock-runtime and ssm clients (botocore's
   Config as `oraculum.backends.aws.clients` makes it), then the first and a second call of each;
   `from pinecone import Pinecone, RetryConfig`, the client, the index handle, the first and a
   second query. bench/cold_start_bench.py measures the same inside the Lambda packages.

    .venv/bin/python bench/cloud_ingest_bench.py [--quick] [--json PATH] [--chunks N]
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _common import CpuWatch, machine, parser, print_machine, table, write_json

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = Path(sys.executable)
DIM = 1024
STANDIN_KEY = "pinecone-standin-key"  # the stand-in's default key (a test value, not a secret)
REGION = "us-east-1"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
AWS_FILES = ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
# The environment as it was given: importing oraculum sets OMP_WAIT_POLICY in this process.
START_ENV = dict(os.environ)


# ------------------------------------------------------------------------------------------
# local servers, each in a process of its own


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The starting environment without our settings or AWS profiles, plus `extra`."""
    env = {
        k: v
        for k, v in START_ENV.items()
        if not k.startswith(("ORACULUM_", "POWERTOOLS_", "AWS_")) and k != "PYTHONPATH"
    }
    return {**env, **extra}


# The stand-ins write a response's headers and its body in two sends on a socket without
# TCP_NODELAY: on a kept-alive connection the body then waits for the client's delayed ACK,
# about 40 ms, from the second request on (the first is in quick-ACK mode). Every production
# HTTP server avoids that; the bench turns on TCP_NODELAY in the stand-ins' process
# (`disable_nagle_algorithm`, a standard socketserver switch), so that warm calls measure the
# client, not that stall.
# A stand-in in this process's child: prints its URL, then for every line read on stdin prints
# (as one JSON line) the requests it answered since the previous line.
PINECONE_SERVER = r"""
import json, socketserver, sys
socketserver.StreamRequestHandler.disable_nagle_algorithm = True  # see above
from tests.standins.pinecone_standin import PineconeStandin
server = PineconeStandin(port=0).start()
print(server.url, flush=True)
seen = 0
for _ in sys.stdin:
    new = server.requests[seen:]
    seen += len(new)
    rows = [[r.method, r.path.split("?")[0], r.status, r.body_bytes, r.items] for r in new]
    print(json.dumps(rows), flush=True)
server.stop()
"""
BEDROCK_SERVER = r"""
import json, socketserver, sys, threading
socketserver.StreamRequestHandler.disable_nagle_algorithm = True  # see above
from http.server import ThreadingHTTPServer
from tests.standins.bedrock_standin import Handler
httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
print(f"http://127.0.0.1:{httpd.server_address[1]}", flush=True)
seen = 0
for _ in sys.stdin:
    new = Handler.calls[seen:]
    seen += len(new)
    print(json.dumps([[c["action"], len(c["body"].get("texts") or [])] for c in new]), flush=True)
httpd.shutdown()
"""


class LogServer:
    """A stand-in in its own process; `take()` is what it answered since the last take."""

    def __init__(self, code: str) -> None:
        self.proc = subprocess.Popen(
            [str(VENV_PYTHON), "-c", code], cwd=ROOT, env=clean_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.close()
            raise RuntimeError("a stand-in did not start")

    def take(self) -> list[list[Any]]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        rows: list[list[Any]] = json.loads(self.proc.stdout.readline())
        return rows

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class MotoServer:
    def __init__(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [str(VENV_PYTHON), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env=clean_env(**FAKE_AWS), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("moto's server exited at start") from None
                time.sleep(0.1)
        self.close()
        raise RuntimeError("moto's server did not answer within 30 s")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Standins:
    """moto's server, the Pinecone stand-in and (optionally) the Bedrock stand-in."""

    def __init__(self, bedrock: bool = False) -> None:
        self.moto = MotoServer()
        self.pinecone = LogServer(PINECONE_SERVER)
        self.bedrock = LogServer(BEDROCK_SERVER) if bedrock else None

    def aws_env(self) -> dict[str, str]:
        """What points boto3 at these servers: fake credentials and endpoint URLs."""
        env = {**FAKE_AWS, "AWS_ENDPOINT_URL": self.moto.url}
        if self.bedrock is not None:
            env["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = self.bedrock.url
        return env

    def boto3_client(self, service: str) -> Any:
        import boto3

        url = self.bedrock.url if service == "bedrock-runtime" and self.bedrock else self.moto.url
        return boto3.client(
            service, endpoint_url=url, region_name=REGION,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip

    def data_host(self, index: str) -> str:
        return f"{self.pinecone.url}/data/{index}"

    def close(self) -> None:
        for server in (self.bedrock, self.pinecone, self.moto):
            if server is not None:
                server.close()

    def __enter__(self) -> Standins:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pinecone_counts(rows: list[list[Any]]) -> dict[str, Any]:
    """The stand-in's log rows as requests by path, vectors sent and request bytes."""
    by_path = Counter(str(r[1]).rsplit("/data/", 1)[-1].split("/", 1)[-1] for r in rows)
    return {
        "requests": len(rows),
        "by_path": dict(by_path),
        "errors": sum(1 for r in rows if int(r[2]) >= 400),
        "bytes": sum(int(r[3]) for r in rows),
        "upserted": sum(int(r[4]) for r in rows if str(r[1]).endswith("/vectors/upsert")),
    }


class BotoRequests:
    """Every HTTP attempt a botocore client sends (its `before-send` event), by operation."""

    def __init__(self) -> None:
        self.ops: Counter[str] = Counter()
        self.bytes = 0

    def __call__(self, request: Any, event_name: str, **_: Any) -> None:
        self.ops[event_name.rsplit(".", 1)[-1]] += 1
        body = request.body
        self.bytes += len(body) if body else 0

    def take(self) -> dict[str, Any]:
        out = {"requests": sum(self.ops.values()), "by_op": dict(self.ops), "bytes": self.bytes}
        self.ops, self.bytes = Counter(), 0
        return out


def compile_all(python: Path, *paths: Path) -> None:
    """Write the .pyc Lambda would ship (compileall skips what is up to date)."""
    cmd = [str(python), "-m", "compileall", "-q", "-j", "0", *map(str, paths)]
    subprocess.run(cmd, check=True, capture_output=True)


def site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    done = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    return Path(done.stdout.strip())


def summary(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "n": len(values)}


def host_speed(repeat: int = 5) -> float:
    """ms for `sum(range(10**7))`, the median of a few, in this process: this machine's speed
    drifts by a third from hour to hour (a shared host) while /proc/stat shows it idle, so the
    benches print it at their start and end to make that visible."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        sum(range(10**7))
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


# ------------------------------------------------------------------------------------------
# 1. writes of N chunks


def make_chunks(n: int, seed: int = 7) -> tuple[list[Any], Any, list[dict[str, Any]]]:
    """N chunks from synthetic records in our schema (three sections, one chunk each), their
    1,024-d hashing vectors, and the records themselves (for the pipeline run)."""
    from ingest_bench import record  # the synthetic source of the ingest bench
    from oraculum.backends.local.hashing import HashingEmbedder
    from oraculum.ingest.chunking import chunk_record
    from oraculum.ingest.normalize import Limits, build_record

    embedder = HashingEmbedder(dim=DIM)
    chunks: list[Any] = []
    records: list[dict[str, Any]] = []
    i = 0
    while len(chunks) < n:
        data = record(i, seed)
        built = build_record(data, source="bench", location=str(i), limits=Limits())
        chunks.extend(chunk_record(built, model_id=embedder.model_id, limit=900))
        records.append(data)
        i += 1
    chunks = chunks[:n]
    vectors = embedder.embed_documents([c.text for c in chunks])
    return chunks, vectors, records


class Writes:
    """Each way of writing the same chunks, on a fresh table or namespace each time."""

    def __init__(self, servers: Standins, chunks: list[Any], vectors: Any) -> None:
        from oraculum.backends.aws import clients as aws
        from oraculum.config import Settings

        self.servers = servers
        self.chunks = chunks
        self.vectors = vectors
        self.settings = Settings(aws_region=REGION)
        self.client = aws.client("dynamodb", self.settings)  # the client our store uses
        self.counter = BotoRequests()
        self.client.meta.events.register("before-send.dynamodb", self.counter)
        self.tables = 0
        self.index_name = "bench-writes"
        self.index = self._pinecone_adapter("")
        self.index.claim("oraculum/hashing-v1-1024", DIM)  # creates the index
        self.servers.pinecone.take()

    def _pinecone_adapter(self, namespace: str) -> Any:
        from oraculum.backends.pinecone.index import PineconeIndex

        return PineconeIndex(
            api_key=STANDIN_KEY, name=self.index_name, namespace=namespace,
            host=self.servers.data_host(self.index_name), control_host=self.servers.pinecone.url,
        )  # fmt: skip

    def fresh_table(self) -> str:
        from oraculum.backends.dynamodb import schema

        self.tables += 1
        name = f"bench-writes-{self.tables}"
        schema.ensure_table(self.client, name, poll_s=0.05)
        self.counter.take()
        return name

    def fresh_namespace(self, way: str) -> str:
        self.tables += 1
        return f"{way}-{self.tables}"

    # DynamoDB -------------------------------------------------------------------------
    def dynamodb_ours(self) -> dict[str, Any]:
        from oraculum.backends.dynamodb.store import DynamoDocumentStore

        store = DynamoDocumentStore(self.client, self.fresh_table())
        return self._timed(lambda: store.put_many(self.chunks), self.counter.take)

    def dynamodb_naive(self, threads: int) -> dict[str, Any]:
        from oraculum.backends.dynamodb import schema

        table = self.fresh_table()

        def put(chunk: Any) -> None:
            self.client.put_item(TableName=table, Item=schema.encode(chunk))

        return self._timed(lambda: _each(put, self.chunks, threads), self.counter.take)

    # Pinecone -------------------------------------------------------------------------
    def pinecone_ours(self) -> dict[str, Any]:
        index = self._pinecone_adapter(self.fresh_namespace("ours"))
        index.claim("oraculum/hashing-v1-1024", DIM)
        ids = [c.id for c in self.chunks]
        metadata = [c.vector_metadata() for c in self.chunks]

        def write() -> None:
            index.upsert(ids, self.vectors, metadata)

        try:
            return self._timed(write, self._pinecone_take)
        finally:
            index.close()

    def pinecone_naive(self, threads: int) -> dict[str, Any]:
        from pinecone import Pinecone

        namespace = self.fresh_namespace("naive")
        pc = Pinecone(api_key=STANDIN_KEY, host=self.servers.pinecone.url)
        index = pc.index(host=self.servers.data_host(self.index_name))
        rows = list(zip(self.chunks, self.vectors.tolist(), strict=True))

        def put(row: tuple[Any, list[float]]) -> None:
            chunk, values = row
            vector = {"id": chunk.id, "values": values, "metadata": chunk.vector_metadata()}
            index.upsert(vectors=[vector], namespace=namespace, show_progress=False)

        try:
            return self._timed(lambda: _each(put, rows, threads), self._pinecone_take)
        finally:
            index.close()
            pc.close()

    def _pinecone_take(self) -> dict[str, Any]:
        return pinecone_counts(self.servers.pinecone.take())

    def _timed(
        self, work: Callable[[], None], counts: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        counts()
        t0, c0 = time.perf_counter(), time.process_time()
        work()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"wall_s": wall, "client_cpu_s": cpu, **counts()}


def _each(work: Callable[[Any], None], items: list[Any], threads: int) -> None:
    if threads <= 1:
        for item in items:
            work(item)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(work, items):
            pass


def write_runs(writes: Writes, repeat: int, threads: int) -> dict[str, Any]:
    ways: dict[str, tuple[str, str, Callable[[], dict[str, Any]]]] = {
        "dynamodb/ours": ("DynamoDB", "put_many: BatchWriteItem of 25", writes.dynamodb_ours),
        "dynamodb/naive": ("DynamoDB", "PutItem per item", lambda: writes.dynamodb_naive(1)),
        f"dynamodb/naive-{threads}": (
            "DynamoDB", f"PutItem per item, {threads} threads",
            lambda: writes.dynamodb_naive(threads),
        ),
        "pinecone/ours": ("Pinecone", "PineconeIndex.upsert: batches", writes.pinecone_ours),
        "pinecone/naive": ("Pinecone", "upsert per vector", lambda: writes.pinecone_naive(1)),
        f"pinecone/naive-{threads}": (
            "Pinecone", f"upsert per vector, {threads} threads",
            lambda: writes.pinecone_naive(threads),
        ),
    }  # fmt: skip
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in ways}
    for r in range(repeat):
        keys = list(ways)
        turn = r % len(keys)
        for key in keys[turn:] + keys[:turn]:  # the order turns each round
            print(f"  {key} ({r + 1}/{repeat}) ...", flush=True)
            runs[key].append(ways[key][2]())
    n = len(writes.chunks)
    out: dict[str, Any] = {}
    for key, results in runs.items():
        store, label, _ = ways[key]
        walls = [x["wall_s"] for x in results]
        last = results[-1]
        out[key] = {
            "store": store,
            "way": label,
            "records": n,
            "requests": last["requests"],
            "requests_per_record": last["requests"] / n,
            "by": last.get("by_op") or last.get("by_path"),
            "bytes_sent": last["bytes"],
            "wall_s": summary(walls),
            "client_cpu_s": statistics.median(x["client_cpu_s"] for x in results),
            "records_per_s": n / statistics.median(walls),
            "errors": last.get("errors", 0),
        }
    return out


# ------------------------------------------------------------------------------------------
# 2. the whole ingest


def pipeline_runs(writes: Writes, records: list[dict[str, Any]], work: Path) -> dict[str, Any]:
    from oraculum.config import Settings, open_stores
    from oraculum.ingest.pipeline import IngestOptions, ingest
    from oraculum.ingest.sources import jsonl_source

    source = work / "records.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    writes.tables += 1
    settings = Settings(
        data_dir=work / "pipeline", embedder="hashing", hashing_dim=DIM,
        document_store="dynamodb", vector_index="pinecone", aws_region=REGION,
        dynamodb_table=f"bench-pipeline-{writes.tables}", pinecone_api_key=STANDIN_KEY,
        pinecone_index=writes.index_name, pinecone_namespace=f"pipeline-{writes.tables}",
        pinecone_control_host=writes.servers.pinecone.url,
        pinecone_host=writes.servers.data_host(writes.index_name),
    )  # fmt: skip
    out: dict[str, Any] = {}
    chunks = 0
    for run in ("fresh", "unchanged"):
        print(f"  pipeline, {run} ...", flush=True)
        stores = open_stores(settings, claim=True)
        writes.counter.take()
        writes.servers.pinecone.take()
        t0 = time.perf_counter()
        try:
            report = ingest(settings, stores, jsonl_source(source), IngestOptions())
        finally:
            stores.close()
        wall = time.perf_counter() - t0
        if report.rejected:
            raise SystemExit(f"the synthetic source was rejected: {report.rejected[0].as_dict()}")
        chunks = chunks or report.chunks_written
        out[run] = {
            "wall_s": wall,
            "records": report.read,
            "chunks": chunks,
            "chunks_written": report.chunks_written,
            "chunks_embedded": report.chunks_embedded,
            "dynamodb": writes.counter.take(),
            "pinecone": pinecone_counts(writes.servers.pinecone.take()),
        }
    return out


# ------------------------------------------------------------------------------------------
# 3. the clients on a cold start

CLIENT_CHILD = r"""
import json, sys, time
out, which, table, control, data, key, region = sys.argv[1:8]
marks = []


def mark(label):
    marks.append([label, time.perf_counter(), time.process_time()])


mark("start")
if which == "boto3":
    import boto3
    from botocore.config import Config
    mark("import boto3")
    config = Config(connect_timeout=5.0, read_timeout=10.0, max_pool_connections=10,
                    retries={"mode": "adaptive", "max_attempts": 5})
    ddb = boto3.client("dynamodb", region_name=region, config=config)
    mark("client: dynamodb")
    bedrock = boto3.client("bedrock-runtime", region_name=region, config=config)
    mark("client: bedrock-runtime")
    ssm = boto3.client("ssm", region_name=region, config=config)
    mark("client: ssm")
    item = {"id": {"S": "~meta#model_id"}}
    ddb.get_item(TableName=table, Key=item, ConsistentRead=True)
    mark("first call: dynamodb GetItem")
    body = json.dumps({"texts": ["what does the tower mean?"], "input_type": "search_query",
                       "truncate": "END"})
    bedrock.invoke_model(modelId="cohere.embed-multilingual-v3", body=body)
    mark("first call: bedrock-runtime InvokeModel")
    ssm.get_parameter(Name="/oraculum/bench-key", WithDecryption=True)
    mark("first call: ssm GetParameter")
    ddb.get_item(TableName=table, Key=item, ConsistentRead=True)
    mark("second call: dynamodb GetItem")
else:
    from pinecone import Pinecone, RetryConfig
    mark("import pinecone")
    pc = Pinecone(api_key=key, host=control, timeout=10.0, retry_config=RetryConfig(max_retries=2),
                  source_tag="oraculum")
    mark("client: Pinecone(...)")
    index = pc.index(host=data)
    mark("index handle")
    vector = [1.0] + [0.0] * 1023
    index.query(vector=vector, top_k=5, include_metadata=True, namespace="")
    mark("first call: query")
    index.query(vector=vector, top_k=5, include_metadata=True, namespace="")
    mark("second call: query")
steps = {}
for (_, t0, p0), (label, t1, p1) in zip(marks, marks[1:]):
    steps[label] = {"wall_ms": (t1 - t0) * 1e3, "cpu_ms": (p1 - p0) * 1e3}
with open(out, "w", encoding="utf-8") as f:
    with open("/proc/self/status", encoding="ascii") as status:  # VmHWM: this process's peak
        peak = next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM:")) / 1024
    json.dump({"steps": steps, "modules": len(sys.modules), "maxrss_mb": peak}, f)
"""


def client_runs(servers: Standins, runs: int, work: Path) -> dict[str, Any]:
    """Fresh venv processes: boto3 and its clients, pinecone and its index, turn about."""
    from oraculum.backends.dynamodb import schema
    from oraculum.backends.pinecone.index import PineconeIndex

    table, index_name = "bench-clients", "bench-clients"
    schema.ensure_table(servers.boto3_client("dynamodb"), table, poll_s=0.05)
    servers.boto3_client("ssm").put_parameter(
        Name="/oraculum/bench-key", Value=STANDIN_KEY, Type="SecureString", Overwrite=True
    )
    index = PineconeIndex(
        api_key=STANDIN_KEY, name=index_name, control_host=servers.pinecone.url,
        host=servers.data_host(index_name),
    )  # fmt: skip
    index.claim("oraculum/hashing-v1-1024", DIM)
    chunks, vectors, _ = make_chunks(30)
    index.upsert([c.id for c in chunks], vectors, [c.vector_metadata() for c in chunks])
    index.close()

    compile_all(VENV_PYTHON, site_packages(VENV_PYTHON))
    env = clean_env(**servers.aws_env())
    out_file = work / "client.json"
    raw: dict[str, list[dict[str, Any]]] = {"boto3": [], "pinecone": []}
    for r in range(runs):
        for which in ("boto3", "pinecone") if r % 2 == 0 else ("pinecone", "boto3"):
            urls = [servers.pinecone.url, servers.data_host(index_name)]
            cmd = [str(VENV_PYTHON), "-c", CLIENT_CHILD, str(out_file), which, table, *urls,
                   STANDIN_KEY, REGION]  # fmt: skip
            done = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"client child {which} failed:\n{done.stderr[-3000:]}")
            raw[which].append(json.loads(out_file.read_text(encoding="utf-8")))
    out: dict[str, Any] = {}
    for which, results in raw.items():
        steps = list(results[0]["steps"])
        out[which] = {
            "steps": {
                s: {
                    "wall": summary([x["steps"][s]["wall_ms"] for x in results]),
                    "cpu": summary([x["steps"][s]["cpu_ms"] for x in results]),
                }
                for s in steps
            },
            "maxrss_mb": statistics.median(x["maxrss_mb"] for x in results),
            "modules": results[0]["modules"],
        }
    return out


# ------------------------------------------------------------------------------------------
# report


def report(fig: dict[str, Any], threads: int) -> None:
    w = fig["writes"]
    n = next(iter(w.values()))["records"]
    rows = []
    for r in w.values():
        rows.append([
            r["store"], r["way"], r["requests"], r["requests_per_record"],
            f"{r['wall_s']['min']:.2f} / {r['wall_s']['median']:.2f}", r["records_per_s"],
            r["client_cpu_s"], r["bytes_sent"] / 1e6,
        ])  # fmt: skip
    print(table(
        f"Writes of {n:,} chunks ({DIM}-d vectors), each way on a fresh table / namespace: "
        "requests sent (botocore's before-send; the stand-in's log), wall s min / median",
        ["store", "way", "requests", "req/record", "wall s", "records/s", "client CPU s",
         "MB sent"],
        rows,
    ))  # fmt: skip
    for store in ("dynamodb", "pinecone"):
        ours, naive, par = w[f"{store}/ours"], w[f"{store}/naive"], w[f"{store}/naive-{threads}"]
        fewer = naive["requests"] / max(1, ours["requests"])
        faster = naive["wall_s"]["median"] / ours["wall_s"]["median"]
        faster_par = par["wall_s"]["median"] / ours["wall_s"]["median"]
        print(f"  {store}: batched, {fewer:.0f}x fewer requests; {faster:.1f}x faster than one "
              f"at a time, {faster_par:.1f}x faster than {threads} threads of them")  # fmt: skip

    p = fig["pipeline"]
    rows = []
    for run, r in p.items():
        chunks = r["chunks"]
        ddb, pc = r["dynamodb"], r["pinecone"]
        ops = ", ".join(f"{k} {v}" for k, v in sorted(ddb["by_op"].items(), key=lambda kv: -kv[1]))
        paths = ", ".join(f"{k} {v}" for k, v in sorted(pc["by_path"].items()))
        per_chunk = [ddb["requests"] / chunks, pc["requests"] / chunks]
        rows.append([run, r["records"], chunks, r["chunks_written"], r["wall_s"], *per_chunk,
                     ops, paths or "-"])  # fmt: skip
    print(table(
        "The whole ingest (oraculum.ingest.pipeline.ingest, hashing 1024-d, batches of 64 "
        "records) into DynamoDB + Pinecone: requests per chunk",
        ["run", "records", "chunks", "written", "wall s", "DynamoDB/chunk", "Pinecone/chunk",
         "DynamoDB requests", "Pinecone requests"],
        rows,
    ))  # fmt: skip

    c = fig["clients"]
    rows = []
    for which, r in c.items():
        total_wall = [0.0, 0.0]
        for step, s in r["steps"].items():
            rows.append([which, step, f"{s['wall']['min']:.1f} / {s['wall']['median']:.1f}",
                         f"{s['cpu']['min']:.1f} / {s['cpu']['median']:.1f}"])  # fmt: skip
            if not step.startswith("second"):
                total_wall[0] += s["wall"]["min"]
                total_wall[1] += s["wall"]["median"]
        before_calls = [s for k, s in r["steps"].items() if not k.startswith(("first", "second"))]
        rows.append([which, "= before any call (import + clients)",
                     f"{sum(s['wall']['min'] for s in before_calls):.1f} / "
                     f"{sum(s['wall']['median'] for s in before_calls):.1f}", ""])  # fmt: skip
        rows.append([which, "= to the first answers", f"{total_wall[0]:.1f} / {total_wall[1]:.1f}",
                     f"peak RSS {r['maxrss_mb']:.0f} MB"])  # fmt: skip
    print(table(
        "Clients on a cold start: fresh venv processes, ms, min / median (each call to the local "
        "servers on 127.0.0.1; a call's network time in AWS is not in these figures)",
        ["client", "step", "wall ms", "CPU ms"],
        rows,
    ))  # fmt: skip


# ------------------------------------------------------------------------------------------


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--chunks", type=int, help="chunks written each way (default 2,000; quick 200)")
    p.add_argument("--repeat", type=int, help="runs of each way (default 3; quick 1)")
    p.add_argument("--runs", type=int, help="fresh processes for the clients (default 7; quick 3)")
    p.add_argument("--threads", type=int, default=8, help="threads of the parallel naive way")
    args = p.parse_args()
    n = args.chunks or (200 if args.quick else 2_000)
    repeat = args.repeat or (1 if args.quick else 3)
    runs = args.runs or (3 if args.quick else 7)

    info = machine(("boto3", "botocore", "moto", "pinecone"))
    print_machine(info)
    print(f"chunks   {n:,} of {DIM} dims, {repeat} run(s) a way; clients: {runs} fresh processes")
    fig: dict[str, Any] = {"machine": info, "chunks": n, "repeat": repeat, "runs": runs}
    fig["host_speed_ms"] = {"start": host_speed()}
    print(f"speed    sum(range(10**7)) {fig['host_speed_ms']['start']:.0f} ms (a yardstick)")
    work = Path(tempfile.mkdtemp(prefix="cloud-ingest-"))
    for name in AWS_FILES:
        os.environ.pop(name, None)
    os.environ["ORACULUM_CONFIG"] = str(work / "no-oraculum.toml")
    try:
        with CpuWatch() as watch, Standins() as servers:
            os.environ.update({**FAKE_AWS, "AWS_ENDPOINT_URL": servers.moto.url})
            print(f"moto {servers.moto.url}, Pinecone stand-in {servers.pinecone.url}", flush=True)
            chunks, vectors, records = make_chunks(n)
            writes = Writes(servers, chunks, vectors)
            print("writes ...", flush=True)
            fig["writes"] = write_runs(writes, repeat, args.threads)
            print("the whole ingest ...", flush=True)
            fig["pipeline"] = pipeline_runs(writes, records, work)
            print("clients on a cold start ...", flush=True)
            fig["clients"] = client_runs(servers, runs, work)
            report(fig, args.threads)
        fig["host_speed_ms"]["end"] = host_speed()
        fig["cpu_watch"] = watch.report()
        print(
            f"speed    sum(range(10**7)) {fig['host_speed_ms']['start']:.0f} ms at the start, "
            f"{fig['host_speed_ms']['end']:.0f} ms at the end"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_json(args.json, fig)


if __name__ == "__main__":
    main()
