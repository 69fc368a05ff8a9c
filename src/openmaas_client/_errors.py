"""The exceptions the client raises, and how an error response becomes one."""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import ValidationError


class OpenMaasError(Exception):
    """Base of every error this package raises."""


class TransportError(OpenMaasError):
    """The server could not be reached, or the connection failed mid-request."""


class InvalidEndpoint(OpenMaasError, ValueError):
    """The endpoint given to a client is not an http(s) URL with a host (a ValueError as well)."""


class ApiError(OpenMaasError):
    """An error answer from the server, with its wire code, message, HTTP status and request id."""

    def __init__(
        self, error_code: str, error_msg: str, status_code: int, request_id: str | None, body: Any = None
    ) -> None:
        super().__init__(f"{error_code}: {error_msg} (HTTP {status_code}, request id {request_id})")
        self.error_code = error_code
        self.error_msg = error_msg
        self.status_code = status_code
        self.request_id = request_id
        self.body = body


def _decode(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _code_and_message(body: Any, response: httpx.Response) -> tuple[str, str]:
    if isinstance(body, dict) and "error_code" in body:
        return str(body["error_code"]), str(body.get("error_msg", ""))
    # IAM (CONTRACT §4.4): the code is the HTTP status, as the official SDK reports it.
    nested = body.get("error") if isinstance(body, dict) else None
    if isinstance(nested, dict) and "message" in nested:
        return str(nested.get("code", response.status_code)), str(nested["message"])
    return str(response.status_code), response.text or response.reason_phrase


def error_from(response: httpx.Response) -> ApiError:
    """Map any error body (ModelArts/MaaS, IAM, or not JSON at all) to an :class:`ApiError`."""
    body = _decode(response)
    code, message = _code_and_message(body, response)
    return ApiError(code, message, response.status_code, response.headers.get("x-request-id"), body)


def unexpected_answer(response: httpx.Response, error: Exception) -> OpenMaasError:
    """A success answer whose body is not the shape the API documents."""
    return OpenMaasError(f"unexpected answer from {response.request.url}: {problem_text(error)}")


def problem_text(error: Exception) -> str:
    """What is wrong with a parsed value, in one line: a missing key, the first validation error."""
    if isinstance(error, KeyError):
        return f"missing key {error.args[0]!r}"
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        more = error.error_count() - 1
        return f"{error.title}: {where + ': ' if where else ''}{first['msg']}" + (
            f" (and {more} more)" if more else ""
        )
    if isinstance(error, json.JSONDecodeError):
        return "the body is not JSON"
    return str(error)
