"""MaaS API keys: /v2/{project_id}/maas/api-auth/api-keys, and its delete under /v1 too (data-plane
facts §3). Home region only (D-3), for the credential's own project (D-4), token or AK/SK."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from openmaas.api_keys import service
from openmaas.api_keys.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyDeleted,
    ApiKeyInfo,
    ApiKeyList,
    ApiKeyUpdate,
)
from openmaas.http.caller import Caller
from openmaas.http.responses import json_response
from openmaas.http.scopes import MaasScope
from openmaas.http.state import DbConnection, State
from openmaas.names import MAX_LIMIT, MAX_OFFSET

router = APIRouter(tags=["MaaS"])

KEYS = "/v2/{project_id}/maas/api-auth/api-keys"
# The reference documents the delete under /v1 and the rest under /v2: both versions delete (D-20).
V1_KEY = "/v1/{project_id}/maas/api-auth/api-keys/{key_id}"
DEFAULT_PAGE = 100


@router.post(KEYS, response_model=ApiKeyCreated)
def create_api_key(
    scope: MaasScope, caller: Caller, connection: DbConnection, state: State, body: ApiKeyCreate
) -> Response:
    """Create an API key; the key is in this answer only."""
    return json_response(service.create(connection, scope, caller.domain_id, body, state.api_keys))


@router.get(KEYS, response_model=ApiKeyList)
def list_api_keys(
    _scope: MaasScope,
    caller: Caller,
    connection: DbConnection,
    state: State,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_PAGE,
) -> Response:
    """The account's API keys, newest first, masked."""
    return json_response(service.listing(connection, caller.domain_id, offset, limit, state.api_keys))


@router.put(f"{KEYS}/{{key_id}}", response_model=ApiKeyInfo)
def update_api_key(
    _scope: MaasScope, caller: Caller, connection: DbConnection, key_id: str, body: ApiKeyUpdate
) -> Response:
    """Change an API key's description and allowlists; its label never changes."""
    return json_response(service.update(connection, caller.domain_id, key_id, body))


@router.delete(V1_KEY, response_model=ApiKeyDeleted)
@router.delete(f"{KEYS}/{{key_id}}", response_model=ApiKeyDeleted)
def delete_api_key(_scope: MaasScope, caller: Caller, connection: DbConnection, key_id: str) -> Response:
    """Delete an API key: calls with it are refused at once."""
    return json_response(service.delete(connection, caller.domain_id, key_id))
