"""Every kind of the bundled base in both languages, each Vietnamese record naming its English
twin (issue 16: a hit in one language can be shown in the other)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from oraculum.ingest.normalize import probable_id

KNOWLEDGE = Path(__file__).resolve().parents[2] / "data" / "knowledge"


def _ids(path: Path) -> list[tuple[str, dict[str, object]]]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line)
        ident = probable_id(record)
        assert ident is not None, f"{path.name} line {n}: no id"
        out.append((ident, record))
    return out


def test_every_kind_is_in_both_languages_and_each_translation_names_its_twin() -> None:
    kinds: Counter[tuple[str, str]] = Counter()
    english: set[str] = set()
    for path in sorted(KNOWLEDGE.glob("*.en.jsonl")):
        for ident, record in _ids(path):
            english.add(ident)
            kinds[str(record["kind"]), "en"] += 1
    vietnamese: set[str] = set()
    for path in sorted(KNOWLEDGE.glob("*.vi.jsonl")):
        for ident, record in _ids(path):
            vietnamese.add(ident.rsplit("/", 1)[0])
            kinds[str(record["kind"]), "vi"] += 1
            metadata = record.get("metadata")
            assert isinstance(metadata, dict), ident
            twin = metadata.get("translation_of")
            assert twin == ident.rsplit("/", 1)[0] + "/en", f"{ident}: translation_of {twin!r}"
            assert twin in english, f"{ident}: its twin {twin} is not in the base"
    assert {e.rsplit("/", 1)[0] for e in english} == vietnamese
    for kind in {k for k, _ in kinds}:
        assert kinds[kind, "en"] == kinds[kind, "vi"] > 0, kind
    assert len({k for k, _ in kinds}) >= 10  # cards, signs, planets, houses, phases, spreads, …
