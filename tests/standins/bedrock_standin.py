"""A LOCAL STAND-IN for the two Bedrock runtime calls Oraculum makes, for tests and benches.

Not Bedrock: it answers InvokeModel for Cohere Embed v3 (`POST /model/{id}/invoke`, the
documented body `{"texts", "input_type", "truncate"}` -> `{"embeddings", "id",
"response_type", "texts"}`) with deterministic 1024-d hashing vectors, and Converse
(`POST /model/{id}/converse`) with a short fixed answer and token usage. It enforces what the
real API documents for those calls: at most 96 texts, `input_type` present, a JSON body.
boto3 reaches it through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, so the request really leaves
through botocore's HTTP stack, signed, as it would to AWS.

    python -m tests.standins.bedrock_standin --port 8766
"""

from __future__ import annotations

import argparse
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from oraculum.backends.local.hashing import HashingEmbedder

DIM = 1024
MAX_TEXTS = 96
_embedder = HashingEmbedder(dim=DIM)


class AwsJsonHandler(BaseHTTPRequestHandler):
    """Answers as AWS's JSON APIs do: a JSON body, and the error's name in x-amzn-ErrorType."""

    def _send(self, status: int, payload: dict[str, Any], error: str | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.end_headers()
        self.wfile.write(data)


class Handler(AwsJsonHandler):
    server_version = "bedrock-standin/1"
    disable_nagle_algorithm = True  # headers and body leave in two writes: no 40 ms stall
    calls: ClassVar[list[dict[str, Any]]] = []  # what was asked, for tests

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_POST(self) -> None:
        parts = urllib.parse.unquote(self.path).strip("/").split("/")
        length = int(self.headers.get("content-length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(
                400, {"message": "Malformed input request: body is not JSON"}, "ValidationException"
            )
            return
        if len(parts) < 3 or parts[0] != "model":
            self._send(404, {"message": f"unknown path {self.path}"}, "ResourceNotFoundException")
            return
        model, action = "/".join(parts[1:-1]), parts[-1]
        self.calls.append({"model": model, "action": action, "body": body})
        if action == "invoke":
            self._embed(model, body)
        elif action == "converse":
            self._converse(model, body)
        else:
            self._send(404, {"message": f"unknown action {action}"}, "ResourceNotFoundException")

    def _embed(self, model: str, body: dict[str, Any]) -> None:
        texts = body.get("texts")
        if not model.startswith("cohere.embed"):
            self._send(400, {"message": f"the stand-in embeds with Cohere only, not {model}"},
                       "ValidationException")  # fmt: skip
        elif not isinstance(texts, list) or not 1 <= len(texts) <= MAX_TEXTS:
            self._send(400, {"message": f"texts: between 1 and {MAX_TEXTS} items"},
                       "ValidationException")  # fmt: skip
        elif body.get("input_type") not in ("search_document", "search_query", "classification",
                                            "clustering"):  # fmt: skip
            self._send(400, {"message": "input_type is required"}, "ValidationException")
        else:
            rows = _embedder.embed_documents([str(t) for t in texts])
            self._send(200, {"embeddings": rows.tolist(), "id": "standin", "texts": texts,
                             "response_type": "embeddings_floats"})  # fmt: skip

    def _converse(self, model: str, body: dict[str, Any]) -> None:
        messages = body.get("messages") or []
        if not messages:
            self._send(400, {"message": "messages: at least one"}, "ValidationException")
            return
        text = "The cards speak of patience; the stand-in model says no more."
        self._send(200, {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 100, "outputTokens": 14, "totalTokens": 114},
            "metrics": {"latencyMs": 1},
        })  # fmt: skip


@contextmanager
def bedrock_standin(port: int = 0) -> Iterator[str]:
    """The stand-in on 127.0.0.1 in a thread; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"Bedrock stand-in on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
