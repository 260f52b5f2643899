"""The lexical index (BM25) beside the vectors: SQLite FTS5 written with the items, and the
BM25 shard a DynamoDB deployment derives from them (moto's server, real boto3), held to one
contract; then verify and repair, and hybrid retrieval's consistency check."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from oraculum.backends.aws import clients as aws_clients
from oraculum.backends.dynamodb.lexical import HEAD, DynamoLexicalIndex
from oraculum.backends.dynamodb.lexical import from_store as dynamo_lexical
from oraculum.backends.dynamodb.store import from_settings as dynamo_store
from oraculum.backends.local.exact_index import ExactIndex
from oraculum.backends.local.hashing import HashingEmbedder
from oraculum.backends.sqlite.store import SqliteDocumentStore
from oraculum.config import Settings, Stores
from oraculum.domain.errors import BackendUnavailable
from oraculum.domain.records import Chunk, SearchHit
from oraculum.ingest.lexical_sync import note_writes, sync_lexical
from oraculum.ingest.verify import repair, verify
from oraculum.ports import DocumentStore, LexicalIndex, Reranker
from oraculum.rag.placements import Placements
from oraculum.rag.retrieve import NoLexicalIndex, Retrieval, Retriever

MODEL, DIM = "hashing-v1-384", 384

TEXTS = {
    "tarot/major/18/the-moon/vi": ("Mặt Trăng", "Ảo tưởng, lừa dối và nỗi sợ trong đêm tối."),
    "tarot/major/18/the-moon/en": ("The Moon", "Illusion, deception and fears of the night."),
    "house/7/vi": ("Nhà thứ Bảy", "Hôn nhân, đối tác và các mối quan hệ một-một."),
    "house/10/vi": ("Nhà thứ Mười", "Sự nghiệp, danh tiếng và vị trí trong xã hội."),
    "spread/celtic-cross/en": ("The Celtic Cross", "A ten-card spread for a deep question."),
}


def chunk(doc_id: str, *, status: str = "indexed", text: str | None = None) -> Chunk:
    title, body = TEXTS[doc_id]
    lang = doc_id.rsplit("/", 1)[1]
    text = body if text is None else text
    return Chunk(
        id=f"{doc_id}#0", doc_id=doc_id, n=0, kind=doc_id.split("/")[0], lang=lang,
        title=title, section="meaning", text=text, content_hash=f"h:{text}",
        metadata={"keywords": ["tarot"]}, source="kb.jsonl", status=status,
    )  # fmt: skip


@pytest.fixture(params=["sqlite", "dynamodb"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    documents: DocumentStore
    lexical: LexicalIndex
    if request.param == "sqlite":
        sqlite_store = SqliteDocumentStore(tmp_path / "documents.sqlite")
        documents, lexical = sqlite_store, sqlite_store.lexical
    else:
        request.getfixturevalue("aws")  # moto's server, AWS_ENDPOINT_URL set
        aws_clients.forget_clients()
        dynamo = dynamo_store(Settings(dynamodb_table=f"Lexical{tmp_path.name[-8:]}"))
        documents, lexical = dynamo, dynamo_lexical(dynamo)
    embedder = HashingEmbedder(DIM)
    documents.claim(embedder.model_id, DIM)
    index = ExactIndex(tmp_path / "vectors.sqlite")
    index.claim(embedder.model_id, DIM)
    made = Stores(embedder, index, documents, lexical)
    yield made
    made.close()
    aws_clients.forget_clients()


def load(stores: Stores, chunks: list[Chunk]) -> None:
    """The ingest protocol, then the lexical index brought up to date as ingest does."""
    stores.documents.put_many([replace(c, status="pending") for c in chunks])
    vectors = stores.embedder.embed_documents([c.text for c in chunks])
    stores.index.upsert([c.id for c in chunks], vectors, [c.vector_metadata() for c in chunks])
    stores.documents.mark_indexed({c.id: c.content_hash for c in chunks})
    sync_lexical(stores)


def test_words_with_and_without_diacritics_find_the_passage(stores: Stores) -> None:
    load(stores, [chunk(d) for d in TEXTS])
    assert stores.lexical is not None
    top = stores.lexical.query("lá bài của ảo tưởng, lừa dối", 3)
    assert top[0].id == "tarot/major/18/the-moon/vi#0"
    assert top[0].metadata["content_hash"] == chunk("tarot/major/18/the-moon/vi").content_hash
    assert stores.lexical.query("nha thu muoi su nghiep", 1)[0].id == "house/10/vi#0"
    assert stores.lexical.query("Celtic Cross", 1)[0].id == "spread/celtic-cross/en#0"
    only_en = stores.lexical.query("moon illusion ảo tưởng", 5, {"lang": "en"})
    assert [h.id for h in only_en] == ["tarot/major/18/the-moon/en#0"]
    assert stores.lexical.query("?!", 5) == []
    # a query is words, never FTS syntax: quotes, operators and brackets are only text
    odd = stores.lexical.query('"deception" NEAR( OR *', 5)
    assert [h.id for h in odd] == ["tarot/major/18/the-moon/en#0"]


def test_verify_sees_a_lexical_index_that_drifted_and_repair_mends_it(
    stores: Stores, tmp_path: Path
) -> None:
    load(stores, [chunk(d) for d in TEXTS])
    assert verify(stores).clean
    lexical = stores.lexical
    assert lexical is not None
    if isinstance(stores.documents, SqliteDocumentStore):
        with sqlite3.connect(stores.documents.path) as db:  # an index losing a row behind us
            db.execute("DELETE FROM lexical WHERE id = 'house/7/vi#0'")
    else:  # a shard left behind by an ingest that died before it was remade
        lexical.rebuild([chunk("house/7/vi"), chunk("house/10/vi", text="old words")])
    drift = verify(stores)
    assert not drift.clean and drift.lexical_drift
    assert "house/7/vi#0" in drift.lexical_missing or "house/10/vi#0" in drift.lexical_stale
    fixed = repair(Settings(data_dir=tmp_path), stores, drift)
    assert fixed.lexical_rebuilt == len(TEXTS)
    after = verify(stores)
    assert after.clean and after.lexical == len(TEXTS)


def test_deleted_items_leave_the_index(stores: Stores) -> None:
    load(stores, [chunk(d) for d in TEXTS])
    stores.index.delete(["house/7/vi#0"])
    stores.documents.delete_many(["house/7/vi#0"])
    sync_lexical(stores)
    assert stores.lexical is not None
    assert "house/7/vi#0" not in stores.lexical.entries()
    assert verify(stores).clean


def test_hybrid_search_keeps_only_hits_whose_item_agrees(stores: Stores) -> None:
    load(stores, [chunk(d) for d in TEXTS])
    retriever = Retriever(
        stores.embedder, stores.index, stores.documents, lexical=stores.lexical, mode="hybrid"
    )
    found = retriever.search("ảo tưởng lừa dối", top_k=2)
    assert found.mode == "hybrid" and found.hits[0].chunk.id == "tarot/major/18/the-moon/vi#0"
    # an ingest killed between its first and last step: the item is new and pending, the
    # vector is old; neither index may show the passage in any mode
    moon = chunk("tarot/major/18/the-moon/vi", text="Ảo tưởng, lừa dối, mới.", status="pending")
    stores.documents.put_many([moon])
    for mode in ("lexical", "hybrid", "dense"):
        again = retriever.search("ảo tưởng lừa dối", top_k=2, mode=mode)  # type: ignore[arg-type]
        assert moon.id in again.dropped, mode
        assert all(h.chunk.id != moon.id for h in again.hits)
    # an item rewritten as indexed behind the vector's back: the hashes disagree
    stores.documents.put_many([replace(moon, status="indexed")])
    sync_lexical(stores)
    assert moon.id in retriever.search("ảo tưởng lừa dối", top_k=2).dropped
    plain = Retriever(stores.embedder, stores.index, stores.documents)
    assert plain.mode == "dense"
    with pytest.raises(NoLexicalIndex):
        plain.search("x", mode="lexical")


def test_a_store_made_before_term_search_is_indexed_when_opened(tmp_path: Path) -> None:
    store = SqliteDocumentStore(tmp_path / "documents.sqlite")
    store.put_many([chunk(d) for d in TEXTS])
    store.close()
    with sqlite3.connect(tmp_path / "documents.sqlite") as db:  # as an older version left it
        db.execute("DROP TABLE lexical")
        db.execute("DROP TABLE lexical_rows")
    reopened = SqliteDocumentStore(tmp_path / "documents.sqlite")
    try:
        assert reopened.lexical.count() == len(TEXTS)
        assert reopened.lexical.query("Nhà thứ Bảy", 1)[0].id == "house/7/vi#0"
    finally:
        reopened.close()


@pytest.mark.parametrize("stores", ["dynamodb"], indirect=True)
def test_the_dynamodb_shard_switches_generations_whole(stores: Stores) -> None:
    lexical = stores.lexical
    assert isinstance(lexical, DynamoLexicalIndex)
    load(stores, [chunk(d) for d in TEXTS])
    first = stores.documents.get_meta(HEAD)
    assert lexical.rebuild(chunk(d) for d in TEXTS) == len(TEXTS)  # the same: not rewritten
    assert stores.documents.get_meta(HEAD) == first
    reader = dynamo_lexical(stores.documents)  # type: ignore[arg-type]  # another process
    assert reader.query("Celtic Cross", 1)[0].id == "spread/celtic-cross/en#0"
    lexical.rebuild([chunk("house/7/vi")])
    assert stores.documents.get_meta(HEAD)["generation"] != first["generation"]
    assert stores.documents.get_meta(f"lexical/{first['generation']}/0") is None
    fresh = dynamo_lexical(stores.documents)  # type: ignore[arg-type]
    assert [h.id for h in fresh.query("Celtic Cross Nhà", 5)] == ["house/7/vi#0"]


@pytest.mark.parametrize("stores", ["dynamodb"], indirect=True)
def test_an_unchanged_ingest_skips_the_rebuild_unless_a_write_was_noted(stores: Stores) -> None:
    lexical = stores.lexical
    assert lexical is not None
    assert not lexical.up_to_date()  # never built
    load(stores, [chunk(d) for d in TEXTS])
    assert lexical.up_to_date()
    assert sync_lexical(stores, changed=False) is None  # nothing written: no scan, no build
    # A writer noted a batch, wrote an item, and died before its rebuild: the next run,
    # though it changes nothing itself, finds the note and makes the index again.
    note_writes(stores)
    stores.documents.put_many([chunk("house/7/vi", text="Nhà thứ Bảy: hôn nhân, đối tác")])
    assert not lexical.up_to_date()
    assert sync_lexical(stores, changed=False) == len(TEXTS)
    assert lexical.up_to_date()
    assert lexical.query("đối tác", 1)[0].id == "house/7/vi#0"


def test_a_note_made_while_the_index_was_built_survives_the_build(stores: Stores) -> None:
    """A write noted after the rebuild read the note (its scan may have missed the write)
    keeps the index out of date; an index that follows writes is never out of date."""
    lexical = stores.lexical
    assert lexical is not None
    load(stores, [chunk(d) for d in TEXTS])

    def scan_during_a_write() -> Iterator[Chunk]:
        note_writes(stores)  # another writer's batch, noted once this build had begun
        yield from stores.documents.scan()

    lexical.rebuild(scan_during_a_write())
    assert lexical.up_to_date() is lexical.follows_writes


class Reverser:
    """A reranker that puts the candidates in reverse order (any Reranker would do)."""

    model_id = "reverse"

    def rerank(self, query: str, texts: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        return [(i, float(i)) for i in reversed(range(len(texts)))][:top_n]


class Unavailable:
    model_id = "down"

    def rerank(self, query: str, texts: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        raise BackendUnavailable("the reranker is throttled")


@pytest.mark.parametrize("stores", ["sqlite"], indirect=True)
def test_a_reranker_orders_the_checked_candidates_and_its_outage_keeps_the_fused_order(
    stores: Stores,
) -> None:
    load(stores, [chunk(d) for d in TEXTS])

    def search(reranker: Reranker) -> Retrieval:
        return Retriever(
            stores.embedder, stores.index, stores.documents, lexical=stores.lexical,
            mode="hybrid", reranker=reranker, rerank_candidates=5,
        ).search("ảo tưởng lừa dối", top_k=5)  # fmt: skip

    fused = Retriever(
        stores.embedder, stores.index, stores.documents, lexical=stores.lexical, mode="hybrid"
    ).search("ảo tưởng lừa dối", top_k=5)
    reversed_ = search(Reverser())
    assert reversed_.reranked and [h.chunk.id for h in reversed_.hits] == [
        h.chunk.id for h in reversed(fused.hits)
    ]
    down = search(Unavailable())
    assert not down.reranked and down.rerank_failed == "the reranker is throttled"
    assert [h.chunk.id for h in down.hits] == [h.chunk.id for h in fused.hits]


def test_a_placement_yields_unless_the_question_names_both_its_parts(tmp_path: Path) -> None:
    store = SqliteDocumentStore(tmp_path / "documents.sqlite")
    try:

        def record(doc: str, kind: str, title: str, text: str, **meta: object) -> Chunk:
            return Chunk(
                id=f"{doc}#0", doc_id=doc, n=0, kind=kind, lang=doc.rsplit("/", 1)[1],
                title=title, section="s", text=text, content_hash="h", metadata=dict(meta),
                source="kb",
            )  # fmt: skip

        saturn = record("planet/saturn/en", "planet", "Saturn", "Structure.")
        sao_tho = record("planet/saturn/vi", "planet", "Sao Thổ", "Kỷ luật.")
        neptune = record("planet/neptune/vi", "planet", "Sao Hải Vương", "Mơ mộng.")
        house = record("house/10/en", "house", "The Tenth House", "Career.",
                       keywords=["career", "10th house", "house 10"])  # fmt: skip
        nha_10 = record("house/10/vi", "house", "Nhà thứ Mười (Nhà 10)", "Sự nghiệp.",
                        keywords=["sự nghiệp", "nhà 10", "nhà thứ 10"])  # fmt: skip
        nha_2 = record("house/2/vi", "house", "Nhà thứ Hai (Nhà 2)", "Tiền bạc.")
        placement = record(
            "planet-in-house/saturn-in-house-10/en", "planet_in_house",
            "Saturn in the Tenth House", "Career.", planet="saturn", house=10,
        )  # fmt: skip
        dreamer = record(
            "planet-in-house/neptune-in-house-2/vi", "planet_in_house",
            "Sao Hải Vương ở nhà 2", "Tiền bạc mơ hồ.", planet="neptune", house=2,
        )  # fmt: skip
        store.put_many([saturn, sao_tho, neptune, house, nha_10, nha_2, placement, dreamer])
        placements = Placements(store)

        def top(hits: list[SearchHit], question: str) -> tuple[str, float]:
            first = placements.demote_unnamed(hits, question, 0.5)[0]
            return first.chunk.id, first.score

        to_house = [SearchHit(placement, 0.04), SearchHit(house, 0.03)]
        assert top(to_house, "What is the tenth house about?") == (house.id, 0.03)
        # the planet alone asks for the planet's entry, not one of its twelve houses
        to_planet = [SearchHit(placement, 0.04), SearchHit(saturn, 0.03)]
        assert top(to_planet, "What is Saturn's role in astrology?") == (saturn.id, 0.03)
        for question in ("Saturn in the tenth house", "Saturn in the 10th", "sao tho o nha 10",
                         "Sao Thổ ở nhà thứ mười"):  # fmt: skip
            assert top(to_house, question) == (placement.id, 0.04), question
        # "hai" of "Hải Vương" does not name the second house ("nhà" stays in its names)
        to_neptune = [SearchHit(dreamer, 0.04), SearchHit(neptune, 0.03)]
        assert top(to_neptune, "sao hai vuong tuong trung cho gi") == (neptune.id, 0.03)
        assert top(to_neptune, "Sao Hải Vương ở nhà thứ hai") == (dreamer.id, 0.04)
    finally:
        store.close()
