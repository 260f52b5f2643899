"""The usearch index on its own: filters through the HNSW path, and a rebuild after a crash."""

from __future__ import annotations

import numpy as np

from oraculum.backends.local import usearch_index
from oraculum.backends.local.exact_index import ExactIndex
from oraculum.backends.local.usearch_index import UsearchIndex


def clustered(n: int, dim: int = 32, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    points = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, dim))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def meta(i: int) -> dict:
    return {"doc_id": f"d{i}", "kind": "a" if i % 3 else "b", "lang": "en", "content_hash": str(i)}


def test_filtered_hnsw_queries_see_new_vectors_and_agree_with_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(usearch_index, "EXACT_BELOW", 0)  # force the HNSW + over-fetch path
    vectors = clustered(600)
    ann, exact = UsearchIndex(tmp_path / "u.sqlite"), ExactIndex(tmp_path / "e.sqlite")
    for index in (ann, exact):
        index.claim("m", 32)
        index.upsert([f"c{i}" for i in range(500)], vectors[:500], [meta(i) for i in range(500)])
    q = vectors[550]
    assert [h.id for h in ann.query(q, 5, {"kind": "b"})] == [
        h.id for h in exact.query(q, 5, {"kind": "b"})
    ]
    # a vector added after the filter was first used must be found by the same filter
    ann.upsert(["new"], vectors[550:551], [{**meta(2), "kind": "b"}])
    assert ann.query(q, 1, {"kind": "b"})[0].id == "new"
    ann.delete(["new"])
    assert all(h.id != "new" for h in ann.query(q, 5, {"kind": "b"}))


def test_small_filters_are_answered_exactly_from_rows_held_per_generation(tmp_path):
    vectors = clustered(600)
    ann, exact = UsearchIndex(tmp_path / "u.sqlite"), ExactIndex(tmp_path / "e.sqlite")
    for index in (ann, exact):
        index.claim("m", 32)
        index.upsert([f"c{i}" for i in range(500)], vectors[:500], [meta(i) for i in range(500)])
    q = vectors[550]
    for where in ({"kind": "b"}, {"kind": ["a", "b"]}, {"kind": "b", "lang": "en"}):
        got = [(h.id, round(h.score, 5)) for h in ann.query(q, 7, where)]
        assert got == [(h.id, round(h.score, 5)) for h in exact.query(q, 7, where)]
    assert len(ann._subsets) == 3  # held for the next query
    # a write moves the table to a new generation: the held rows are not used again
    ann.upsert(["new"], vectors[550:551], [{**meta(2), "kind": "b"}])
    assert ann.query(q, 1, {"kind": "b"})[0].id == "new"
    ann.delete(["new"])
    assert all(h.id != "new" for h in ann.query(q, 5, {"kind": "b"}))


def test_held_filter_rows_stay_within_their_memory_budget(tmp_path, monkeypatch):
    vectors = clustered(300)
    ann = UsearchIndex(tmp_path / "u.sqlite")
    ann.claim("m", 32)
    ann.upsert([f"c{i}" for i in range(300)], vectors, [meta(i) for i in range(300)])
    one_filter = 100 * 32 * 4  # kind "b": every third of 300 rows, 32 float32 each
    monkeypatch.setattr(usearch_index, "SUBSET_CACHE_BYTES", one_filter * 2 + 1)
    for where in ({"kind": "b"}, {"kind": "b", "lang": "en"}, {"lang": "en", "kind": ["b"]}):
        ann.query(vectors[0], 3, where)
    held = sum(m.nbytes for _, _, m in ann._subsets.values())
    assert len(ann._subsets) == 2 and held <= usearch_index.SUBSET_CACHE_BYTES


def test_a_graph_older_than_the_table_is_rebuilt(tmp_path):
    vectors = clustered(200)
    index = UsearchIndex(tmp_path / "u.sqlite")
    index.claim("m", 32)
    index.upsert([f"c{i}" for i in range(100)], vectors[:100], [meta(i) for i in range(100)])
    index.close()  # graph saved at generation g
    table_only = ExactIndex(tmp_path / "u.sqlite")  # a writer that died before saving the graph
    table_only.upsert(["late"], vectors[150:151], [meta(150)])
    table_only.close()
    reopened = UsearchIndex(tmp_path / "u.sqlite")
    assert reopened.query(vectors[150], 1)[0].id == "late"


def test_searches_run_beside_writes_from_many_threads(tmp_path):
    """Searches share the index; an upsert or a delete waits for them and they for it, so
    a search sees the index before a write or after it, never halfway."""
    from concurrent.futures import ThreadPoolExecutor

    vectors = clustered(400)
    index = UsearchIndex(tmp_path / "u.sqlite")
    index.claim("m", 32)
    index.upsert([f"c{i}" for i in range(200)], vectors[:200], [meta(i) for i in range(200)])
    expected = {i: index.query(vectors[i], 3)[0].id for i in range(0, 200, 7)}

    def search(i: int) -> None:
        for where in (None, {"kind": "b"}, {"kind": ["a", "b"]}):
            hits = index.query(vectors[i % 200], 3, where)
            assert len(hits) == 3 and all(h.metadata["doc_id"] == f"d{h.id[1:]}" for h in hits)
        assert index.query(vectors[i % 200], 3)[0].id == expected.get(i % 200, f"c{i % 200}")

    with ThreadPoolExecutor(8) as pool:
        running = [pool.submit(search, i) for i in range(0, 200, 7) for _ in range(3)]
        for start in range(200, 400, 20):  # writes meanwhile: new rows, then half removed
            ids = [f"c{i}" for i in range(start, start + 20)]
            index.upsert(
                ids, vectors[start : start + 20], [meta(i) for i in range(start, start + 20)]
            )
            index.delete(ids[::2])
        for done in running:
            done.result()  # re-raises a failed search
    assert index.count() == 300
    assert index.query(vectors[201], 1)[0].id == "c201"
    index.close()
