"""Plain ASGI middleware for what every request's body needs: a size cap, and the optional strict
Content-Type check (D-2). Plain ASGI keeps it off the hot path's profile. (The request id is the
observer's, in front of this.)"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openmaas.asgi import read_body
from openmaas.errors import InvalidParameter
from openmaas.http.families import DATA_PLANE
from openmaas.http.responses import error_body, send_json

BODY_METHODS = frozenset({b"POST", b"PUT", b"PATCH"})


class RequestContext:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        data_plane_max_body_bytes: int,
        strict_content_type: bool,
        form_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        # Paths whose POSTs are HTML forms (the console), not JSON.
        self.form_paths = form_paths
        self.max_body_bytes = max_body_bytes
        self.data_plane_max_body_bytes = data_plane_max_body_bytes
        self.strict_content_type = strict_content_type

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, content_type = _body_headers(scope["headers"])
        cap = self._cap(scope["path"])
        problem = self._problem(scope, b"0" if length is None else length, content_type, cap)
        if problem is None and length is None and scope["method"].encode() in BODY_METHODS:
            # A chunked body announces no length: read it here, within the cap, and hand it on whole.
            body = await read_body(receive, cap)
            if body is None:
                problem = _too_large(cap)
            else:
                receive = _replay(body, receive)
        if problem is not None:
            await _reply(send, scope["path"], problem)
            return
        await self.app(scope, receive, send)

    def _cap(self, path: str) -> int:
        """The body size a request may send: the data plane takes prompts and images."""
        return self.data_plane_max_body_bytes if DATA_PLANE.paths.match(path) else self.max_body_bytes

    def _problem(
        self, scope: Scope, length: bytes, content_type_header: bytes, cap: int
    ) -> InvalidParameter | None:
        if not length.isdigit() or int(length) > cap:
            return _too_large(cap)
        content_type = content_type_header.split(b";")[0].strip().lower()
        if (
            self.strict_content_type
            and scope["path"].startswith("/v")
            and content_type != b"application/json"
        ):
            return InvalidParameter("Content-Type", "must be application/json")
        if (
            scope["method"].encode() in BODY_METHODS
            and int(length)
            and content_type not in (b"application/json", b"")
            and not (content_type == b"application/x-www-form-urlencoded" and self._takes_forms(scope))
        ):
            return InvalidParameter("body", "must be JSON (Content-Type application/json)")
        return None

    def _takes_forms(self, scope: Scope) -> bool:
        path: str = scope["path"]
        return path.startswith(self.form_paths) if self.form_paths else False


def _body_headers(headers: list[tuple[bytes, bytes]]) -> tuple[bytes | None, bytes]:
    """Content-Length (None when there is none) and Content-Type; of a repeated header, the last."""
    length, content_type = None, b""
    for name, value in headers:
        if name == b"content-length":
            length = value
        elif name == b"content-type":
            content_type = value
    return length, content_type


def _too_large(cap: int) -> InvalidParameter:
    return InvalidParameter("body", f"exceeds {cap} bytes")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that yields the buffered body once, then waits on the real one (for disconnects)."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _reply(send: Send, path: str, problem: InvalidParameter) -> None:
    """The error answer, in the request's family, as the error handler writes it."""
    status_code, body = error_body(path, problem)
    await send_json(send, status_code, orjson.dumps(body))
