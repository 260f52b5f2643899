"""The ingest pipeline on the embedded stores (SQLite + usearch), hashing embedder."""

from __future__ import annotations

import pytest

from oraculum.config import Settings, open_stores
from oraculum.domain.errors import DimensionMismatch, RecordRejected
from oraculum.ingest.pipeline import IngestOptions, ingest
from oraculum.ingest.sources import jsonl_source
from oraculum.ingest.verify import repair, verify
from oraculum.rag.retrieve import Retriever
from tests.conftest import card, write_jsonl


def run(settings: Settings, path, **options):
    stores = open_stores(settings, claim=not options.get("dry_run", False))
    try:
        return ingest(settings, stores, jsonl_source(path), IngestOptions(**options))
    finally:
        stores.close()


def check(settings: Settings):
    stores = open_stores(settings)
    try:
        return verify(stores)
    finally:
        stores.close()


def test_fresh_then_unchanged_then_one_edit(hashing_settings, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(50)])
    first = run(hashing_settings, src)
    assert (first.read, first.new, first.chunks_embedded) == (50, 50, 50)
    assert check(hashing_settings).clean

    again = run(hashing_settings, src)
    assert (again.unchanged, again.chunks_written, again.chunks_embedded) == (50, 0, 0)

    records = [card(i) for i in range(50)]
    records[7]["text"] = "An edited note about something else entirely."
    write_jsonl(src, records)
    edit = run(hashing_settings, src)
    assert (edit.updated, edit.unchanged, edit.chunks_embedded, edit.chunks_written) == (
        1,
        49,
        1,
        1,
    )
    assert check(hashing_settings).clean


def test_metadata_only_change_rewrites_the_item_without_embedding(hashing_settings, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(3)])
    run(hashing_settings, src)
    write_jsonl(src, [card(0, metadata={"topic": "new"}), card(1), card(2)])
    report = run(hashing_settings, src)
    assert (report.updated, report.chunks_written, report.chunks_embedded) == (1, 1, 0)
    stores = open_stores(hashing_settings)
    try:
        assert (
            stores.documents.get_many(["article/note-0/en#0"])["article/note-0/en#0"].metadata[
                "topic"
            ]
            == "new"
        )
    finally:
        stores.close()
    assert check(hashing_settings).clean


def test_a_shorter_document_loses_its_extra_chunks_in_both_stores(hashing_settings, tmp_path):
    long_text = " ".join(f"Sentence {i} of a long article about the moon." for i in range(80))
    src = write_jsonl(tmp_path / "kb.jsonl", [card(1, text=long_text)])
    assert run(hashing_settings, src).chunks_written > 3
    write_jsonl(src, [card(1, text="Now it is short.")])
    run(hashing_settings, src)
    stores = open_stores(hashing_settings)
    try:
        assert list(stores.index.list_ids()) == ["article/note-1/en#0"]
        assert stores.documents.count() == 1
    finally:
        stores.close()


def test_bad_records_are_rejected_by_line_and_field_and_the_rest_loads(hashing_settings, tmp_path):
    src = write_jsonl(
        tmp_path / "kb.jsonl",
        [
            card(1),
            "{not json",
            {"kind": "article", "title": "No text"},
            card(2, text="x" * 60_000),
            card(1, text="the same id again"),
            b'{"kind": "article", "title": "caf\xe9", "text": "latin-1"}',
            card(3),
        ],
    )
    report = run(hashing_settings, src)
    assert (report.read, report.new) == (7, 2)
    found = {(r.location, r.field) for r in report.rejected}
    assert found == {
        ("line 2", None),
        ("line 3", "text"),
        ("line 4", "text"),
        ("line 5", "id"),
        ("line 6", None),
    }
    reasons = " ".join(r.reason for r in report.rejected)
    assert "malformed JSON" in reasons and "UTF-8" in reasons and "already read at" in reasons
    assert "limit is 50,000" in reasons


def test_strict_stops_at_the_first_rejection_keeping_what_was_stored(hashing_settings, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(1), card(2)])
    run(hashing_settings, src)
    write_jsonl(src, [card(1), "{broken", card(2, text="changed")])
    with pytest.raises(RecordRejected, match="line 2"):
        run(hashing_settings, src, strict=True)
    assert check(hashing_settings).clean
    stores = open_stores(hashing_settings)
    try:
        assert stores.documents.count() == 2
    finally:
        stores.close()


def test_prune_deletes_from_both_stores_what_the_source_lost(hashing_settings, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(10)])
    run(hashing_settings, src)
    write_jsonl(src, [card(i) for i in range(10) if i % 3])
    assert run(hashing_settings, src).deleted == 0  # no --prune: nothing deleted
    report = run(hashing_settings, src, prune=True)
    assert report.deleted == 4
    stores = open_stores(hashing_settings)
    try:
        ids = set(stores.index.list_ids())
        assert "article/note-3/en#0" not in ids and "article/note-1/en#0" in ids
        assert stores.documents.count() == stores.index.count() == 6
    finally:
        stores.close()


def test_prune_keeps_records_that_were_rejected_this_time(hashing_settings, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(1), card(2)])
    run(hashing_settings, src)
    write_jsonl(src, [card(1), card(2, text="y" * 60_000)])  # id known: kept
    assert run(hashing_settings, src, prune=True).deleted == 0
    write_jsonl(src, [card(1), "{broken"])  # id unknown: prune refuses
    report = run(hashing_settings, src, prune=True)
    assert report.deleted == 0 and report.prune_skipped
    stores = open_stores(hashing_settings)
    try:
        assert stores.documents.count() == 2
    finally:
        stores.close()


def test_dry_run_writes_nothing(hashing_settings, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(5)])
    report = run(hashing_settings, src, dry_run=True)
    assert (report.new, report.chunks_written, report.chunks_embedded) == (5, 0, 0)
    stores = open_stores(hashing_settings)
    try:
        assert stores.documents.count() == 0 and stores.index.count() == 0
    finally:
        stores.close()


def test_a_store_built_with_another_model_is_refused(tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(1)])
    run(Settings(data_dir=tmp_path / "d", embedder="hashing", hashing_dim=384), src)
    with pytest.raises(DimensionMismatch, match="hashing-v1-384"):
        open_stores(Settings(data_dir=tmp_path / "d", embedder="hashing", hashing_dim=256))


def test_verify_finds_each_kind_of_drift_and_repair_fixes_it(hashing_settings, tmp_path):
    src = write_jsonl(tmp_path / "kb.jsonl", [card(i) for i in range(6)])
    run(hashing_settings, src)
    stores = open_stores(hashing_settings)
    try:
        vec = stores.embedder.embed_documents(["orphan"])
        stores.index.upsert(
            ["ghost#0"],
            vec,
            [{"doc_id": "ghost", "kind": "article", "lang": "en", "content_hash": "h"}],
        )
        stores.index.delete(["article/note-1/en#0"])  # missing vector
        item = stores.documents.get_many(["article/note-2/en#0"])["article/note-2/en#0"]
        stores.index.upsert(
            [item.id], vec, [{**item.vector_metadata(), "content_hash": "old"}]
        )  # stale
        pending = stores.documents.get_many(["article/note-3/en#0"])["article/note-3/en#0"]
        stores.documents.put_many([pending.with_status("pending")])
        drift = verify(stores)
        assert drift.orphan_vectors == ["ghost#0"]
        assert drift.missing_vectors == ["article/note-1/en#0"]
        assert drift.stale_hashes == ["article/note-2/en#0"]
        assert drift.stuck_pending == ["article/note-3/en#0"]

        retrieval = Retriever(stores.embedder, stores.index, stores.documents).search(
            "orphan", top_k=10
        )
        assert "ghost#0" in retrieval.dropped and "ghost#0" not in {
            h.chunk.id for h in retrieval.hits
        }

        fixed = repair(hashing_settings, stores, drift)
        assert (fixed.orphans_deleted, fixed.vectors_written, fixed.chunks_embedded) == (1, 3, 0)
        assert verify(stores).clean
    finally:
        stores.close()
