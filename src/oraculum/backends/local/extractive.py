"""The extractive composer: a real generator that needs no model.

It writes the reading from the retrieved passages themselves: under each heading (a spread
position, a transit) the line the reading wrote for it, then the opening sentences of its
passages with their ids (as many as each passage asks, else three of the first and one of the
others), then the synthesis the reading computed and its answer. Deterministic, instant, and
always available: it is what answers when a language model fails, times out or cannot write
the asked language.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from oraculum.ports import ContextItem, Generation, GenerationRequest

if TYPE_CHECKING:
    from oraculum.config import Settings

MODEL_ID = "oraculum/extractive-composer-v1"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")

_WORDS = {
    "en": {
        "synthesis": "Synthesis",
        "synthesis-natal": "The chart as a whole",
        "synthesis-ask": "By the rules",
        "answer": "Answer",
        "question": "Your question",
        "closing": "This reading is for reflection and entertainment; it is not medical, legal "
        "or financial advice.",
        "nothing": "The knowledge base holds nothing on this yet.",
    },
    "vi": {
        "synthesis": "Tổng hợp",
        "synthesis-natal": "Tổng quan lá số",
        "synthesis-ask": "Theo các quy tắc",
        "answer": "Câu trả lời",
        "question": "Câu hỏi của bạn",
        "closing": "Nội dung này chỉ để suy ngẫm và giải trí; đây không phải lời khuyên y tế, "
        "pháp lý hay tài chính.",
        "nothing": "Cơ sở tri thức chưa có nội dung về điều này.",
    },
}


def _sentences(text: str, n: int) -> str:
    return " ".join(_SENTENCE_END.split(text.strip())[:n])


def _extract(item: ContextItem, sentences: int, heading: str) -> str:
    """The opening sentences with their citation; titled when the heading does not name them."""
    text = f"{_sentences(item.text, item.sentences or sentences)} [{item.id}]"
    if item.title and item.title not in heading:
        return f"{item.title}: {text}"
    return text


class ExtractiveComposer:
    @property
    def model_id(self) -> str:
        return MODEL_ID

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(_WORDS)

    def generate(self, request: GenerationRequest) -> Generation:
        words = _WORDS.get(request.lang, _WORDS["en"])
        paragraphs: list[str] = []
        if request.question:
            paragraphs.append(f"{words['question']}: “{request.question}”")
        for group in request.groups:
            body = [group.note] if group.note else []
            for n, item in enumerate(group.items):
                body.append(_extract(item, 3 if n == 0 else 1, group.heading))
            # a heading alone still says something (an event and its date, a placement)
            paragraphs.append(f"{group.heading}\n" + " ".join(body) if body else group.heading)
        if request.facts:
            paragraphs.append(
                f"{words.get(f'synthesis-{request.reading_type}', words['synthesis'])}\n"
                + "\n".join(f"• {f}" for f in request.facts)
            )
        if request.conclusion:
            paragraphs.append(f"{words['answer']}\n{request.conclusion}")
        if not request.groups and not request.facts:
            paragraphs.append(words["nothing"])
        paragraphs.append(words["closing"])
        text = "\n\n".join(paragraphs)
        return Generation(text=text, model_id=MODEL_ID, tokens=0)


def from_settings(settings: Settings) -> ExtractiveComposer:
    return ExtractiveComposer()
