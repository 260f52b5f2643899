"""A free question answered from the knowledge base, with citations.

First its scope (readings/scope.py): an off-topic or harmful question gets a short note and no
search. A compatibility question ("which sign suits Gemini?") is answered by the element and
modality rules the base states. Any other question searches the base.
"""

from __future__ import annotations

from oraculum.ports import ContextGroup
from oraculum.rag.pack import pack
from oraculum.readings import compatibility
from oraculum.readings.answer import Answer
from oraculum.readings.knowledge import to_item
from oraculum.readings.scope import assess
from oraculum.readings.services import Services, Stopwatch, check_lang, check_question
from oraculum.readings.words import Words, words


def compatibility_facts(match: compatibility.Match, w: Words) -> tuple[list[str], str]:
    sign, other = match.sign, match.other
    name = w.sign
    if other is not None:
        kind = compatibility.relation(sign, other)
        relation = w.compat[f"{kind}_pair" if kind != "same" else "same"].format(
            element=w.elements[sign.element], modality=w.modalities[sign.modality]
        )
        return [], w.compat["pair"].format(a=name(sign.key), b=name(other.key), relation=relation)
    signs = lambda kind: w.join([name(s.key) for s in compatibility.at(sign, kind)])  # noqa: E731
    facts = [
        w.compat["trine"].format(sign=name(sign.key), element=w.elements[sign.element],
                                 signs=signs("trine")),
        w.compat["sextile"].format(sign=name(sign.key), signs=signs("sextile"),
                                   opposite=signs("opposite")),
        w.compat["square"].format(signs=signs("square"), modality=w.modalities[sign.modality]),
    ]  # fmt: skip
    best = w.join([name(s.key) for s in compatibility.best(sign)])
    return facts, w.compat["best"].format(sign=name(sign.key), signs=best)


def compatibility_answer(
    match: compatibility.Match, question: str, lang: str, services: Services, clock: Stopwatch
) -> Answer:
    w = words(lang)
    with clock.lap("retrieve"):
        rules, _ = services.knowledge.entity(compatibility.ARTICLE, lang)
        items = tuple(to_item(c, 2) for c in rules)
        heading = items[0].title if items else w.compat["heading"]
        groups = [ContextGroup(heading, items)]
        for sign in filter(None, (match.sign, match.other)):
            profile, _ = services.knowledge.sections(f"zodiac-sign/{sign.key}", lang, ("love",))
            groups.append(ContextGroup(w.sign(sign.key), tuple(profile)))
        context = pack(groups, services.limits.context_tokens)
    facts, conclusion = compatibility_facts(match, w)
    with clock.lap("generate"):
        generation = services.generate(
            "ask", lang, context, question=question, facts=tuple(facts), conclusion=conclusion
        )
    signs = [s.key for s in (match.sign, match.other) if s]
    reading = {"question": question, "scope": "in-scope", "topic": "compatibility",
               "signs": signs, "answer": conclusion}  # fmt: skip
    return Answer.made("ask", lang, generation, context, reading, clock.timings())


def ask(question: str, services: Services, *, lang: str = "en", top_k: int = 5) -> Answer:
    lang = check_lang(lang)
    text = check_question(question, services.limits.max_question_chars, required=True) or ""
    clock = Stopwatch()
    scope = assess(text)
    if scope.declined:
        services.count("DeclinedQuestions", 1)
        note = words(lang).scope[scope.category or scope.scope]
        reading = {"question": text, "scope": scope.scope, "scope_detail": scope.as_dict()}
        return Answer.declined("ask", lang, note, reading, clock.timings())
    match = compatibility.asked(text)
    if match is not None:
        answer = compatibility_answer(match, text, lang, services, clock)
    else:
        with clock.lap("retrieve"):
            # The embedder is multilingual: search every language, then let passages in the
            # asker's language go first when the scores are close.
            found = services.retriever.search(text, top_k=top_k * 2).hits
            if not found:
                services.count("RetrievalMisses", 1)
            ranked = sorted(found, key=lambda h: (h.chunk.lang != lang, -h.score))[:top_k]
            ranked.sort(key=lambda h: -h.score)
            groups = [ContextGroup(to_item(h.chunk).title, (to_item(h.chunk),)) for h in ranked]
            context = pack(groups, services.limits.context_tokens)
        with clock.lap("generate"):
            generation = services.generate("ask", lang, context, question=text)
        reading = {"question": text, "scope": scope.scope}
        answer = Answer.made("ask", lang, generation, context, reading, clock.timings())
    answer.reading["scope_detail"] = scope.as_dict()
    if scope.scope == "sensitive" and scope.category:
        caution = words(lang).scope[scope.category]
        answer.text = f"{caution}\n\n{answer.text}"
        answer.notes.insert(0, caution)
    return answer
