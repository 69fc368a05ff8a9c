"""Permanent access keys: /v3.0/OS-CREDENTIAL/credentials (CONTRACT 4.3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from openmaas.credentials import service
from openmaas.credentials.schemas import AccessKeyAnswer, AccessKeyList, CreatedAccessKey, CredentialCreate
from openmaas.http.caller import Caller
from openmaas.http.responses import json_response, no_content
from openmaas.http.state import DbConnection, State
from openmaas.names import NUL_FREE

router = APIRouter(prefix="/v3.0/OS-CREDENTIAL/credentials", tags=["IAM"])

AccessId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("", status_code=201, response_model=CreatedAccessKey)
def create_credential(
    caller: Caller, connection: DbConnection, state: State, body: CredentialCreate
) -> Response:
    """Create an access key; the secret is in this answer only."""
    return json_response(service.create_key(connection, state.secret_box, caller.actor, body), 201)


@router.get("", response_model=AccessKeyList)
def list_credentials(
    caller: Caller,
    connection: DbConnection,
    user_id: Annotated[str | None, Query(min_length=1, max_length=64), NUL_FREE] = None,
) -> Response:
    """List the access keys of a user (or of the caller's whole domain), without secrets."""
    return json_response(service.list_keys(connection, caller.actor, user_id))


@router.get("/{access}", response_model=AccessKeyAnswer)
def show_credential(caller: Caller, connection: DbConnection, access: AccessId) -> Response:
    """Show one access key, without its secret."""
    return json_response(service.show_key(connection, caller.actor, access))


@router.delete("/{access}", status_code=204)
def delete_credential(caller: Caller, connection: DbConnection, access: AccessId) -> Response:
    """Delete an access key; requests it signs are refused from then on."""
    service.delete_key(connection, caller.actor, access)
    return no_content()
