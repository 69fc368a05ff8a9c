"""A tiny HTTP server on the loopback with canned answers, for what no real server sends: a 2xx
answer of the wrong shape. It records each request so a test can assert the exact body sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A canned answer: status, JSON body (bytes are sent as they are), extra headers.
Answer = tuple[int, Any, Mapping[str, str]]
MISSING: Answer = (404, {"error_code": "Stub.0404", "error_msg": "no such stub"}, {})


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # with its query
    body: bytes


@dataclass
class Stub:
    url: str
    requests: list[Recorded] = field(default_factory=list)

    def bodies(self, method: str) -> list[Any]:
        return [json.loads(request.body) for request in self.requests if request.method == method]


@contextmanager
def stub_server(answers: Mapping[str, Answer]) -> Iterator[Stub]:
    """Answer each ``"METHOD /path?query"``, else ``"METHOD /path"``, as given, anything else 404;
    the server always stops when the block ends."""
    stub = Stub("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            stub.requests.append(Recorded(self.command, self.path, self.rfile.read(length)))
            exact, bare = f"{self.command} {self.path}", f"{self.command} {self.path.partition('?')[0]}"
            status, body, headers = answers.get(exact) or answers.get(bare) or MISSING
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test asserts what it needs from ``stub.requests``."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
