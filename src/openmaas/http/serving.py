"""uvicorn's HTTP/1.1 protocol, answering each response's head and first body part in one write.

uvicorn writes a response's status line and headers as soon as the app starts the response, and its
body as a second write. On loopback and in small VMs each write is a system call that also wakes the
reader: the client is woken for a head it cannot use yet, then again for the body. Holding the head
until the first body part (or the end of the loop turn in which it was sent, whichever comes first)
makes one write and one wake-up of a whole small answer; a streamed answer's head goes out with its
first event, or by itself at the end of that loop turn if the first event is not ready yet.

uvicorn takes a protocol class (``uvicorn.Config(http=...)``); this one differs from uvicorn's own
only in the transport each request's cycle writes through.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class HeadWithBody:
    """One response's view of the connection: its first write (the head) waits for the next write,
    the end of the current loop turn, or the close, and goes out with the first of them. A
    ``100 Continue`` interim answer is not the head and is written at once."""

    __slots__ = ("_head", "_loop", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head = b""
        self._started = False

    def write(self, data: bytes) -> None:
        if not self._started and data != CONTINUE:
            self._started = True
            self._head = data
            self._loop.call_soon(self.flush)
            return
        if self._head:
            data, self._head = self._head + data, b""
        self._transport.write(data)

    def flush(self) -> None:
        if self._head and not self._transport.is_closing():
            self._transport.write(self._head)
        self._head = b""

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        # Everything but writing and closing is the connection's own (is_closing, get_extra_info...).
        return getattr(self._transport, name)


class OneWriteHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol whose request cycles write through ``HeadWithBody``."""

    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        if self.cycle is not before:  # a request cycle was made (not an upgrade)
            self.cycle.transport = HeadWithBody(self.transport, self.loop)  # type: ignore[assignment]
