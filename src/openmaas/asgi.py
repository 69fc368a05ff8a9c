"""What the plain ASGI layers and the data plane read off a request themselves, without Starlette's
``Request``: a header's value, and the body."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import Receive


def first_header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of header ``name`` (lower case, as ASGI gives names), as ``Request.headers``
    would give it; None when there is none."""
    for header, value in headers:
        if header == name:
            return value
    return None


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole request body; None when the client goes away first, or once the body grows past
    ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        part = message.get("body", b"")
        size += len(part)
        if limit is not None and size > limit:
            return None
        parts.append(part)
        if not message.get("more_body", False):
            return parts[0] if len(parts) == 1 else b"".join(parts)
