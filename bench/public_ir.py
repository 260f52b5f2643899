"""A public retrieval benchmark as our ingest takes it: passages as JSONL records, queries with
the entities that answer them. Read by bench/retrieval_bench.py.

**XQuAD** (Artetxe et al., 2019; CC BY-SA 4.0): 240 Wikipedia paragraphs from SQuAD v1.1's
development set and their 1,190 questions, professionally translated into ten languages, English
and Vietnamese among them. Turned into passage retrieval the way LAReQA's XQuAD-R does: every
paragraph of both languages is a passage; a question is answered by its own paragraph. The two
translations of a paragraph share one key, so they are twins (one entity, docs/architecture.md),
and finding either counts, as our product shows a reader the twin in their language. Why this
one: it is the only public set we know with the same questions, human-translated, in both our
languages, small enough to embed in a minute on two cores, and a real QA task (the questions were
written by people reading the paragraph) rather than sentences matched to their translation.

Where it comes from: nothing on PyPI, npm or Debian ships XQuAD, MLQA, MIRACL, mMARCO, Belebele,
UIT-ViQuAD or Zalo's legal set (searched: underthesea and the Vietnamese NLP packages ship
dictionaries and models, pyserini and ir_datasets ship topics or download at run time, the
Hugging Face hub is out of reach). So the loader reads `xquad.en.json` and `xquad.vi.json` (the
files of google-deepmind/xquad, 1.5 MB) from `--xquad-dir`, `$ORACULUM_BENCH_XQUAD` or
`shared/datasets/xquad/` beside the repository, wherever someone put them.

**corpora-tarot** (the fallback, English only, CC0):
`examples/datasets/corpora-tarot_interpretations.json` (dariusk/corpora), the one public data
set every clone has. Each card gives three passages (its light meanings, its shadow meanings,
its fortune-telling lines); a query is the card's keyword list, answered by any of its three
passages. Weaker (keywords, not questions) and not independent of our domain, but reachable
everywhere.

Both are deterministic: a fixed seed picks the same queries on every run.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oraculum.domain.ids import normalize

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "datasets"
KIND = "article"
SEED = 16


@dataclass(frozen=True)
class Query:
    qid: str
    lang: str
    text: str
    relevant: frozenset[str]  # entities


@dataclass
class Benchmark:
    name: str
    source: str  # what was read, for the report
    records: list[dict[str, Any]]
    queries: list[Query]
    notes: list[str] = field(default_factory=list)

    def write_jsonl(self, path: Path) -> Path:
        with path.open("w", encoding="utf-8") as fh:
            for record in self.records:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return path


def entity(key: str) -> str:
    """The entity our ingest gives an article record with this key (its id without the lang)."""
    return normalize(KIND.replace("_", "-"), key)


def _sample(items: list[Any], n: int | None) -> list[Any]:
    if n is None or n >= len(items):
        return items
    picked = sorted(random.Random(SEED).sample(range(len(items)), n))
    return [items[i] for i in picked]


# --- XQuAD -------------------------------------------------------------------------------------
def xquad_dir(given: Path | None = None) -> Path | None:
    for place in (given, os.environ.get("ORACULUM_BENCH_XQUAD"), SHARED / "xquad"):
        if place and (Path(place) / "xquad.en.json").is_file():
            return Path(place)
    return None


def xquad(
    directory: Path, langs: Iterable[str] = ("en", "vi"), queries_per_lang: int | None = 200
) -> Benchmark:
    """Every paragraph of each language as a record; the same sampled questions in each."""
    langs = tuple(langs)
    records: list[dict[str, Any]] = []
    questions: dict[str, dict[str, tuple[str, str]]] = {}  # lang -> qa id -> (text, key)
    for lang in langs:
        data = json.loads((directory / f"xquad.{lang}.json").read_text(encoding="utf-8"))["data"]
        questions[lang] = {}
        for a, article in enumerate(data):
            for p, paragraph in enumerate(article["paragraphs"]):
                key = f"xquad-{a:02d}-{p}"
                records.append({
                    "kind": KIND, "lang": lang, "key": key, "title": article["title"],
                    "text": paragraph["context"], "metadata": {"source": "xquad"},
                })  # fmt: skip
                for qa in paragraph["qas"]:
                    questions[lang][qa["id"]] = (qa["question"], key)
    shared_ids = sorted(set.intersection(*(set(q) for q in questions.values())))
    chosen = _sample(shared_ids, queries_per_lang)
    queries = [
        Query(qid, lang, questions[lang][qid][0], frozenset({entity(questions[lang][qid][1])}))
        for lang in langs
        for qid in chosen
    ]
    passages = len(records) // len(langs)
    return Benchmark(
        "xquad", str(directory), records, queries,
        [f"{passages} paragraphs in each of {', '.join(langs)} ({len(records)} passages, "
         f"translations are twins); {len(chosen)} of {len(shared_ids)} questions per language, "
         f"the same ones in each (seed {SEED})"],
    )  # fmt: skip


# --- corpora-tarot (the fallback) -----------------------------------------------------------------
def corpora_tarot(
    path: Path = ROOT / "examples" / "datasets" / "corpora-tarot_interpretations.json",
) -> Benchmark:
    cards = json.loads(path.read_text(encoding="utf-8"))["tarot_interpretations"]
    records: list[dict[str, Any]] = []
    queries: list[Query] = []
    for card in cards:
        name = card["name"]
        parts = {
            "light": card["meanings"]["light"],
            "shadow": card["meanings"]["shadow"],
            "fortune": card["fortune_telling"],
        }
        keys = []
        for part, lines in parts.items():
            key = f"corpora-tarot-{name}-{part}"
            keys.append(entity(key))
            records.append({
                "kind": KIND, "lang": "en", "key": key, "title": f"{name} ({part})",
                "text": ". ".join(lines) + ".", "metadata": {"source": "corpora-tarot"},
            })  # fmt: skip
        queries.append(Query(normalize(name), "en", ", ".join(card["keywords"]), frozenset(keys)))
    return Benchmark(
        "corpora-tarot", str(path), records, queries,
        [f"{len(cards)} cards, 3 passages each; query: the card's keywords; English only"],
    )  # fmt: skip


def load(xquad_path: Path | None = None, queries_per_lang: int | None = 200) -> Benchmark:
    """XQuAD when its files are found, else the corpora-tarot fallback."""
    found = xquad_dir(xquad_path)
    if found is not None:
        return xquad(found, queries_per_lang=queries_per_lang)
    bench = corpora_tarot()
    bench.notes.append(
        "XQuAD not found (--xquad-dir, $ORACULUM_BENCH_XQUAD or shared/datasets/xquad/): "
        "the English-only fallback"
    )
    return bench
