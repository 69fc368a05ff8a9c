"""Response writing: JSON bodies through orjson (several times faster than the standard library on
the hot listings), and the status and body of an error in the request's family."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Send

from openmaas.errors import ApiError
from openmaas.http.families import family_of
from openmaas.telemetry.exchange import note_code

JSON = "application/json"
JSON_HEADER = (b"content-type", JSON.encode())


def json_response(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type=JSON, headers=headers)


def error_body(path: str, error: ApiError) -> tuple[int, dict[str, Any]]:
    """The status and body of ``error`` for a request to ``path``, in that path's family; every error
    answer is written through here, so this is where the request's wire code is noted."""
    family = family_of(path)
    note_code(family.wire_code(error))
    return error.status_code, family.error_body(error)


def error_response(path: str, error: ApiError) -> Response:
    status_code, body = error_body(path, error)
    return json_response(body, status_code, error.headers)


NO_CONTENT = 204


def no_content() -> Response:
    return Response(status_code=NO_CONTENT)


async def send_json(send: Send, status_code: int, payload: bytes) -> None:
    """A JSON answer written straight to ASGI, with the headers a ``json_response`` carries, in the
    same order: for the plain ASGI layers in front of the app (the fast lane, the request checks)."""
    headers = [(b"content-length", str(len(payload)).encode()), JSON_HEADER]
    await send({"type": "http.response.start", "status": status_code, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
