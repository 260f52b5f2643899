"""Two writers of one usearch index (shards of an ingest, an ingest beside `oraculum serve`):
each holds its own HNSW graph, so neither may save its graph as the table's, and a reader must
see the other's vectors. Two index objects on one path stand for two processes: each has its
own connections and graph, as a process would."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from oraculum.backends.local.usearch_index import UsearchIndex

DIM = 16


def vectors(n: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def write(index: UsearchIndex, prefix: str, rows: np.ndarray) -> list[str]:
    ids = [f"{prefix}/{i}#0" for i in range(len(rows))]
    index.upsert(ids, rows, [{"kind": "note", "lang": "en", "content_hash": "h"}] * len(ids))
    return ids


def found_self(index: UsearchIndex, ids: list[str], rows: np.ndarray) -> bool:
    return all(index.query(row, 1)[0].id == ident for ident, row in zip(ids, rows, strict=True))


def test_interleaved_writers_leave_a_graph_that_holds_every_vector(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    a, b = UsearchIndex(path), UsearchIndex(path)
    for index in (a, b):
        index.claim("m", DIM)
    rows_a, rows_b = vectors(40, 1), vectors(40, 2)
    ids_a = write(a, "a", rows_a[:20])
    ids_b = write(b, "b", rows_b[:20])
    ids_a += write(a, "a2", rows_a[20:])
    ids_b += write(b, "b2", rows_b[20:])
    a.flush()
    b.flush()
    a.close()
    b.close()
    reader = UsearchIndex(path)
    try:
        assert reader.count() == 80
        assert found_self(reader, ids_a, rows_a) and found_self(reader, ids_b, rows_b)
    finally:
        reader.close()


def test_a_reader_sees_what_another_process_wrote_after_it_loaded(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    serving, ingest = UsearchIndex(path), UsearchIndex(path)
    serving.claim("m", DIM)
    first = vectors(10, 3)
    ids = write(serving, "first", first)
    assert found_self(serving, ids, first)  # its graph is loaded now
    later = vectors(10, 4)
    later_ids = write(ingest, "later", later)
    ingest.flush()
    assert found_self(serving, later_ids, later)
    serving.close()
    ingest.close()


def test_a_single_writer_still_saves_its_graph_as_current(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    index = UsearchIndex(path)
    index.claim("m", DIM)
    write(index, "x", vectors(5, 5))
    write(index, "y", vectors(5, 6))
    index.flush()
    index.close()
    stamp = path.with_suffix(".usearch.json").read_text()
    assert '"generation": 2' in stamp
