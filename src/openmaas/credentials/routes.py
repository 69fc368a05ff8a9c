"""Permanent access keys: /v3.0/OS-CREDENTIAL/credentials (CONTRACT 4.3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from openmaas.auth.principal import IamPrincipal
from openmaas.credentials import service
from openmaas.credentials.schemas import CredentialCreate
from openmaas.crypto import SecretBox
from openmaas.db.session import DbConnection
from openmaas.errors import json_response
from openmaas.names import NUL_FREE

router = APIRouter(prefix="/v3.0/OS-CREDENTIAL/credentials", tags=["IAM"])

AccessId = Annotated[str, Path(min_length=1, max_length=64)]


def _box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


@router.post("", status_code=201)
def create_credential(
    request: Request, caller: IamPrincipal, connection: DbConnection, body: CredentialCreate
) -> Response:
    """Create an access key; the secret is in this answer only."""
    return json_response(service.create_key(connection, _box(request), caller.domain_id, body), 201)


@router.get("")
def list_credentials(
    caller: IamPrincipal,
    connection: DbConnection,
    user_id: Annotated[str | None, Query(min_length=1, max_length=64), NUL_FREE] = None,
) -> Response:
    """List the access keys of a user (or of the caller's whole domain), without secrets."""
    return json_response(service.list_keys(connection, caller.domain_id, user_id))


@router.get("/{access}")
def show_credential(caller: IamPrincipal, connection: DbConnection, access: AccessId) -> Response:
    """Show one access key, without its secret."""
    return json_response(service.show_key(connection, caller.domain_id, access))


@router.delete("/{access}", status_code=204)
def delete_credential(caller: IamPrincipal, connection: DbConnection, access: AccessId) -> Response:
    """Delete an access key; requests it signs are refused from then on."""
    service.delete_key(connection, caller.domain_id, access)
    return Response(status_code=204)
