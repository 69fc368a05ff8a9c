"""The API families, declared as data: which paths are theirs, how their error bodies look, and what
they answer for a bad token or signature (D-5). A new family (the data plane, an admin API) is a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from openmaas.errors import ApiError
from openmaas.gateway.errors import data_plane_body

ErrorShape = Callable[[ApiError], dict[str, Any]]
AKSK_FAILURE = "Incorrect IAM authentication information: verify aksk signature fail"


def plain_body(error: ApiError) -> dict[str, Any]:
    """ModelArts, MaaS and the API gateway: ``{"error_code", "error_msg"}`` (CONTRACT 1)."""
    return {"error_code": error.error_code, "error_msg": error.message}


def iam_body(error: ApiError) -> dict[str, Any]:
    """IAM (CONTRACT 4.4): ``{"error": {"code": <status>, "message", "title"}}``."""
    title = HTTPStatus(error.status_code).phrase
    return {"error": {"code": error.status_code, "message": error.message, "title": title}}


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    # The request paths that are this family's; families are tried in FAMILIES' order.
    paths: re.Pattern[str]
    body: ErrorShape
    # D-5: a missing, invalid, expired or revoked token.
    token_failure: ApiError
    # D-5: a bad AK/SK signature, an unknown AK or clock skew (the reason is appended).
    signature_code: str = "APIG.0301"

    def error_body(self, error: ApiError) -> dict[str, Any]:
        """The body of ``error`` in this family; the gateway's own errors keep the gateway's body."""
        return plain_body(error) if error.gateway else self.body(error)

    def wire_code(self, error: ApiError) -> str:
        """The error code the body carries: IAM's is the status (CONTRACT 4.4), the rest's a string."""
        return str(error.status_code) if self.body is iam_body and not error.gateway else error.error_code

    def signature_failure(self, reason: str) -> ApiError:
        return ApiError(f"{AKSK_FAILURE} ({reason})", status_code=401, error_code=self.signature_code)


DATA_PLANE = Family(
    name="data-plane",
    paths=re.compile(r"^/(?:v1|v2|openai/v1)/(?:chat/completions|embeddings|models)\Z"),
    body=data_plane_body,
    # The data plane takes no IAM token: its keys are MaaS API keys (81002, 81003).
    token_failure=ApiError("Invalid authorization header.", status_code=401, error_code="ModelArts.81003"),
    signature_code="ModelArts.81003",
)
ADMIN = Family(
    name="admin",
    paths=re.compile(r"^/openmaas/"),
    body=plain_body,
    token_failure=ApiError(
        "The openmaas admin API needs its admin API key: Authorization: Bearer <OPENMAAS_ADMIN_API_KEY>.",
        status_code=401,
        error_code="OpenMaaS.0401",
    ),
    signature_code="OpenMaaS.0403",
)
IAM = Family(
    name="iam",
    paths=re.compile(r"^/v3(?:\.0)?/"),
    body=iam_body,
    token_failure=ApiError("The request you have made requires authentication.", status_code=401),
)
MAAS = Family(
    name="maas",
    paths=re.compile(r"^/v[12]/[^/]*/maas/"),
    body=plain_body,
    token_failure=ApiError("Invalid token.", status_code=400, error_code="ModelArts.0104"),
)
MODELARTS = Family(
    name="modelarts",
    paths=re.compile(r""),
    body=plain_body,
    token_failure=ApiError("Invalid token.", status_code=401, error_code="ModelArts.0203"),
)
FAMILIES: tuple[Family, ...] = (DATA_PLANE, ADMIN, IAM, MAAS, MODELARTS)


def family_of(path: str) -> Family:
    """The family of a request path; ModelArts takes whatever no other family claims."""
    return next(family for family in FAMILIES if family.paths.match(path))
