"""Wire errors: every expected failure is an ApiError that carries its HTTP status, wire code and
message. The body it is written in is the API family's (``http.families``); one handler
(``http.errors``) writes every error body, so no route formats one itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi.exceptions import RequestValidationError


class ApiError(Exception):
    """An expected failure: status, wire code (``{"error_code", "error_msg"}`` in most families)."""

    status_code: int = 400
    error_code: str = "ModelArts.0101"
    # An error of the API gateway itself (an unknown API) keeps the gateway's body in every family.
    gateway: ClassVar[bool] = False
    # Response headers the answer carries besides the body (a 429's Retry-After, say).
    headers: dict[str, str] | None = None

    def __init__(self, message: str, *, status_code: int | None = None, error_code: str | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if error_code is not None:
            self.error_code = error_code


class IamError(ApiError):
    """An error of the IAM API (CONTRACT 4.4): its family writes ``{"error": {code, message, title}}``."""

    status_code = 401


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
    gateway = True

    def __init__(self) -> None:
        super().__init__("The API does not exist or has not been published in the environment.")


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


class NotScoped(ApiError):
    """D-4: the path's project is not the credential's."""

    status_code = 403
    error_code = "ModelArts.0105"

    def __init__(self, project_id: str) -> None:
        super().__init__(f"Operation not allowed: the credential is not scoped to project {project_id}.")
        self.project_id = project_id
