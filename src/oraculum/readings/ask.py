"""A free question answered from the knowledge base, with citations."""

from __future__ import annotations

from oraculum.ports import ContextGroup
from oraculum.rag.pack import pack
from oraculum.readings.answer import Answer
from oraculum.readings.knowledge import to_item
from oraculum.readings.services import Services, Stopwatch, check_lang, check_question


def ask(question: str, services: Services, *, lang: str = "en", top_k: int = 5) -> Answer:
    lang = check_lang(lang)
    text = check_question(question, services.limits.max_question_chars, required=True) or ""
    clock = Stopwatch()
    with clock.lap("retrieve"):
        # The embedder is multilingual: search every language, then let passages in the
        # asker's language go first when the scores are close.
        found = services.retriever.search(text, top_k=top_k * 2).hits
        if not found:
            services.count("RetrievalMisses", 1)
        ranked = sorted(found, key=lambda h: (h.chunk.lang != lang, -h.score))[:top_k]
        ranked.sort(key=lambda h: -h.score)
        groups = [ContextGroup(h.chunk.title, (to_item(h.chunk),)) for h in ranked]
        context = pack(groups, services.limits.context_tokens)
    with clock.lap("generate"):
        generation = services.generate("ask", lang, context, question=text)
    return Answer.made("ask", lang, generation, context, {"question": text}, clock.timings())
