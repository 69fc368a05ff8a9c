"""Talking to the model servers: one pool of keep-alive connections (``gateway.connections``), the
failures that become wire errors (D-16), and the relay of a streamed answer, event by event,
counting its tokens as they pass.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from openmaas.errors import ApiError
from openmaas.gateway import tokens
from openmaas.gateway.connections import (
    ConnectFailed,
    ConnectionPool,
    Exchange,
    ExchangeFailure,
    ExchangeTimeout,
    split_url,
)
from openmaas.gateway.errors import (
    InferenceFailed,
    NoServiceInstance,
    UpstreamFailed,
    UpstreamTimeout,
    data_plane_body,
)

log = logging.getLogger("openmaas.gateway")

# An upstream error body longer than this is cut in the message it becomes.
REASON_CHARS = 300
# At most this much of a failed answer is read to say why it failed.
FAILED_BODY_BYTES = 64 * 1024
DONE = b"[DONE]"
# Sent with every call. A model server answers where it is asked: no redirect is followed.
HEADERS = b"content-type: application/json\r\naccept: application/json, text/event-stream\r\n"


@dataclass(frozen=True, slots=True)
class Answer:
    """A model server's whole answer."""

    status: int
    body: bytes


class Upstreams:
    """Calls of the model servers, over one pool of keep-alive connections."""

    def __init__(self, *, connect_timeout: float, read_timeout: float) -> None:
        # The read timeout is between bytes: a long stream is fine as long as bytes keep coming.
        self._pool = ConnectionPool(connect_timeout=connect_timeout, read_timeout=read_timeout)

    async def post(self, url: str, payload: bytes) -> Answer:
        """The whole answer to a POST; the failure to get one is an ApiError."""
        try:
            exchange = await self._pool.post(url, payload, HEADERS)
            return Answer(exchange.status, await exchange.read())
        except ExchangeFailure as failure:
            raise failure_of(failure, url) from None

    async def open_stream(self, url: str, payload: bytes) -> Exchange:
        """A streamed answer, its status read and its body not yet. A failed answer (not 200) is
        read, closed and raised as an ApiError, before the client sees a byte."""
        try:
            exchange = await self._pool.post(url, payload, HEADERS)
        except ExchangeFailure as failure:
            raise failure_of(failure, url) from None
        if exchange.status != 200:
            try:
                body = await exchange.read(FAILED_BODY_BYTES)
            except ExchangeFailure:
                body = b""
            raise answer_failure(exchange.status, body)
        return exchange

    async def close(self) -> None:
        await self._pool.close()


def failure_of(failure: BaseException, url: str) -> ApiError:
    """What a failed exchange with a model server answers (D-16)."""
    try:
        origin = split_url(url)[0].authority
    except ExchangeFailure:
        origin = url  # not an HTTP URL: the failure says so
    if isinstance(failure, ConnectFailed):
        return NoServiceInstance(
            "No available inference service instance: "
            f"the model server at {origin} did not accept a connection."
        )
    if isinstance(failure, ExchangeTimeout):
        return UpstreamTimeout()
    return UpstreamFailed(f"The model server at {origin} {failure}.")


def answer_failure(status_code: int, body: bytes) -> ApiError:
    """A model server's answer that is not a success: its own 4xx is the caller's mistake, said in
    MaaS words with the server's reason; anything else is the server's failure."""
    reason = _reason(body)
    if 400 <= status_code < 500:
        return InferenceFailed(f"{reason} Request failed with status: {status_code}.")
    return UpstreamFailed(f"The model server answered {status_code}: {reason}")


def _reason(body: bytes) -> str:
    """The error message of an OpenAI-style error body, else the start of the body as text."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        parsed = None
    message: Any = None
    if isinstance(parsed, dict):
        error = parsed.get("error")
        message = error.get("message") if isinstance(error, dict) else parsed.get("message") or error
    text = message if isinstance(message, str) else body.decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:REASON_CHARS] or "(no body)"


def answer_json(answer: Answer) -> dict[str, Any]:
    """A successful non-streamed answer as JSON; anything else is the server's failure."""
    if answer.status != 200:
        raise answer_failure(answer.status, answer.body[:FAILED_BODY_BYTES])
    try:
        body = orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        raise UpstreamFailed("The model server's answer is not valid JSON.") from None
    if not isinstance(body, dict):
        raise UpstreamFailed("The model server's answer is not a JSON object.")
    return body


@dataclass
class Counted:
    """The tokens of one call: the model server's usage where it gave one, else counted (D-17)."""

    prompt_estimate: int
    usage: dict[str, Any] | None = None
    completion_bytes: int = 0

    # False until the model server has answered anything: a call it never took consumed nothing.
    answered: bool = False

    @property
    def prompt_tokens(self) -> int:
        if not self.answered:
            return 0
        return _usage_int(self.usage, "prompt_tokens", self.prompt_estimate)

    @property
    def completion_tokens(self) -> int:
        return _usage_int(self.usage, "completion_tokens", tokens.of_bytes(self.completion_bytes))

    def count_choices(self, choices: Any, part: str) -> None:
        """Add the text of ``choices[*].<part>`` (``message`` or ``delta``) to the completion."""
        for choice in choices if isinstance(choices, list) else ():
            piece = choice.get(part) if isinstance(choice, dict) else None
            if isinstance(piece, dict):
                for name in ("content", "reasoning_content"):
                    text = piece.get(name)
                    if isinstance(text, str):
                        self.completion_bytes += len(text.encode())

    def usage_body(self) -> dict[str, int]:
        prompt, completion = self.prompt_tokens, self.completion_tokens
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _usage_int(usage: dict[str, Any] | None, name: str, default: int) -> int:
    value = usage.get(name) if usage else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


@dataclass
class StreamRelay:
    """Relays an SSE answer event by event, as each arrives: nothing is held back but the bytes of
    an event not yet complete. It reads every event to count the answer, passes the usage chunk on
    only if the client wants it (D-17), adds one when the client wants it and the server sent none,
    and ends a stream the server cut off with an error event the OpenAI SDK raises."""

    counted: Counted
    client_wants_usage: bool
    failed: bool = False
    done: bool = False
    _pending: bytes = b""
    _last_id: str = ""
    _usage_sent: bool = field(default=False)

    async def relay(
        self, chunks: AsyncIterator[bytes], on_cut: Callable[[BaseException], ApiError]
    ) -> AsyncIterator[bytes]:
        # The events that arrived in one read go on in one write: as they came, no later.
        passed: list[bytes] = []
        try:
            async for chunk in chunks:
                for event in self._events(chunk):
                    out = self._pass(event)
                    if out:
                        passed.append(out)
                if passed:
                    together = b"".join(passed)
                    passed.clear()
                    yield together
            if not self.done:
                raise UpstreamFailed("The model server ended the stream before its end marker.")
        except (ExchangeFailure, ApiError) as failure:
            self.failed = True
            error = failure if isinstance(failure, ApiError) else on_cut(failure)
            passed.append(b"data: " + orjson.dumps(data_plane_body(error)) + b"\n\n")
            yield b"".join(passed)

    def _events(self, chunk: bytes) -> list[bytes]:
        data = self._pending + chunk.replace(b"\r\n", b"\n")
        *events, self._pending = data.split(b"\n\n")
        return events

    def _pass(self, event: bytes) -> bytes | None:
        """The bytes to send on for one event (None: nothing)."""
        payload = _data_of(event)
        if payload is None:
            return event + b"\n\n" if event.strip() else None
        if payload == DONE:
            self.done = True
            return self._usage_if_missing() + event + b"\n\n"
        try:
            chunk = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise UpstreamFailed("The model server sent an event that is not valid JSON.") from None
        return self._pass_chunk(chunk, event)

    def _pass_chunk(self, chunk: Any, event: bytes) -> bytes | None:
        if not isinstance(chunk, dict):
            raise UpstreamFailed("The model server sent an event that is not a JSON object.")
        if "error" in chunk:
            self.failed = True
            return event + b"\n\n"
        chunk_id = chunk.get("id")
        self._last_id = chunk_id if isinstance(chunk_id, str) else self._last_id
        self.counted.count_choices(chunk.get("choices"), "delta")
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.counted.usage = usage
            if not chunk.get("choices"):
                self._usage_sent = self.client_wants_usage
                return event + b"\n\n" if self.client_wants_usage else None
        return event + b"\n\n"

    def _usage_if_missing(self) -> bytes:
        if not self.client_wants_usage or self._usage_sent:
            return b""
        self._usage_sent = True
        chunk = {
            "id": self._last_id,
            "object": "chat.completion.chunk",
            "choices": [],
            "usage": self.counted.usage_body(),
        }
        return b"data: " + orjson.dumps(chunk) + b"\n\n"


def _data_of(event: bytes) -> bytes | None:
    """The data of an SSE event (its ``data:`` lines joined), None if it has none."""
    lines = [line[5:].lstrip(b" ") for line in event.split(b"\n") if line.startswith(b"data:")]
    return b"\n".join(lines) if lines else None
