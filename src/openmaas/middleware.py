"""Plain ASGI middleware for what every request needs: a request id, a body size cap, and the
optional strict Content-Type check (D-2). Plain ASGI keeps it off the hot path's profile."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openmaas.errors import IamError

BODY_METHODS = frozenset({b"POST", b"PUT", b"PATCH"})


class RequestContext:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, strict_content_type: bool) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.strict_content_type = strict_content_type

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = (headers.get(b"x-request-id") or uuid.uuid4().hex.encode())[:128]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id)]
            await send(message)

        problem = self._problem(scope, headers)
        if problem is not None:
            await _reply(send_with_id, scope["path"], problem)
            return
        await self.app(scope, receive, send_with_id)

    def _problem(self, scope: Scope, headers: dict[bytes, bytes]) -> str | None:
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body_bytes:
            return f"Invalid parameter: body exceeds {self.max_body_bytes} bytes."
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if (
            self.strict_content_type
            and scope["path"].startswith("/v")
            and content_type != b"application/json"
        ):
            return "Invalid parameter: Content-Type must be application/json."
        if (
            scope["method"].encode() in BODY_METHODS
            and int(length)
            and content_type not in (b"application/json", b"")
        ):
            return "Invalid parameter: body must be JSON (Content-Type application/json)."
        return None


async def _reply(send: Any, path: str, message: str) -> None:
    if path.startswith("/v3"):
        body: dict[str, Any] = IamError(message, status_code=400).body()
    else:
        body = {"error_code": "ModelArts.0101", "error_msg": message}
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
