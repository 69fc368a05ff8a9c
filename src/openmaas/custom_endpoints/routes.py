"""Custom endpoints: /v1/{project_id}/maas/services/custom-endpoint/... (CONTRACT 6.4)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from openmaas.custom_endpoints import service
from openmaas.custom_endpoints.errors import EndpointIdMissing
from openmaas.custom_endpoints.schemas import (
    CustomEndpointInfo,
    CustomEndpointList,
    EndpointControl,
    EndpointCreate,
    EndpointUpdate,
)
from openmaas.http.caller import Caller
from openmaas.http.responses import json_response, no_content
from openmaas.http.scopes import MaasScope
from openmaas.http.state import DbConnection, State

router = APIRouter(prefix="/v1/{project_id}/maas/services/custom-endpoint", tags=["MaaS"])


@router.post("/endpoint", response_model=CustomEndpointInfo)
def create_endpoint(
    scope: MaasScope, caller: Caller, connection: DbConnection, state: State, body: EndpointCreate
) -> Response:
    """Create a custom endpoint on a preset model or a ModelArts real-time service."""
    rules = state.endpoint_rules
    endpoint_id = service.create(connection, scope, caller.domain_id, body, rules)
    return json_response(service.show(connection, scope, endpoint_id, rules))


@router.get("/endpoint", response_model=CustomEndpointList)
def list_endpoints(scope: MaasScope, connection: DbConnection, state: State) -> Response:
    """The domain's custom endpoints, newest first, with the quota."""
    return json_response(service.listing(connection, scope, state.endpoint_rules))


@router.put("/endpoint/{custom_endpoint_id}", response_model=CustomEndpointInfo)
def edit_endpoint(
    scope: MaasScope,
    caller: Caller,
    connection: DbConnection,
    state: State,
    custom_endpoint_id: str,
    body: EndpointUpdate,
) -> Response:
    """Edit name, remark, throttles and moderation; the linked service never changes."""
    rules = state.endpoint_rules
    service.update(connection, scope, caller.domain_id, custom_endpoint_id, body, rules)
    return json_response(service.show(connection, scope, custom_endpoint_id, rules))


@router.delete("/endpoint/{custom_endpoint_id}", status_code=204)
def delete_endpoint(scope: MaasScope, connection: DbConnection, custom_endpoint_id: str) -> Response:
    """Delete an endpoint; its name stays taken."""
    service.delete(connection, scope, custom_endpoint_id)
    return no_content()


@router.put("/control/{custom_endpoint_id}", status_code=204)
def control_endpoint(
    scope: MaasScope, connection: DbConnection, custom_endpoint_id: str, body: EndpointControl
) -> Response:
    """Activate or deactivate an endpoint."""
    service.control(connection, scope, custom_endpoint_id, body.action)
    return no_content()


# An empty id in the path (``.../endpoint/``) has its own documented answer, ModelArts.6299.
@router.put("/endpoint/", include_in_schema=False)
@router.delete("/endpoint/", include_in_schema=False)
@router.put("/control/", include_in_schema=False)
def missing_endpoint_id(_scope: MaasScope) -> Response:
    raise EndpointIdMissing()
