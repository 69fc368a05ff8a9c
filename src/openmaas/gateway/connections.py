"""HTTP/1.1 to the model servers: keep-alive connections per origin on asyncio protocols, answers
parsed by ``httptools`` (the parser uvicorn serves with).

Why not a general client library: forwarding a call is the gateway's whole job. A bare uvicorn
front forwarding keep-alive POSTs to the mock model took 212-251 µs of CPU a call with aiohttp's
client and 96-113 µs with this, on the 2-core machine. The gateway needs only this much of HTTP:
one POST with a known body, an answer read whole or part by part as it arrives, keep-alive,
timeouts, and each way an exchange can fail told apart; the parsing is httptools'.

Failures are ``ExchangeFailure``s: ``ConnectFailed`` (nothing accepted a connection),
``ExchangeTimeout`` (no byte for the read timeout, or no connection within the connect timeout)
and ``BrokenExchange`` (the server closed early or answered something that is not HTTP).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

import httptools

# An idle connection is not reused after this: model servers behind uvicorn close theirs after 5 s,
# and a POST written into a connection the server is closing would be lost.
IDLE_SECONDS = 4.0
# Idle connections kept per origin; more are closed as they come back.
IDLE_KEPT = 256
# Request heads kept, one per URL posted to (a model server's chat/completions, embeddings).
HEADS_KEPT = 1024
# Buffered answer bytes above which the server's connection is not read until some are taken.
HIGH_WATER = 256 * 1024


class ExchangeFailure(Exception):
    """An exchange with a model server that did not give a whole answer."""


class ConnectFailed(ExchangeFailure):
    pass


class ExchangeTimeout(ExchangeFailure):
    pass


class BrokenExchange(ExchangeFailure):
    """Its text says what the server did, as a predicate ("closed the connection ...")."""


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"


def split_url(url: str) -> tuple[Origin, str]:
    """A URL as its origin and its request target (path and query)."""
    parsed = httptools.parse_url(url.encode())
    scheme = (parsed.schema or b"http").decode().lower()
    if scheme not in ("http", "https"):
        raise ConnectFailed(f"the scheme {scheme} is not HTTP")
    port = parsed.port or (443 if scheme == "https" else 80)
    target = (parsed.path or b"/") + (b"?" + parsed.query if parsed.query else b"")
    return Origin(scheme, (parsed.host or b"").decode(), port), target.decode()


class _Connection(asyncio.Protocol):
    """One connection to a model server, and the answer being read on it."""

    def __init__(self, origin: Origin, loop: asyncio.AbstractEventLoop) -> None:
        self.origin = origin
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._paused = False
        self._parser = httptools.HttpResponseParser(self)
        self.idle_since = 0.0
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._headed = False
        self._keep_alive = False
        self._complete = False
        self._length_known = False
        self._failure: ExchangeFailure | None = None
        self._waiter: asyncio.Future[None] | None = None

    # ---- what the event loop calls -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        self._transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(BrokenExchange("answered something that is not HTTP"))
            self.close()
        if self._buffered > HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._headed and not self._complete and not self._length_known and exc is None:
            self._complete = True  # an answer without a length ends where the connection does
        elif not self._complete:
            self._fail(BrokenExchange("closed the connection in the middle of the answer"))
        self._wake()

    # ---- what the parser calls -----------------------------------------------------------------

    def on_header(self, name: bytes, _value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self._length_known = True

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        # Asked now: the parser forgets the answer's headers once the answer is complete.
        self._keep_alive = self._parser.should_keep_alive()
        self._headed = True
        self._wake()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        self._wake()

    def on_message_complete(self) -> None:
        self._complete = True
        self._wake()

    # ---- what the exchange calls ---------------------------------------------------------------

    @property
    def usable(self) -> bool:
        return self._transport is not None and not self._transport.is_closing()

    @property
    def reusable(self) -> bool:
        return self._complete and self._keep_alive and self.usable

    def send(self, request: bytes) -> None:
        self._reset()
        if self._transport is None:
            raise BrokenExchange("closed the connection before the request was sent")
        self._transport.write(request)

    async def head(self, timeout: float) -> int:
        while not self._headed:
            await self._wait(timeout)
        return self.status

    async def chunk(self, timeout: float) -> bytes | None:
        """The next part of the body as it arrived, None at its end."""
        while not self._chunks:
            if self._complete:
                return None
            await self._wait(timeout)
        chunk = self._chunks.popleft()
        self._buffered -= len(chunk)
        if self._paused and self._buffered <= HIGH_WATER and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        return chunk

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def _wait(self, timeout: float) -> None:
        if self._failure is not None:
            raise self._failure
        waiter = self._waiter = self._loop.create_future()
        timer = self._loop.call_later(timeout, _time_out, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None
        if self._failure is not None:
            raise self._failure

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, failure: ExchangeFailure) -> None:
        if self._failure is None:
            self._failure = failure


def _time_out(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(ExchangeTimeout("no answer within the read timeout"))


class Exchange:
    """One answer being read: its status, then its body whole or in parts. Its connection goes back
    to the pool when the answer has been read to its end, and is closed otherwise."""

    def __init__(self, pool: ConnectionPool, connection: _Connection, status: int) -> None:
        self._pool = pool
        self._connection = connection
        self.status = status
        self._open = True

    async def parts(self) -> AsyncIterator[bytes]:
        """The body as it arrives; the connection is released at its end."""
        try:
            while (part := await self._connection.chunk(self._pool.read_timeout)) is not None:
                yield part
        finally:
            self.release()

    async def read(self, limit: int | None = None) -> bytes:
        """The body, or its first ``limit`` bytes (the connection is then dropped)."""
        parts: list[bytes] = []
        size = 0
        try:
            while limit is None or size < limit:
                part = await self._connection.chunk(self._pool.read_timeout)
                if part is None:
                    break
                parts.append(part)
                size += len(part)
        finally:
            self.release()
        return b"".join(parts)[:limit]

    def release(self) -> None:
        """Done with the answer: a connection whose answer was not read to its end is closed."""
        if self._open:
            self._open = False
            self._pool.give_back(self._connection)


class ConnectionPool:
    """Keep-alive connections to every model server, per origin."""

    def __init__(self, *, connect_timeout: float, read_timeout: float) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._idle: dict[Origin, list[_Connection]] = {}
        self._tls: ssl.SSLContext | None = None
        # URL -> its origin and the request's first two lines: the gateway posts to a few URLs only.
        self._heads: dict[str, tuple[Origin, bytes]] = {}

    async def post(self, url: str, body: bytes, headers: bytes) -> Exchange:
        """Send ``body`` and wait for the answer's status; ``headers`` are extra header lines, each
        ending in CRLF."""
        origin, head = self._head(url)
        connection = await self._connection(origin)
        request = b"".join((head, b"content-length: %d\r\n" % len(body), headers, b"\r\n", body))
        try:
            connection.send(request)
            status = await connection.head(self.read_timeout)
        except BaseException:
            connection.close()
            raise
        return Exchange(self, connection, status)

    def _head(self, url: str) -> tuple[Origin, bytes]:
        head = self._heads.get(url)
        if head is None:
            origin, target = split_url(url)
            if len(self._heads) >= HEADS_KEPT:
                self._heads.clear()
            head = self._heads[url] = (
                origin,
                f"POST {target} HTTP/1.1\r\nhost: {origin.authority}\r\n".encode(),
            )
        return head

    def give_back(self, connection: _Connection) -> None:
        idle = self._idle.setdefault(connection.origin, [])
        if connection.reusable and len(idle) < IDLE_KEPT:
            connection.idle_since = time.monotonic()
            idle.append(connection)
        else:
            connection.close()

    async def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle = {}

    async def _connection(self, origin: Origin) -> _Connection:
        idle = self._idle.get(origin)
        fresh_since = time.monotonic() - IDLE_SECONDS
        while idle:
            connection = idle.pop()
            if connection.usable and connection.idle_since > fresh_since:
                return connection
            connection.close()
        return await self._connect(origin)

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        tls: dict[str, Any] = {}
        if origin.scheme == "https":
            tls = {"ssl": self._tls_context(), "server_hostname": origin.host}
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(origin, loop), origin.host, origin.port, **tls
                )
        except TimeoutError:
            raise ExchangeTimeout("no connection within the connect timeout") from None
        except OSError as error:
            raise ConnectFailed(str(error)) from None
        return connection

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls
