"""A LOCAL STAND-IN for Pinecone, for tests: not Pinecone, and never a place for real data.

A small HTTP server that speaks the part of Pinecone's documented REST API (version 2026-07,
what the pinecone SDK 10.2 sends) that Oraculum's adapter uses, so the real SDK can be pointed
at it with no internet:

- control plane: `GET /indexes`, `POST /indexes`, `GET|PATCH|DELETE /indexes/{name}`; a
  described index's `host` points back at this server (`{url}/data/{name}`);
- data plane, under that host: `POST /vectors/upsert`, `POST /query`, `GET /vectors/fetch`,
  `POST /vectors/delete` (ids, deleteAll or filter), `GET /vectors/list` (prefix, limit,
  paginationToken), `POST /describe_index_stats`; all with namespaces.

It checks the `Api-Key` header (401) and enforces the documented limits the way Pinecone does,
with a 400 and a `{code, message, details}` body on the data plane (`{error: {code, message},
status}` on the control plane): over 1,000 vectors or 2 MB an upsert, metadata over 40 KB, ids
over 512 characters, a vector of the wrong dimension. With a visibility delay, writes become
visible to reads only that many seconds later. The parts: `pinecone_registry.py` (control
plane), `pinecone_state.py` (vectors, limits, visibility), `pinecone_filters.py` (filters).

Run it: `.venv/bin/python -m tests.standins.pinecone_standin --port 5081 [--visibility-delay 2]`
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.standins.pinecone_filters import Invalid
from tests.standins.pinecone_registry import IndexRegistry, Refused
from tests.standins.pinecone_state import MAX_REQUEST_BYTES, VectorIndexState

STANDIN_API_KEY = "pinecone-standin-key"
DATA_PREFIX = "/data/"
_GRPC = {400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 409: 6}  # rpcStatus codes (data plane)
_CONTROL = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}
_CONTROL |= {405: "UNIMPLEMENTED", 409: "ALREADY_EXISTS"}
Reply = tuple[int, Any]


@dataclass
class RequestRecord:
    """One request as the stand-in saw it (tests read these to see what was sent)."""

    method: str
    path: str
    status: int
    body_bytes: int
    items: int  # vectors in an upsert, ids in a delete or fetch


class PineconeStandin:
    """The server and its indexes; `start()` serves from a thread, `serve_forever()` in front."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = STANDIN_API_KEY,
        visibility_delay: float = 0.0,
        init_delay: float = 0.0,
    ) -> None:
        self.api_key = api_key
        self.visibility_delay = visibility_delay  # read at each write: tests may change it
        self.requests: list[RequestRecord] = []
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.standin = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self.indexes = IndexRegistry(
            lambda name: f"{self.url}{DATA_PREFIX}{name}", lambda: self.visibility_delay
        )
        self.indexes.init_delay = init_delay

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PineconeStandin:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def __enter__(self) -> PineconeStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_to(self, suffix: str) -> list[RequestRecord]:
        """The requests whose path (without the query) ends with `suffix`, in order."""
        return [r for r in list(self.requests) if urlsplit(r.path).path.endswith(suffix)]

    # --- one request -------------------------------------------------------------------
    def respond(self, method: str, target: str, headers: Any, raw: bytes) -> tuple[int, bytes, str]:
        parts = urlsplit(target)
        data = parts.path.startswith(DATA_PREFIX)
        items = 0
        if headers.get("Api-Key") != self.api_key:
            status, payload = 401, _error(401, "Invalid API Key", data)
            body = b"Invalid API Key" if data else json.dumps(payload).encode()
            kind = "text/plain" if data else "application/json"
        else:
            query = parse_qs(parts.query)
            status, payload, items = self._route(method, parts.path, query, raw, data)
            body = b"" if payload is None else json.dumps(payload).encode()
            kind = "application/json"
        self.requests.append(RequestRecord(method, target, status, len(raw), items))
        return status, body, kind

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes, data: bool
    ) -> tuple[int, Any, int]:
        items = len(query.get("ids", []))
        try:
            if data and method == "POST" and len(raw) > MAX_REQUEST_BYTES:
                raise Invalid(
                    "Your request is larger than the maximum supported size - 2MB. Please try "
                    "to reduce your batch size."
                )
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise Invalid("the request body must be a JSON object")
            listed = body.get("vectors") or body.get("ids")
            items = len(listed) if isinstance(listed, list) else items
            if data:
                return *self._data(method, path[len(DATA_PREFIX) :], query, body), items
            return *self._control(method, path, body), items
        except json.JSONDecodeError as exc:
            return 400, _error(400, f"malformed JSON: {exc}", data), items
        except Invalid as exc:
            return 400, _error(400, str(exc), data), items
        except Refused as exc:
            return exc.status, _error(exc.status, exc.message, data), items

    # --- control plane -----------------------------------------------------------------
    def _control(self, method: str, path: str, body: dict[str, Any]) -> Reply:
        if path == "/indexes":
            if method == "GET":
                return 200, self.indexes.list()
            if method == "POST":
                return 201, self.indexes.create(body)
        name = unquote(path.removeprefix("/indexes/")) if path.startswith("/indexes/") else ""
        if not name or "/" in name:
            raise Refused(404, f"no route for {method} {path}")
        if method == "GET":
            return 200, self.indexes.model(self.indexes.entry(name))
        if method == "PATCH":
            return 200, self.indexes.configure(name, body)
        if method == "DELETE":
            self.indexes.delete(name)
            return 202, None
        raise Refused(405, f"{method} is not supported on {path}")

    # --- data plane --------------------------------------------------------------------
    def _data(
        self, method: str, rest: str, query: dict[str, list[str]], body: dict[str, Any]
    ) -> Reply:
        name, _, op = rest.partition("/")
        entry = self.indexes.get(unquote(name))
        if entry is None:
            raise Refused(404, f"Index {name} not found")
        state = entry.state
        arg = {k: v[0] for k, v in query.items()}
        ns = _namespace(body.get("namespace") if method == "POST" else arg.get("namespace"))
        route = (method, "/" + op)
        if route == ("POST", "/vectors/upsert"):
            return 200, {"upsertedCount": state.upsert(ns, body.get("vectors"))}
        if route == ("POST", "/vectors/delete"):
            state.delete(ns, body.get("ids"), bool(body.get("deleteAll")), body.get("filter"))
            return 200, {}
        if route == ("POST", "/query"):
            matches = state.query(ns, body)
            return 200, {"matches": matches, "namespace": ns, "usage": {"readUnits": 5}}
        if route == ("GET", "/vectors/fetch"):
            found = state.fetch(ns, query.get("ids", []))
            return 200, {"vectors": found, "namespace": ns, "usage": {"readUnits": 1}}
        if route == ("GET", "/vectors/list"):
            return 200, _listing(state, ns, arg)
        if route == ("POST", "/describe_index_stats"):
            if body.get("filter"):
                raise Invalid("Serverless indexes do not support describe_index_stats filters")
            return 200, state.stats()
        raise Refused(404, f"no route for {method} /{op}")


def _namespace(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return "" if text == "__default__" else text


def _listing(state: VectorIndexState, ns: str, arg: dict[str, str]) -> dict[str, Any]:
    limit = arg.get("limit", "100")
    if not limit.isdigit():
        raise Invalid("limit must be an integer")
    ids, token = state.list_ids(ns, arg.get("prefix", ""), int(limit), arg.get("paginationToken"))
    page: dict[str, Any] = {"vectors": [{"id": i} for i in ids], "namespace": ns}
    if token:
        page["pagination"] = {"next": token}
    return {**page, "usage": {"readUnits": 1}}


def _error(status: int, message: str, data: bool) -> dict[str, Any]:
    """The documented error bodies: rpcStatus on the data plane, ErrorResponse on control."""
    if data:
        return {"code": _GRPC.get(status, 2), "message": message, "details": []}
    code = _CONTROL.get(status, "UNKNOWN")
    return {"error": {"code": code, "message": message}, "status": status}


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # headers and body leave in two writes: no 40 ms stall
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the stand-in's record of requests is `PineconeStandin.requests`."""

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        standin: PineconeStandin = self.server.standin  # type: ignore[attr-defined]
        status, body, kind = standin.respond(method, self.path, self.headers, raw)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for Pinecone's REST API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", default=STANDIN_API_KEY)
    parser.add_argument("--visibility-delay", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--init-delay", type=float, default=0.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    standin = PineconeStandin(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        visibility_delay=args.visibility_delay,
        init_delay=args.init_delay,
    )
    print(
        f"Pinecone stand-in (local, not Pinecone) on {standin.url}, Api-Key {args.api_key!r}",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        standin.serve_forever()


if __name__ == "__main__":
    main()
