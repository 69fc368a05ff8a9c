"""Wire errors: every expected failure is an ApiError that carries its HTTP status and wire code.

One handler (``install_error_handlers``) writes every error body, so no route formats one itself.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("openmaas.errors")


class ApiError(Exception):
    """A ModelArts/MaaS style error: ``{"error_code", "error_msg"}``."""

    status_code: int = 400
    error_code: str = "ModelArts.0101"

    def __init__(self, message: str, *, status_code: int | None = None, error_code: str | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if error_code is not None:
            self.error_code = error_code

    def body(self) -> dict[str, Any]:
        return {"error_code": self.error_code, "error_msg": self.message}


class IamError(ApiError):
    """An IAM style error (CONTRACT 4.4): ``{"error": {"code", "message", "title"}}``."""

    status_code = 401

    def body(self) -> dict[str, Any]:
        title = HTTPStatus(self.status_code).phrase
        return {"error": {"code": self.status_code, "message": self.message, "title": title}}


class InvalidParameter(ApiError):
    """D-7: any malformed field of a ModelArts/MaaS request."""

    error_code = "ModelArts.0101"

    def __init__(self, field: str, reason: str):
        super().__init__(f"Invalid parameter: {field} {reason}.")
        self.field = field


INTERNAL_ERROR = ApiError("Internal server error.", status_code=500, error_code="ModelArts.0001")


def check_page(offset: int, limit: int) -> None:
    """Every paged list starts its pages at multiples of ``limit`` (``current`` = offset / limit)."""
    if offset % limit:
        raise InvalidParameter("offset", "must be a multiple of limit")


class ApiNotFound(ApiError):
    """Unknown path or method, and MaaS outside its home region (D-3)."""

    status_code = 404
    error_code = "APIG.0101"

    def __init__(self) -> None:
        super().__init__("The API does not exist or has not been published in the environment.")


def json_response(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status_code, media_type="application/json", headers=headers
    )


def error_body(path: str, exc: ApiError) -> tuple[int, dict[str, Any]]:
    """The status and body of ``exc`` for a request to ``path``: IAM paths answer every error in
    the IAM shape (CONTRACT 4.4), except an unknown API (D-3)."""
    if path.startswith(("/v3/", "/v3.0/")) and not isinstance(exc, IamError | ApiNotFound):
        exc = IamError(exc.message, status_code=exc.status_code)
    return exc.status_code, exc.body()


def error_response(path: str, exc: ApiError) -> Response:
    status_code, body = error_body(path, exc)
    return json_response(body, status_code)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "body"


def _reason(error: dict[str, Any]) -> str:
    if error.get("type") == "missing":
        return "is required"
    message = str(error.get("msg", "is invalid"))
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def validation_error(exc: RequestValidationError) -> InvalidParameter:
    first = exc.errors()[0]
    loc = tuple(first.get("loc", ()))
    if first.get("type") == "json_invalid":
        return InvalidParameter("body", "is not valid JSON")
    return InvalidParameter(_field_name(loc), _reason(first))


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(request.url.path, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return await on_api_error(request, validation_error(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code in (404, 405):
            return await on_api_error(request, ApiNotFound())
        return await on_api_error(request, ApiError(str(exc.detail), status_code=exc.status_code))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Never a traceback on the wire: log it, answer a generic 500.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request.url.path, INTERNAL_ERROR)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
