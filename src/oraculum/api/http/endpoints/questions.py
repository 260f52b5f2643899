"""POST /v1/ask, GET /v1/search, GET /health."""

from __future__ import annotations

from typing import Any

from oraculum.api.http.endpoints import measured
from oraculum.api.http.problems import Problem
from oraculum.api.http.schemas import AskRequest, Health, SearchQuery
from oraculum.api.http.services import ApiServices
from oraculum.rag.retrieve import NoLexicalIndex
from oraculum.rag.twins import in_language


def post_ask(runtime: ApiServices, body: AskRequest) -> dict[str, Any]:
    from oraculum.readings.ask import ask

    with runtime.services() as services:
        return measured(ask(body.question, services, lang=body.lang))


def search(runtime: ApiServices, query: SearchQuery) -> dict[str, Any]:
    limit = runtime.settings.max_top_k
    if query.top_k > limit:
        raise Problem(422, "invalid-input", f"top_k is over the limit of {limit}", field="top_k")
    with runtime.services() as services:
        try:
            found = services.retriever.search(
                query.q, top_k=query.top_k, kind=query.kind, lang=query.only_lang,
                mode=query.mode, one_per_document=True,
            )  # fmt: skip
        except NoLexicalIndex as exc:
            raise Problem(422, "invalid-input", str(exc), field="mode") from None
        hits = found.hits
        if query.lang is not None:
            hits = in_language(hits, query.lang, services.documents)
    return {
        "query": query.q,
        "mode": found.mode,
        "reranked": found.reranked,
        "hits": [h.as_dict() for h in hits],
        "dropped": len(found.dropped),
    }


def health(runtime: ApiServices) -> Health:
    with runtime.stores() as stores:
        agree = stores.index.dim in (0, stores.embedder.dim) and stores.index.model_id in (
            None, stores.embedder.model_id)  # fmt: skip
        return Health(
            status="ok" if agree else "degraded",
            embedder=stores.embedder.model_id,
            embedder_dim=stores.embedder.dim,
            index_model=stores.index.model_id,
            index_dim=stores.index.dim,
            dimensions_agree=agree,
            documents=stores.documents.count(),
            vectors=stores.index.count(),
            generator=runtime.settings.generator,
        )
