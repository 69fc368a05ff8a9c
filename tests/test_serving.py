"""The server's HTTP protocol (``openmaas.http.serving``): uvicorn's, with a response's head written
together with its first body part. Driven as uvicorn drives it, with a transport that records each
write, so each test can say how many writes an answer took and what they held."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from uvicorn.server import ServerState

from openmaas.http.serving import OneWriteHttpProtocol


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _small(_request: Request) -> Response:
    return PlainTextResponse("hello")


async def _slow_stream(_request: Request) -> Response:
    async def parts() -> Any:
        await asyncio.sleep(0.05)
        yield b"first"
        yield b"second"

    return StreamingResponse(parts(), media_type="text/event-stream")


async def _upload(request: Request) -> Response:
    return PlainTextResponse(f"got {len(await request.body())}")


APP = Starlette(
    routes=[
        Route("/small", _small, methods=["GET", "HEAD"]),
        Route("/stream", _slow_stream),
        Route("/upload", _upload, methods=["POST"]),
    ]
)


def exchange(request: bytes, *, settle: float = 0.2) -> list[bytes]:
    """The writes the server made for ``request`` on one connection."""

    async def scenario() -> list[bytes]:
        config = uvicorn.Config(APP, lifespan="off", log_level="warning", access_log=False)
        config.load()
        protocol = OneWriteHttpProtocol(config=config, server_state=ServerState(), app_state={})
        transport = RecordingTransport()
        protocol.connection_made(transport)
        protocol.data_received(request)
        await asyncio.sleep(settle)
        return transport.writes

    return asyncio.run(scenario())


OK = b"HTTP/1.1 200 OK"


def status_and_body(write: bytes) -> tuple[bytes, bytes]:
    """A write that holds a whole head: its status line, and what follows the head."""
    head, blank, body = write.partition(b"\r\n\r\n")
    assert blank, f"no whole head in {write!r}"
    return head.split(b"\r\n", 1)[0], body


def test_a_small_answer_is_one_write_of_head_and_body() -> None:
    writes = exchange(b"GET /small HTTP/1.1\r\nhost: x\r\n\r\n")
    assert [status_and_body(write) for write in writes] == [(OK, b"hello")]


def test_a_head_answer_has_no_body_and_is_still_written() -> None:
    writes = exchange(b"HEAD /small HTTP/1.1\r\nhost: x\r\n\r\n")
    assert [status_and_body(write) for write in writes] == [(OK, b"")]


def test_a_stream_whose_first_part_is_late_sends_its_head_at_once() -> None:
    # The head does not wait 50 ms for the first part: it goes at the end of the loop turn.
    writes = exchange(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
    assert status_and_body(writes[0]) == (OK, b"")
    assert writes[1:] == [b"5\r\nfirst\r\n", b"6\r\nsecond\r\n", b"0\r\n\r\n"]


def test_a_100_continue_goes_before_the_answer_and_alone() -> None:
    request = b"POST /upload HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: 3\r\n\r\nabc"
    writes = exchange(request)
    assert writes[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert [status_and_body(write) for write in writes[1:]] == [(OK, b"got 3")]


def test_two_requests_on_one_connection_get_one_write_each() -> None:
    writes = exchange(b"GET /small HTTP/1.1\r\nhost: x\r\n\r\nGET /small HTTP/1.1\r\nhost: x\r\n\r\n")
    assert [status_and_body(write) for write in writes] == [(OK, b"hello"), (OK, b"hello")]


def test_connection_close_writes_the_answer_before_closing() -> None:
    writes = exchange(b"GET /small HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    assert [status_and_body(write) for write in writes] == [(OK, b"hello")]
    assert b"connection: close" in writes[0].lower()
