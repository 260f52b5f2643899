"""A stored horoscope is keyed by the knowledge base it was made from: an ingest that changes the
base has it made again from the new passages; one that changes nothing leaves it served."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from oraculum import knowledge_version
from oraculum.config import Settings, build_services, open_stores
from oraculum.ingest.verify import repair, verify
from oraculum.knowledge_version import KnowledgeVersion
from oraculum.readings.horoscope import daily_horoscope
from tests.conftest import KNOWLEDGE, cli_env, run_cli

DAY = date(2026, 11, 26)  # the suite's today: a day whose horoscope is stored
NEW_WORDS = "Sagittarius now reads as a tester of maps and a keeper of far lanterns."


def base_with_sagittarius(tmp_path: Path, profile: str | None = None) -> Path:
    """The English signs, planets and moon phases; Sagittarius's profile replaced if given."""
    base = tmp_path / "base"
    base.mkdir(exist_ok=True)
    for name in ("zodiac.en.jsonl", "planets.en.jsonl", "moon-phases.en.jsonl"):
        lines = (KNOWLEDGE / name).read_text(encoding="utf-8").splitlines()
        if profile is not None and name == "zodiac.en.jsonl":
            records = [json.loads(line) for line in lines]
            for record in records:
                if record["title"] == "Sagittarius":
                    record["sections"]["profile"] = profile
            lines = [json.dumps(r, ensure_ascii=False) for r in records]
        (base / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return base


def ingest(data_dir: Path, base: Path) -> dict:
    done = run_cli(["ingest", str(base), "--json"], cli_env(data_dir))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def horoscope(data_dir: Path):
    settings = Settings(data_dir=data_dir, embedder="hashing")
    stores = open_stores(settings)
    try:  # a new process's services: the version is asked of the store
        return daily_horoscope("sagittarius", DAY, build_services(settings, stores))
    finally:
        stores.close()


@pytest.mark.slow
def test_an_ingest_that_changes_the_base_has_the_horoscope_made_again(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ingest(data_dir, base_with_sagittarius(tmp_path))
    first = horoscope(data_dir)
    assert first.cached is False and horoscope(data_dir).cached is True

    unchanged = ingest(data_dir, base_with_sagittarius(tmp_path))
    assert unchanged["chunks_written"] == 0
    assert horoscope(data_dir).cached is True  # nothing written: the version stands

    changed = ingest(data_dir, base_with_sagittarius(tmp_path, profile=NEW_WORDS))
    assert changed["updated"] == 1
    again = horoscope(data_dir)
    assert again.cached is False and "far lanterns" in again.text
    assert horoscope(data_dir).cached is True


def test_the_version_is_asked_of_the_store_at_most_every_recheck(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, embedder="hashing")
    stores = open_stores(settings, claim=True)
    try:
        now = [0.0]
        version = KnowledgeVersion(stores.documents, recheck_s=10.0, monotonic=lambda: now[0])
        assert version.current() == knowledge_version.NONE_YET  # never written
        token = knowledge_version.bump(stores.documents)
        now[0] = 9.9
        assert version.current() == knowledge_version.NONE_YET  # remembered
        now[0] = 10.0
        assert version.current() == token
    finally:
        stores.close()


def test_a_repair_that_indexes_items_replaces_the_version(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ingest(data_dir, base_with_sagittarius(tmp_path))
    settings = Settings(data_dir=data_dir, embedder="hashing")
    stores = open_stores(settings)
    try:
        before = stores.documents.get_meta(knowledge_version.KEY)
        assert before and verify(stores).clean
        repair(settings, stores, verify(stores))  # nothing to do: the version stands
        assert stores.documents.get_meta(knowledge_version.KEY) == before
        lost = next(iter(stores.documents.scan())).id
        stores.index.delete([lost])
        stores.index.flush()
        drift = verify(stores)
        assert drift.missing_vectors == [lost]
        repair(settings, stores, drift)
        assert stores.documents.get_meta(knowledge_version.KEY) not in (None, before)
    finally:
        stores.close()
