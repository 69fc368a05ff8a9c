"""Data-plane wire errors (CONTRACT 7; data-plane facts §4.2), written in the data plane's dual body
(``data_plane_body``, the data-plane row of ``http.families``)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from openmaas.errors import ApiError


def data_plane_body(error: ApiError) -> dict[str, Any]:
    """The data plane (data-plane facts §4.1): the OpenAI SDK reads ``error``, Huawei-style clients
    ``error_code`` and ``error_msg``; both in one body."""
    kind = HTTPStatus(error.status_code).phrase.replace(" ", "")
    return {
        "error": {"code": error.error_code, "message": error.message, "param": None, "type": kind},
        "error_code": error.error_code,
        "error_msg": error.message,
    }


class MissingAuthorization(ApiError):
    status_code = 400
    error_code = "ModelArts.81002"

    def __init__(self) -> None:
        super().__init__("Failed to get the authorization header.")


class InvalidAuthorization(ApiError):
    status_code = 401
    error_code = "ModelArts.81003"

    def __init__(self) -> None:
        super().__init__("Invalid authorization header.")


class BadRequestBody(ApiError):
    status_code = 400
    error_code = "ModelArts.81001"

    def __init__(self, problem: str) -> None:
        super().__init__(f"Failed to format request body, {problem}.")


class RejectedByAllowlist(ApiError):
    """The key's allowlists: client IP, model, custom endpoint (the three verbatim messages)."""

    status_code = 401
    error_code = "ModelArts.81015"

    @classmethod
    def ip(cls, ip: str) -> RejectedByAllowlist:
        return cls(f"Invalid client ip {ip}, rejected by api key ip allowlist setting.")

    @classmethod
    def model(cls, model: str) -> RejectedByAllowlist:
        return cls(f"Invalid model {model}, rejected by api key model allowlist setting.")

    @classmethod
    def endpoint(cls, name: str) -> RejectedByAllowlist:
        return cls(f"Invalid custom endpoint {name}, rejected by api key custom endpoint allowlist setting.")


class ModelNotFound(ApiError):
    status_code = 404
    error_code = "ModelArts.81009"

    def __init__(self) -> None:
        super().__init__("Invalid model.")


class EndpointNotEnabled(ApiError):
    """D-15: a deactivated endpoint answers as a model the caller has no access to."""

    status_code = 403
    error_code = "ModelArts.81004"

    def __init__(self) -> None:
        super().__init__("Invalid request because you do not have access to it.")


class NoServiceInstance(ApiError):
    """D-16: nothing can answer now (the service is not RUNNING, is gone, has no upstream, or its
    model server refuses connections)."""

    status_code = 503
    error_code = "ModelArts.81010"


class UpstreamFailed(ApiError):
    """D-16: the model server answered, but not with something a client can use."""

    status_code = 502
    error_code = "ModelArts.81010"


class UpstreamTimeout(ApiError):
    status_code = 504
    error_code = "APIG.0203"

    def __init__(self) -> None:
        super().__init__("Backend timeout.")


class InferenceFailed(ApiError):
    """The model server refused the request itself (a 4xx): its reason, as MaaS words it."""

    status_code = 400
    error_code = "ModelArts.81001"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Inference failed: {reason}")


class RpmExceeded(ApiError):
    status_code = 429
    error_code = "ModelArts.81101"

    def __init__(self, rpm: int, retry_after: int) -> None:
        super().__init__(f"Too many requests, exceeded rate limit is {rpm} times per minute.")
        self.headers = {"Retry-After": str(retry_after)}


class TpmExceeded(ApiError):
    status_code = 429
    error_code = "ModelArts.81103"

    def __init__(self, tpm: int, retry_after: int) -> None:
        super().__init__(f"Too many requests. exceeded rate limit is {tpm} tokens per minute.")
        self.headers = {"Retry-After": str(retry_after)}


class LimitsUnavailable(ApiError):
    """D-18: the shared rate-limit counters do not answer; the call is refused, never let through
    unlimited."""

    status_code = 503
    error_code = "ModelArts.81198"

    def __init__(self) -> None:
        super().__init__(
            "Rate limiting is unavailable: the shared counter store does not answer. Retry later."
        )
        self.headers = {"Retry-After": "1"}
