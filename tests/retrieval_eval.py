"""A small retrieval eval: questions about a card's or sign's theme, in English and Vietnamese.

Each question names the entity expected in the top 3 hits. Run by the test suite (which
reports hit@3) and by `python -m tests.retrieval_eval` against an ingested data directory.
"""

from __future__ import annotations

from dataclasses import dataclass

from oraculum.rag.retrieve import Retriever

TOWER = "tarot/major/16/the-tower"
DEATH = "tarot/major/13/death"
LOVERS = "tarot/major/6/the-lovers"
STAR = "tarot/major/17/the-star"
HERMIT = "tarot/major/9/the-hermit"
WHEEL = "tarot/major/10/wheel-of-fortune"
EMPRESS = "tarot/major/3/the-empress"
JUSTICE = "tarot/major/11/justice"
DEVIL = "tarot/major/15/the-devil"
MOON = "tarot/major/18/the-moon"

QUESTIONS: list[tuple[str, str, str, str]] = [
    # (lang, question, kind, expected entity)
    ("en", "sudden upheaval, everything I built is collapsing", "tarot_card", TOWER),
    ("en", "an ending that clears the way for transformation", "tarot_card", DEATH),
    ("en", "choosing between two people, a choice of the heart and values", "tarot_card", LOVERS),
    ("en", "hope and healing after a hard time", "tarot_card", STAR),
    ("en", "withdrawing into solitude to look for answers within", "tarot_card", HERMIT),
    ("en", "luck turning, cycles of fate", "tarot_card", WHEEL),
    ("en", "fairness, a legal decision, truth and accountability", "tarot_card", JUSTICE),
    ("en", "addiction and feeling chained to a bad habit", "tarot_card", DEVIL),
    ("en", "confusion, illusions, fears that come out at night", "tarot_card", MOON),
    (
        "en",
        "heartbreak and grief after a betrayal",
        "tarot_card",
        "tarot/minor/swords/3/three-of-swords",
    ),
    ("en", "a bold fire sign that loves to start things", "zodiac_sign", "zodiac-sign/aries"),
    (
        "en",
        "a sign that craves security, comfort and good food",
        "zodiac_sign",
        "zodiac-sign/taurus",
    ),
    ("en", "a dreamy, compassionate water sign", "zodiac_sign", "zodiac-sign/pisces"),
    ("vi", "biến cố bất ngờ, mọi thứ sụp đổ", "tarot_card", TOWER),
    ("vi", "kết thúc một giai đoạn để chuyển hóa", "tarot_card", DEATH),
    ("vi", "lựa chọn trong tình yêu, giá trị của trái tim", "tarot_card", LOVERS),
    ("vi", "hy vọng và chữa lành sau khó khăn", "tarot_card", STAR),
    ("vi", "tìm câu trả lời trong cô độc và tĩnh lặng", "tarot_card", HERMIT),
    ("vi", "vận may xoay chuyển, vòng đời của số phận", "tarot_card", WHEEL),
    ("vi", "công bằng, sự thật và trách nhiệm", "tarot_card", JUSTICE),
    ("vi", "sự trói buộc, nghiện ngập, cám dỗ", "tarot_card", DEVIL),
    ("vi", "người mẹ, sự sung túc và nuôi dưỡng", "tarot_card", EMPRESS),
    ("vi", "cung lửa dũng cảm, thích khởi đầu", "zodiac_sign", "zodiac-sign/aries"),
    ("vi", "cung cần sự an toàn, ổn định và hưởng thụ", "zodiac_sign", "zodiac-sign/taurus"),
    ("vi", "cung nước mơ mộng, giàu lòng trắc ẩn", "zodiac_sign", "zodiac-sign/pisces"),
]


@dataclass
class EvalResult:
    hits: dict[str, int]
    totals: dict[str, int]
    misses: list[tuple[str, str, list[str]]]

    def hit_at_3(self, lang: str) -> float:
        return self.hits[lang] / self.totals[lang]


def run_eval(retriever: Retriever, *, top_k: int = 3) -> EvalResult:
    hits = {"en": 0, "vi": 0}
    totals = {"en": 0, "vi": 0}
    misses = []
    for lang, question, kind, expected in QUESTIONS:
        found = retriever.search(question, top_k=10, kind=kind).hits
        entities: list[str] = []
        for hit in found:
            entity = hit.chunk.metadata.get("entity", hit.chunk.doc_id)
            if entity not in entities:
                entities.append(entity)
        totals[lang] += 1
        if expected in entities[:top_k]:
            hits[lang] += 1
        else:
            misses.append((question, expected, entities[:top_k]))
    return EvalResult(hits, totals, misses)


if __name__ == "__main__":
    from oraculum.config import Settings, open_stores

    stores = open_stores(Settings())
    result = run_eval(Retriever(stores.embedder, stores.index, stores.documents))
    for lang in ("en", "vi"):
        print(
            f"hit@3 {lang}: {result.hit_at_3(lang):.2f} ({result.hits[lang]}/{result.totals[lang]})"
        )
    for miss in result.misses:
        print("miss:", miss)
    stores.close()
