"""The comparator for bench/cold_start_bench.py: a LangChain Lambda handler doing our retrieval.

What a team would write with LangChain for `POST /v1/ask`: Bedrock embeds the question, Pinecone
finds the passages, a prompt carries them to a Bedrock chat model, the answer comes back with its
sources. The imports sit at module scope, as LangChain's examples and most such handlers have
them; the clients and the chain are built once, on the first invocation (or by
`build_chain()`), and kept for the life of the execution environment.

Importing this module and building the chain make no network call: boto3 clients and the
Pinecone index handle connect on first use. The bench measures exactly those two steps; it
cannot run a request, which would call AWS Bedrock and Pinecone.

Needs packages kept out of the project (bench/requirements-langchain.txt), in their own venv:

    python3 -m venv /tmp/lc-venv && /tmp/lc-venv/bin/pip install -r bench/requirements-langchain.txt
"""

from __future__ import annotations

import json
import os
from typing import Any

from langchain_aws import BedrockEmbeddings, ChatBedrockConverse
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableParallel, RunnablePassthrough
from langchain_pinecone import PineconeVectorStore
from pinecone import Pinecone

REGION = os.environ.get("AWS_REGION", "eu-west-1")
EMBED_MODEL = os.environ.get("BEDROCK_EMBED_MODEL", "amazon.titan-embed-text-v2:0")
CHAT_MODEL = os.environ.get("BEDROCK_CHAT_MODEL", "anthropic.claude-3-haiku-20240307-v1:0")
TOP_K = 5

SYSTEM = (
    "You are a Tarot reader and astrologer. Answer the question only from the passages below, "
    "and cite them by their number, as [1], [2]. If they do not answer it, say so.\n\n"
    "Passages:\n{context}"
)

_chain: Runnable[str, dict[str, Any]] | None = None


def _format(docs: list[Document]) -> str:
    return "\n\n".join(
        f"[{i}] {d.metadata.get('title', '')}\n{d.page_content}" for i, d in enumerate(docs, 1)
    )


def build_chain() -> Runnable[str, dict[str, Any]]:
    """question -> {"question", "docs", "answer"}: retrieval, then a grounded answer."""
    embeddings = BedrockEmbeddings(model_id=EMBED_MODEL, region_name=REGION)
    pc = Pinecone(api_key=os.environ.get("PINECONE_API_KEY", "bench-no-network"))
    index = pc.Index(host=os.environ.get("PINECONE_HOST", "https://oraculum.svc.pinecone.io"))
    store = PineconeVectorStore(index=index, embedding=embeddings, text_key="text")
    retriever = store.as_retriever(search_kwargs={"k": TOP_K})
    llm = ChatBedrockConverse(model=CHAT_MODEL, region_name=REGION, temperature=0.3,
                              max_tokens=400)  # fmt: skip
    prompt = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", "{question}")])
    answer = (
        RunnablePassthrough.assign(context=lambda x: _format(x["docs"]))
        | prompt
        | llm
        | StrOutputParser()
    )
    return RunnableParallel(docs=retriever, question=RunnablePassthrough()).assign(answer=answer)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway v2 `POST /v1/ask` with `{"question": ...}`."""
    global _chain
    if _chain is None:
        _chain = build_chain()
    body = json.loads(event.get("body") or "{}")
    result = _chain.invoke(body["question"])
    sources = [
        {"id": d.id, "title": d.metadata.get("title"), "text": d.page_content}
        for d in result["docs"]
    ]
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"answer": result["answer"], "sources": sources}),
    }
