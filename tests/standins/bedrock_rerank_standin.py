"""A LOCAL STAND-IN for Bedrock's Rerank call (`bedrock-agent-runtime`), for tests.

Not Bedrock, and not a reranker: it scores each source by the share of the query's words it
holds (word overlap), which is enough to see an order come back. It exists to test the wire:
boto3's real client, reaching it through `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`, sends
`POST /rerank` (rest-json, signed with SigV4 for the service `bedrock`) through botocore's HTTP
stack, and the stand-in checks what the API's model (botocore's service-2.json) asks for:

- one query, of type TEXT, with a `textQuery.text` of 1 to 32,000 characters;
- 1 to 1,000 sources, each INLINE, of type TEXT, with a text of 1 to 32,000 characters (the
  JSON documents the API also takes are refused here: Oraculum sends none);
- a BEDROCK_RERANKING_MODEL configuration: a reranker's foundation-model ARN in the region the
  request was signed for, and `numberOfResults` of 1 to 1,000 if given;

and answers `{"results": [{"index", "relevanceScore"}]}`, best first, at most
`numberOfResults` of them. Refusals carry the API's error codes (`x-amzn-ErrorType`). Tests can
queue failures (`fail_next`) and slow it down (`delay_s`) to see retries, error mapping and
deadlines over real HTTP.

    python -m tests.standins.bedrock_rerank_standin --port 8767
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any

from tests.standins.bedrock_standin import AwsJsonHandler

MAX_TEXT = 32_000
MAX_SOURCES = 1_000
MAX_RESULTS = 1_000
_ARN = re.compile(
    r"^arn:aws(-[a-z-]+)?:bedrock:(?P<region>[a-z0-9-]+)::foundation-model/"
    r"(cohere\.rerank|amazon\.rerank)[a-z0-9.:-]*$"
)
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/")
_WORD = re.compile(r"\w+")


class Refused(Exception):
    """A request the API would refuse: its status, error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def overlap(query: str, text: str) -> float:
    """The share of the query's words that `text` holds (case-folded): the stand-in's score."""
    asked = set(_WORD.findall(query.casefold()))
    held = set(_WORD.findall(text.casefold()))
    return len(asked & held) / len(asked) if asked else 0.0


def _text(node: Any, where: str) -> str:
    text = node.get("text") if isinstance(node, dict) else None
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
        raise Refused(400, "ValidationException", f"{where}: a text of 1 to {MAX_TEXT} characters")
    return text


def answer(body: Any, signed_region: str) -> dict[str, Any]:
    """The Rerank answer to `body`, or Refused as the API's model says."""
    if not isinstance(body, dict):
        raise Refused(400, "ValidationException", "the body is not a JSON object")
    queries = body.get("queries")
    if not isinstance(queries, list) or len(queries) != 1 or not isinstance(queries[0], dict):
        raise Refused(400, "ValidationException", "queries: exactly one")
    if queries[0].get("type") != "TEXT":
        raise Refused(400, "ValidationException", "queries[0].type: TEXT")
    query = _text(queries[0].get("textQuery"), "queries[0].textQuery")
    sources = body.get("sources")
    if not isinstance(sources, list) or not 1 <= len(sources) <= MAX_SOURCES:
        raise Refused(400, "ValidationException", f"sources: between 1 and {MAX_SOURCES}")
    texts = []
    for n, source in enumerate(sources):
        inline = source.get("inlineDocumentSource") if isinstance(source, dict) else None
        if not isinstance(inline, dict) or source.get("type") != "INLINE":
            raise Refused(400, "ValidationException", f"sources[{n}]: an INLINE source")
        if inline.get("type") != "TEXT":
            raise Refused(400, "ValidationException", f"sources[{n}]: the stand-in takes TEXT")
        texts.append(_text(inline.get("textDocument"), f"sources[{n}].textDocument"))
    config = body.get("rerankingConfiguration")
    if not isinstance(config, dict) or config.get("type") != "BEDROCK_RERANKING_MODEL":
        raise Refused(400, "ValidationException", "rerankingConfiguration.type")
    bedrock = config.get("bedrockRerankingConfiguration") or {}
    arn = (bedrock.get("modelConfiguration") or {}).get("modelArn")
    match = _ARN.match(arn) if isinstance(arn, str) else None
    if match is None:
        raise Refused(400, "ValidationException", f"modelArn {arn!r} is not a reranker's ARN")
    if match["region"] != signed_region:
        raise Refused(404, "ResourceNotFoundException", f"{arn} is not served in {signed_region}")
    count = bedrock.get("numberOfResults", len(texts))
    if not isinstance(count, int) or not 1 <= count <= MAX_RESULTS:
        raise Refused(400, "ValidationException", f"numberOfResults: 1 to {MAX_RESULTS}")
    scored = sorted(((overlap(query, t), i) for i, t in enumerate(texts)), key=lambda p: -p[0])
    return {"results": [{"index": i, "relevanceScore": s} for s, i in scored[:count]]}


class Handler(AwsJsonHandler):
    server: RerankServer
    server_version = "bedrock-rerank-standin/1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        scope = _SCOPE.search(self.headers.get("authorization") or "")
        state = self.server
        with state.lock:
            state.calls.append({"path": self.path, "headers": dict(self.headers), "raw": raw})
            failure = state.failures.pop(0) if state.failures else None
        if state.delay_s:
            time.sleep(state.delay_s)
        try:
            if self.path != "/rerank":
                raise Refused(404, "ResourceNotFoundException", f"unknown path {self.path}")
            if scope is None or scope["service"] != "bedrock":
                raise Refused(403, "AccessDeniedException", "not signed for the service bedrock")
            if failure is not None:
                raise failure
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                raise Refused(400, "ValidationException", "the body is not JSON") from None
            self._send(200, answer(body, scope["region"]))
        except Refused as refused:
            self._send(refused.status, {"message": refused.message}, refused.code)


class RerankServer(ThreadingHTTPServer):
    """The HTTP server, holding what one stand-in was asked and what it is told to do."""

    daemon_threads = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.lock = threading.Lock()
        self.calls: list[dict[str, Any]] = []
        self.failures: list[Refused] = []
        self.delay_s = 0.0


class RerankStandin:
    """The stand-in on 127.0.0.1 in a thread, for a `with` block: `url`, the `calls` it got
    (path, headers, raw body), `fail_next` to refuse the next calls, `delay_s` to answer late."""

    def __init__(self, port: int = 0) -> None:
        self._server = RerankServer(port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def calls(self) -> list[dict[str, Any]]:
        return self._server.calls

    def bodies(self) -> list[Any]:
        """The JSON bodies of the calls, in order."""
        return [json.loads(call["raw"]) for call in self.calls]

    def fail_next(self, status: int, code: str, message: str, times: int = 1) -> None:
        with self._server.lock:
            self._server.failures += [Refused(status, code, message) for _ in range(times)]

    @property
    def delay_s(self) -> float:
        return self._server.delay_s

    @delay_s.setter
    def delay_s(self, seconds: float) -> None:
        self._server.delay_s = seconds

    def __enter__(self) -> RerankStandin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=8767)
    args = ap.parse_args()
    server = RerankServer(args.port)
    print(f"Bedrock rerank stand-in on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
