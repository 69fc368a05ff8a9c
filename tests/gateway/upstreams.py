"""Model servers for the data-plane tests: any ASGI app served by uvicorn on a free loopback port, in a
thread of its own, stopped at the end; and small ones that fail in each way a real server can (D-16)."""

from __future__ import annotations

import asyncio
import socket
import socketserver
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from tests.live import free_port, wait_for


@contextmanager
def served(app: ASGIApp) -> Iterator[str]:
    """``app`` listening on 127.0.0.1, as ``http://127.0.0.1:<port>``, until the block ends."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name=f"upstream-{port}", daemon=True)
    thread.start()
    wait_for(lambda: True if server.started else None, 30, f"a model server on port {port}", 0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def not_http() -> Iterator[str]:
    """A server whose health check is HTTP but whose completions answer something else (another
    protocol on the model server's port), until the block ends."""

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request_line = self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b""):
                pass  # the headers; the health check has no body, and the POST's is not read
            if request_line.startswith(b"GET /health"):
                body = b'{"status": "ok"}'
                head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                self.wfile.write(head + b"content-length: %d\r\n\r\n%s" % (len(body), body))
            else:
                self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n")

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join(timeout=30)


def nothing_listens() -> str:
    """The URL of a loopback port nobody listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def _health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def failing(kind: str, *, delay: float = 0.0) -> Starlette:
    """A model server whose health check passes and whose completions fail as ``kind`` says."""

    async def completions(request: Request) -> Response:
        body = await request.json()
        if kind == "slow":
            await asyncio.sleep(delay)
        if kind == "500":
            return JSONResponse({"error": {"message": "CUDA out of memory", "type": "InternalError"}}, 500)
        if kind == "400":
            return JSONResponse({"object": "error", "message": "The prompt is too long.", "code": 400}, 400)
        if kind == "not-json":
            return PlainTextResponse("<html>bad gateway</html>", 200)
        if kind in ("cut", "ends-early"):
            return StreamingResponse(_two_chunks(abrupt=kind == "cut"), media_type="text/event-stream")
        return JSONResponse({"id": "x", "object": "chat.completion", "choices": [], "echo": body})

    routes = [Route("/health", _health), Route("/v1/chat/completions", completions, methods=["POST"])]
    return Starlette(routes=routes)


class ServerCrashed(Exception):
    """What a model server that dies in the middle of an answer does to its connection."""


async def _two_chunks(*, abrupt: bool) -> AsyncIterator[bytes]:
    """Two chunks (8 bytes of text), then no usage and no end marker: the stream just ends, or, when
    ``abrupt``, the connection breaks in the middle of the chunked body."""
    for word in ("Hell", " wor"):
        chunk = (
            '{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"%s"}}]}'
        )
        yield f"data: {chunk % word}\n\n".encode()
        await asyncio.sleep(0.01)
    if abrupt:
        raise ServerCrashed("the model server died")
