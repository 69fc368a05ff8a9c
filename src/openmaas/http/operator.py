"""The operator of an openmaas deployment: who may call the admin API (``/openmaas/v1``, issue 11).

A credential of its own, never a tenant's: ``Authorization: Bearer <OPENMAAS_ADMIN_API_KEY>``. An IAM token
or an AK/SK signature is refused (403), whatever account it belongs to. Without the setting the admin API
is not published (404 APIG.0101), so a deployment that does not want it has none.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request

from openmaas.auth.signature import is_signed
from openmaas.errors import ApiError, ApiNotFound
from openmaas.http.families import ADMIN
from openmaas.http.state import State


class TenantCredential(ApiError):
    status_code = 403
    error_code = "OpenMaaS.0403"

    def __init__(self) -> None:
        super().__init__(
            "Tenant credentials (an IAM token or an AK/SK signature) cannot call the openmaas admin API; "
            "use its admin API key."
        )


class WrongAdminKey(ApiError):
    status_code = 401
    error_code = "OpenMaaS.0401"

    def __init__(self) -> None:
        super().__init__("Invalid admin API key.")


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


async def _operator(request: Request, state: State) -> None:
    configured = state.settings.admin_api_key
    if configured is None:
        raise ApiNotFound()
    authorization = request.headers.get("authorization") or ""
    if request.headers.get("x-auth-token") or is_signed(authorization):
        raise TenantCredential()
    if authorization[:7].lower() != "bearer ":
        raise ADMIN.token_failure
    # Digests of both sides: a constant-time comparison whatever the lengths.
    if not hmac.compare_digest(_digest(authorization[7:].strip()), _digest(configured.get_secret_value())):
        raise WrongAdminKey()


# A dependency for the admin routes: they run only for the operator.
Operator = Annotated[None, Depends(_operator)]
