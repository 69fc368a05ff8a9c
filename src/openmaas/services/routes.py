"""ModelArts v2 inference services: /v2/{project_id}/services (CONTRACT 5.2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from openmaas.errors import check_page
from openmaas.http.caller import Caller
from openmaas.http.responses import json_response
from openmaas.http.scopes import ProjectScope
from openmaas.http.state import DbConnection, State
from openmaas.names import MAX_LIMIT, MAX_OFFSET
from openmaas.services import listing, service
from openmaas.services.schemas import (
    BatchDelete,
    DeletedServices,
    DeploymentDetail,
    DeploymentList,
    ListQuery,
    ServiceCreate,
    ServiceList,
    ServiceObject,
    ServiceUpdate,
    VersionList,
)

PREFIX = "/v2/{project_id}/services"
router = APIRouter(prefix=PREFIX, tags=["Services"])


@router.post("", response_model=ServiceObject)
def create_service(
    scope: ProjectScope, caller: Caller, connection: DbConnection, state: State, body: ServiceCreate
) -> Response:
    """Create a service; it starts DEPLOYING."""
    service_id = service.create(connection, scope, caller.user_name, body, state.runtime)
    return json_response(service.show(connection, scope, service_id, state.runtime))


@router.get("", response_model=ServiceList)
async def list_services(scope: ProjectScope, state: State, query: Annotated[ListQuery, Query()]) -> Response:
    """List services with filters, sorting and paging."""
    check_page(query.offset, query.limit)
    return json_response(await state.store.run(listing.list_page, scope, query))


@router.post("/delete", response_model=DeletedServices)
def delete_services(
    scope: ProjectScope, connection: DbConnection, state: State, body: BatchDelete
) -> Response:
    """Delete services; each answers DELETING and disappears when the worker is done."""
    ids = service.delete_many(connection, scope, body.service_ids, state.runtime)
    objects = [service.show(connection, scope, service_id, state.runtime) for service_id in ids]
    return json_response({"service_responses": objects})


@router.get("/{service_id}", response_model=ServiceObject)
def show_service(scope: ProjectScope, connection: DbConnection, state: State, service_id: str) -> Response:
    """Show one service."""
    return json_response(service.show(connection, scope, service_id, state.runtime))


@router.put("/{service_id}", response_model=ServiceObject)
def update_service(
    scope: ProjectScope, connection: DbConnection, state: State, service_id: str, body: ServiceUpdate
) -> Response:
    """Update a service; anything but the description makes a new version and upgrades it."""
    service.update(connection, scope, service_id, body, state.runtime)
    return json_response(service.show(connection, scope, service_id, state.runtime))


@router.post("/{service_id}/start", response_model=ServiceObject)
def start_service(scope: ProjectScope, connection: DbConnection, state: State, service_id: str) -> Response:
    """Start a stopped or failed service."""
    service.act(connection, scope, service_id, "start", state.runtime)
    return json_response(service.show(connection, scope, service_id, state.runtime))


@router.post("/{service_id}/stop", response_model=ServiceObject)
def stop_service(scope: ProjectScope, connection: DbConnection, state: State, service_id: str) -> Response:
    """Stop a service."""
    service.act(connection, scope, service_id, "stop", state.runtime)
    return json_response(service.show(connection, scope, service_id, state.runtime))


@router.get("/{service_id}/deployments", response_model=DeploymentList)
def list_deployments(scope: ProjectScope, connection: DbConnection, service_id: str) -> Response:
    """A service's deployments (openmaas runs one per service)."""
    return json_response(service.deployments_body(connection, scope, service_id))


@router.get("/{service_id}/deployments/{deployment_id}", response_model=DeploymentDetail)
def show_deployment(
    scope: ProjectScope, connection: DbConnection, service_id: str, deployment_id: str
) -> Response:
    """One deployment of a service."""
    return json_response(service.deployment_body(connection, scope, service_id, deployment_id))


@router.get("/{service_id}/deployments/{deployment_id}/versions", response_model=VersionList)
def list_versions(
    scope: ProjectScope,
    connection: DbConnection,
    service_id: str,
    deployment_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """The versions of a deployment, newest first."""
    check_page(offset, limit)
    return json_response(service.versions_body(connection, scope, service_id, deployment_id, limit, offset))


@router.get("/{service_id}/deployments/{deployment_id}/versions/{version}", response_model=DeploymentDetail)
def show_version(
    scope: ProjectScope, connection: DbConnection, service_id: str, deployment_id: str, version: str
) -> Response:
    """One version of a deployment."""
    return json_response(service.version_body(connection, scope, service_id, deployment_id, version))
