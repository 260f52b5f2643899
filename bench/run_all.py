"""Run every bench in turn, each in its own process, and say where the results went.

    .venv/bin/python bench/run_all.py [--quick] [--out DIR] [--only search,ingest]

A bench is any `bench/NAME_bench.py` that takes `--quick` and `--json PATH` (today: search,
ingest, cloud_ingest, cold_start, generator, readings, server, sky). Each prints its tables
(kept in DIR/NAME.txt) and writes its figures to DIR/NAME.json. cloud_ingest and cold_start
start moto's server and the Pinecone and Bedrock stand-ins on 127.0.0.1 themselves;
cold_start also builds the Lambda packages under build/ (pip reaches the package index).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {p.name.removesuffix("_bench.py"): p for p in sorted(HERE.glob("*_bench.py"))}


def run(name: str, script: Path, out: Path, quick: bool) -> int:
    cmd = [sys.executable, str(script), "--json", str(out / f"{name}.json")]
    if quick:
        cmd.append("--quick")
    print(f"\n##### {name}: {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    with (out / f"{name}.txt").open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            log.write(line)
        code = proc.wait()
    print(f"##### {name}: exit {code} after {time.perf_counter() - t0:.0f} s", flush=True)
    return code


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small smoke-test sizes")
    p.add_argument("--out", type=Path, default=HERE / "results", help="where results go")
    p.add_argument("--only", default=",".join(BENCHES), help="comma-separated bench names")
    args = p.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        p.error(f"unknown bench {', '.join(unknown)}; known: {', '.join(BENCHES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    codes = {name: run(name, BENCHES[name], args.out, args.quick) for name in names}
    print("\nresults:")
    width = max(map(len, codes), default=0)
    for name, code in codes.items():
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        files = f"{args.out / f'{name}.txt'}  {args.out / f'{name}.json'}"
        print(f"  {name:<{width}} {status:<8} {files}")
    sys.exit(max(codes.values(), default=0) and 1)


if __name__ == "__main__":
    main()
