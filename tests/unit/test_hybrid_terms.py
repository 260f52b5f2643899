"""What a word is for term search, the BM25 shard's saved form, and rank fusion."""

from __future__ import annotations

from oraculum.backends.local.bm25 import Bm25Shard
from oraculum.domain.records import Chunk, SearchHit, VectorHit
from oraculum.domain.terms import MAX_QUERY_WORDS, folded, pairs, query_words, words
from oraculum.rag.retrieve import by_document, fuse


def test_words_keep_vietnamese_diacritics_and_folding_drops_them() -> None:
    assert words("Lá bài của ẢO TƯỞNG, lừa-dối!") == [
        "lá",
        "bài",
        "của",
        "ảo",
        "tưởng",
        "lừa",
        "dối",
    ]
    assert words("Nhà thứ Bảy") != words("nha thu bay")
    assert folded("Nhà thứ Bảy: Đối tác") == "nha thu bay doi tac"
    assert pairs(["ảo", "tưởng", "lừa"]) == ["ảo tưởng", "tưởng lừa"]
    assert query_words("the the moon THE") == ["the", "moon"]
    assert len(query_words(" ".join(f"w{i}" for i in range(100)))) == MAX_QUERY_WORDS


def chunk(ident: str, title: str, text: str, lang: str = "vi") -> Chunk:
    return Chunk(
        id=f"{ident}#0", doc_id=ident, n=0, kind="house", lang=lang, title=title,
        section="meaning", text=text, content_hash=f"h-{ident}", metadata={}, source="s",
    )  # fmt: skip


def test_the_bm25_shard_round_trips_and_ranks_exact_over_folded() -> None:
    shard = Bm25Shard.build(
        [
            chunk("house/7/vi", "Nhà thứ Bảy", "Hôn nhân và đối tác."),
            chunk("house/10/vi", "Nhà thứ Mười", "Sự nghiệp và danh tiếng."),
            chunk("a/tuong/vi", "Tượng", "Một bức tượng."),
            chunk("a/tuong2/vi", "Tướng", "Một vị tướng."),
            chunk("house/7/en", "The Seventh House", "Marriage and partners.", lang="en"),
        ]
    )
    again = Bm25Shard.from_bytes(shard.to_bytes())
    assert again.entries() == shard.entries()
    assert again.query("nha thu bay", 1)[0].id == "house/7/vi#0"  # typed without diacritics
    assert again.query("tướng", 2)[0].id == "a/tuong2/vi#0"  # the exact word first
    assert {h.id for h in again.query("tuong", 5)} == {"a/tuong/vi#0", "a/tuong2/vi#0"}
    assert [h.id for h in again.query("house marriage", 5, {"lang": "en"})] == ["house/7/en#0"]
    assert again.query("", 5) == [] and again.query("zzz", 5) == []
    assert again.query("Sự nghiệp", 1)[0].metadata == {
        "kind": "house", "lang": "vi", "content_hash": "h-house/10/vi"
    }  # fmt: skip


def test_rank_fusion_rewards_agreement_and_respects_weights() -> None:
    def ranked(*ids: str) -> list[VectorHit]:
        return [VectorHit(i, 1.0, {}) for i in ids]

    fused = fuse([(ranked("a", "b", "c"), 1.0), (ranked("c", "b", "d"), 1.0)], k=60)
    assert {i for i, _ in fused[:2]} == {"b", "c"}  # in both lists, near the top of each
    assert abs(dict(fused)["a"] - 1 / 61) < 1e-12
    lexical_only = fuse([(ranked("a", "b"), 0.0), (ranked("b", "a"), 1.0)], k=60)
    assert [i for i, _ in lexical_only] == ["b", "a"]


def test_a_document_with_several_matching_passages_outranks_one_with_a_single_match() -> None:
    def hit(doc: str, n: int, score: float) -> SearchHit:
        return SearchHit(_passage(doc, n), score)

    hits = [hit("card/a", 0, 0.030), hit("card/b", 0, 0.028), hit("card/b", 1, 0.020)]
    ranked = by_document(hits, 0.3)
    assert [h.chunk.id for h in ranked] == ["card/b#0", "card/a#0"]  # one hit a document
    assert abs(ranked[0].score - (0.028 + 0.3 * 0.020)) < 1e-12
    assert [h.chunk.id for h in by_document(hits, 0.0)] == ["card/a#0", "card/b#0"]


def _passage(doc: str, n: int) -> Chunk:
    return Chunk(
        id=f"{doc}#{n}", doc_id=doc, n=n, kind="tarot_card", lang="en", title=doc,
        section="meaning", text="text", content_hash="h", metadata={}, source="s",
    )  # fmt: skip
