"""The gateway's HTTP/1.1 to model servers (``gateway.connections``), against small loopback servers
that answer exactly the bytes each test gives them (D-16 for what each failure becomes on the wire)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from openmaas.gateway import connections
from openmaas.gateway.connections import (
    BrokenExchange,
    ConnectFailed,
    ConnectionPool,
    ExchangeTimeout,
    Origin,
    split_url,
)

JSON = b"content-type: application/json\r\n"
Answerer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


@asynccontextmanager
async def server(answer: Answerer) -> AsyncIterator[tuple[str, list[int]]]:
    """A loopback server running ``answer`` per connection; yields its URL and a list that grows by
    one per connection it accepts."""
    accepted: list[int] = []

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        try:
            await answer(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(on_connection, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1/chat/completions", accepted
    finally:
        listening.close()
        await listening.wait_closed()


def keep_alive(answer_to: Callable[[bytes], bytes]) -> Answerer:
    """Answers every request on a connection with ``answer_to(its body)``, keeping it open."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await read_request(reader)
            writer.write(answer_to(request.rsplit(b"\r\n\r\n", 1)[1]))
            await writer.drain()

    return answer


def echo(body: bytes) -> bytes:
    return ok(b"answer to " + body)


def once(raw: bytes, *, then_close: bool = True) -> Answerer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(raw)
        await writer.drain()
        if not then_close:
            await asyncio.sleep(30)

    return answer


async def post_and_read(upstreams: ConnectionPool, url: str) -> bytes:
    exchange = await upstreams.post(url, b"x", JSON)
    return await exchange.read()


def pool(read_timeout: float = 2.0) -> ConnectionPool:
    return ConnectionPool(connect_timeout=2.0, read_timeout=read_timeout)


def calls(answer: Answerer, times: int, *, in_parts: bool = False) -> tuple[list[tuple[int, bytes]], int]:
    """``times`` calls in turn through one pool (bodies "call 0", "call 1"...): each answer's status
    and body (read whole, or joined from its parts), and how many connections the server accepted."""

    async def scenario() -> tuple[list[tuple[int, bytes]], int]:
        answers = []
        async with server(answer) as (url, accepted):
            upstreams = pool()
            for number in range(times):
                exchange = await upstreams.post(url, b"call %d" % number, JSON)
                body = b"".join([p async for p in exchange.parts()]) if in_parts else await exchange.read()
                answers.append((exchange.status, body))
            await upstreams.close()
        return answers, len(accepted)

    return asyncio.run(scenario())


def test_answers_are_read_whole_and_one_connection_serves_them_in_turn() -> None:
    answered = [(200, b"answer to call 0"), (200, b"answer to call 1"), (200, b"answer to call 2")]
    assert calls(keep_alive(echo), 3) == (answered, 1)


def test_a_connection_idle_too_long_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Model servers close idle connections (uvicorn after 5 s): a POST must not be written into one.
    monkeypatch.setattr(connections, "IDLE_SECONDS", 0.0)
    assert calls(keep_alive(echo), 2) == ([(200, b"answer to call 0"), (200, b"answer to call 1")], 2)


def test_an_answer_without_a_length_ends_with_its_connection() -> None:
    raw = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nall of it"
    # Read to the close, and the closed connection is not reused.
    assert calls(once(raw), 2) == ([(200, b"all of it"), (200, b"all of it")], 2)


def test_a_chunked_answer_comes_in_parts_and_its_connection_is_reused() -> None:
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nHello\r\n6\r\n world\r\n0\r\n\r\n"
    answers = calls(keep_alive(lambda _body: chunked), 2, in_parts=True)
    assert answers == ([(200, b"Hello world"), (200, b"Hello world")], 1)


def test_a_stream_left_before_its_end_closes_its_connection() -> None:
    head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nHello\r\n"

    async def scenario() -> None:
        async with server(once(head, then_close=False)) as (url, accepted):
            upstreams = pool()
            exchange = await upstreams.post(url, b"x", JSON)
            parts = exchange.parts()
            assert await anext(parts) == b"Hello"
            await parts.aclose()  # the client went away
            exchange = await upstreams.post(url, b"x", JSON)
            assert await anext(exchange.parts()) == b"Hello"
            exchange.release()
            await upstreams.close()
        assert len(accepted) == 2  # the first connection was closed, not reused

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("raw", "failure"),
    [
        (b"SMTP ready\r\n\r\n", "answered something that is not HTTP"),
        (
            b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\nonly part",
            "closed the connection in the middle of the answer",
        ),
        (b"", "closed the connection in the middle of the answer"),
    ],
)
def test_a_broken_answer_is_a_broken_exchange_d16(raw: bytes, failure: str) -> None:
    async def scenario() -> None:
        async with server(once(raw)) as (url, _):
            upstreams = pool()
            with pytest.raises(BrokenExchange) as raised:
                await post_and_read(upstreams, url)
            await upstreams.close()
        assert str(raised.value) == failure

    asyncio.run(scenario())


def test_a_silent_server_is_a_timeout_after_the_read_timeout_d16() -> None:
    async def silent(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    async def scenario() -> None:
        async with server(silent) as (url, _):
            upstreams = pool(read_timeout=0.2)
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(ExchangeTimeout):
                await upstreams.post(url, b"x", JSON)
            waited = loop.time() - started
            await upstreams.close()
        assert 0.15 < waited < 5

    asyncio.run(scenario())


def test_a_refused_connection_is_connect_failed_d16() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario() -> None:
        with pytest.raises(ConnectFailed):
            await pool().post(f"http://127.0.0.1:{port}/v1/chat/completions", b"x", JSON)

    asyncio.run(scenario())


def test_the_request_names_its_target_host_and_length() -> None:
    seen: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await read_request(reader))
        writer.write(ok(b"{}"))
        await writer.drain()

    async def scenario() -> None:
        async with server(answer) as (url, _):
            upstreams = pool()
            exchange = await upstreams.post(url + "?api-version=1", b'{"a":1}', JSON)
            await exchange.read()
            await upstreams.close()
        port = url.split(":")[2].split("/")[0]
        assert seen == [
            b"POST /v1/chat/completions?api-version=1 HTTP/1.1\r\nhost: 127.0.0.1:%s\r\n"
            b'content-length: 7\r\ncontent-type: application/json\r\n\r\n{"a":1}' % port.encode()
        ]

    asyncio.run(scenario())


def test_a_url_is_split_into_its_origin_and_target() -> None:
    assert split_url("https://models.example/v1/chat/completions?x=1") == (
        Origin("https", "models.example", 443),
        "/v1/chat/completions?x=1",
    )
    assert split_url("http://10.0.0.7:8000/v1/embeddings") == (
        Origin("http", "10.0.0.7", 8000),
        "/v1/embeddings",
    )
    with pytest.raises(ConnectFailed, match="the scheme ftp is not HTTP"):
        split_url("ftp://models.example/v1")
