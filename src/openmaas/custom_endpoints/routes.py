"""Custom endpoints: /v1/{project_id}/maas/services/custom-endpoint/... (CONTRACT 6.4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from openmaas.auth.principal import MaasPrincipal, MaasScope
from openmaas.custom_endpoints import service
from openmaas.custom_endpoints.errors import EndpointIdMissing
from openmaas.custom_endpoints.schemas import EndpointControl, EndpointCreate, EndpointUpdate
from openmaas.custom_endpoints.service import EndpointRules
from openmaas.db.scope import Scope
from openmaas.db.session import DbConnection
from openmaas.errors import json_response

router = APIRouter(prefix="/v1/{project_id}/maas/services/custom-endpoint", tags=["MaaS"])


def _rules(request: Request) -> EndpointRules:
    rules: EndpointRules = request.app.state.endpoint_rules
    return rules


RulesDep = Annotated[EndpointRules, Depends(_rules)]
NO_CONTENT = 204


def _info(connection: DbConnection, scope: Scope, endpoint_id: str) -> Response:
    return json_response(service.endpoint_info(service.require(connection, scope, endpoint_id)))


@router.post("/endpoint")
def create_endpoint(
    scope: MaasScope,
    principal: MaasPrincipal,
    connection: DbConnection,
    rules: RulesDep,
    body: EndpointCreate,
) -> Response:
    """Create a custom endpoint on a preset model or a ModelArts real-time service."""
    endpoint_id = service.create(connection, scope, principal.domain_id, body, rules)
    return _info(connection, scope, endpoint_id)


@router.get("/endpoint")
def list_endpoints(scope: MaasScope, connection: DbConnection, rules: RulesDep) -> Response:
    """The domain's custom endpoints, newest first, with the quota."""
    return json_response(service.listing(connection, scope, rules.quota))


@router.put("/endpoint/{custom_endpoint_id}")
def edit_endpoint(
    scope: MaasScope,
    principal: MaasPrincipal,
    connection: DbConnection,
    rules: RulesDep,
    custom_endpoint_id: str,
    body: EndpointUpdate,
) -> Response:
    """Edit name, remark, throttles and moderation; the linked service never changes."""
    service.update(connection, scope, principal.domain_id, custom_endpoint_id, body, rules)
    return _info(connection, scope, custom_endpoint_id)


@router.delete("/endpoint/{custom_endpoint_id}")
def delete_endpoint(scope: MaasScope, connection: DbConnection, custom_endpoint_id: str) -> Response:
    """Delete an endpoint; its name stays taken."""
    service.delete(connection, scope, custom_endpoint_id)
    return Response(status_code=NO_CONTENT)


@router.put("/control/{custom_endpoint_id}")
def control_endpoint(
    scope: MaasScope, connection: DbConnection, custom_endpoint_id: str, body: EndpointControl
) -> Response:
    """Activate or deactivate an endpoint."""
    service.control(connection, scope, custom_endpoint_id, body.action)
    return Response(status_code=NO_CONTENT)


# An empty id in the path (``.../endpoint/``) has its own documented answer, ModelArts.6299.
@router.put("/endpoint/", include_in_schema=False)
@router.delete("/endpoint/", include_in_schema=False)
@router.put("/control/", include_in_schema=False)
def missing_endpoint_id(_scope: MaasScope) -> Response:
    raise EndpointIdMissing()
