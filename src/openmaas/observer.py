"""The outermost layer: gives every request its id, and once it is answered counts it, times it
and writes its one log line.

What the layers below learn (the route template, the wire error code, the tenant) they note on the
request's ``telemetry.exchange.Exchange``; the observer reads it when the answer is done, so the
fast lanes, the fault lane, the request checks and FastAPI's routes are all seen the same way."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from time import perf_counter
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openmaas.telemetry.batches import Answers, Batch
from openmaas.telemetry.exchange import CURRENT, Exchange
from openmaas.telemetry.logs import ACCESS_LOGGER, AccessLines
from openmaas.telemetry.metrics import UNMATCHED, RequestMeter

# The version (4) and variant (RFC 4122) bits that make 128 random bits a UUID, as uuid.UUID sets them.
UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
UUID4_SET = (0x4000 << 64) | (0x8000 << 48)
REQUEST_ID_MAX = 128


class Observer:
    def __init__(
        self, inner: ASGIApp, *, meter: RequestMeter | None, answers: Answers[Answered] | None
    ) -> None:
        self.inner = inner
        self.meter = meter
        # Where each answered request's record goes: the metrics and the access lines take them in
        # batches (telemetry.batches). None: neither is on.
        self.answers = answers
        # Request ids are fresh random UUIDs (CONTRACT 1), drawn from a generator seeded once from the
        # OS: uuid4() would make a system call per request.
        self._id_random = random.Random(os.urandom(32))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.inner(scope, receive, self._flushing_at_shutdown(send))
            return
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        request_id = self._request_id(scope)
        exchange = Exchange(scope["method"], scope["path"], request_id.decode("latin-1"))
        token = CURRENT.set(exchange)
        started = perf_counter()
        status = 500  # what the server answers if the app fails before it starts an answer

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id)]
            await send(message)

        try:
            await self.inner(scope, receive, observed_send)
        finally:
            CURRENT.reset(token)
            self._observed(scope, exchange, status, perf_counter() - started)

    def _flushing_at_shutdown(self, send: Send) -> Send:
        """The lifespan's ``send``, which writes the pending access lines and publishes the pending
        tallies once the app has stopped."""

        async def flushing_send(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown"):
                if self.answers is not None:
                    self.answers.flush()
                if self.meter is not None:
                    self.meter.publish()
            await send(message)

        return flushing_send

    def _request_id(self, scope: Scope) -> bytes:
        for name, value in scope["headers"]:
            if name == b"x-request-id" and value:
                return bytes(value[:REQUEST_ID_MAX])
        return b"%032x" % (self._id_random.getrandbits(128) & UUID4_CLEAR | UUID4_SET)

    def _observed(self, scope: Scope, exchange: Exchange, status: int, seconds: float) -> None:
        if self.answers is not None:
            # Only what the metrics and the line need: they are made with the batch.
            route = exchange.route or _template(scope)
            params, query = scope.get("path_params") or _NO_PARAMS, scope.get("query_string", b"")
            self.answers.add((exchange, route, status, seconds, scope.get("client"), params, query))


def _template(scope: Scope) -> str:
    """The template of the FastAPI route that took the request (FastAPI notes it on the scope)."""
    route = scope.get("route")
    return getattr(route, "path", UNMATCHED)


# What a request leaves for its line: the exchange, its route template, status and duration, and
# the client's address, path parameters and query string from its scope.
Answered = tuple[Exchange, str, int, float, "tuple[str, int] | None", dict[str, str], bytes]


def answers_for(meter: RequestMeter | None, access: AccessLines[Answered] | None) -> Answers[Answered] | None:
    """The batches the observer hands its records to: counted by ``meter``, written by ``access``."""
    consumers: list[Callable[[Batch[Answered]], None]] = []
    if meter is not None:
        consumers.append(lambda batch: _meter_batch(meter, batch))
    if access is not None:
        consumers.append(access.write)
    return Answers(consumers) if consumers else None


def _meter_batch(meter: RequestMeter, batch: Batch[Answered]) -> None:
    observe = meter.observe
    for _when, (exchange, route, status, seconds, *_line_only) in batch:
        observe(exchange.method, route, status, exchange.code, seconds)


def access_line(now: str, answered: Answered) -> dict[str, Any]:
    """The request's line: who, what, how it ended. Never a header, a body or the query string (a
    token, a key or a password could be in any of them). Unknown fields are left out."""
    exchange, route, status, seconds, client, params, query = answered
    method, path = exchange.method, exchange.path
    line: dict[str, Any] = {
        "time": now,
        "level": "info",
        "logger": ACCESS_LOGGER,
        "message": f"{method} {path} {status}",
        "request_id": exchange.request_id,
        "method": method,
        "route": route,
        "path": path,
        "status": status,
    }
    if exchange.code:
        line["code"] = exchange.code
    line["duration_ms"] = round(seconds * 1000, 3)
    if client:
        line["client"] = client[0]
    if exchange.domain_id is not None:
        line["domain_id"] = exchange.domain_id
    if exchange.user_id is not None:
        line["user_id"] = exchange.user_id
    project_id = params.get("project_id") or exchange.project_id
    if project_id is not None:
        line["project_id"] = project_id
    workspace_id = params.get("workspace_id") or exchange.workspace_id or _workspace_asked(query)
    if workspace_id is not None:
        line["workspace_id"] = workspace_id
    if exchange.endpoint_id is not None:
        line["endpoint_id"] = exchange.endpoint_id
    return line


_NO_PARAMS: dict[str, str] = {}


def _workspace_asked(query: bytes) -> str | None:
    """The workspace a query string names (parsed when the line is made, off the request's path)."""
    if b"workspace_id=" not in query:
        return None
    values = parse_qs(query.decode("latin-1")).get("workspace_id")
    return values[0][:64] if values else None
