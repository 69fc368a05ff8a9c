"""The one error handler: every ApiError, validation error, unknown route and unexpected failure is
written here, in the request's family (``http.families``). Never a traceback on the wire."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from openmaas.errors import INTERNAL_ERROR, ApiError, ApiNotFound, validation_error
from openmaas.http.responses import error_response

log = logging.getLogger("openmaas.errors")


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
