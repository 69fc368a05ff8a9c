"""ModelArts v2 inference services: /v2/{project_id}/services (CONTRACT 5.2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from openmaas.auth.principal import ModelArtsPrincipal, ProjectScope
from openmaas.db.session import DbConnection, read_in_thread
from openmaas.errors import check_page, json_response
from openmaas.names import MAX_LIMIT, MAX_OFFSET
from openmaas.services import service
from openmaas.services.schemas import BatchDelete, ListQuery, ServiceCreate, ServiceUpdate
from openmaas.services.service import Runtime

router = APIRouter(prefix="/v2/{project_id}/services", tags=["Services"])


async def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


@router.post("")
def create_service(
    scope: ProjectScope,
    principal: ModelArtsPrincipal,
    connection: DbConnection,
    runtime: RuntimeDep,
    body: ServiceCreate,
) -> Response:
    """Create a service; it starts DEPLOYING."""
    service_id = service.create(connection, scope, principal.user_name, body, runtime)
    return json_response(
        service.service_object(connection, service.require(connection, scope, service_id), runtime)
    )


@router.get("")
async def list_services(
    request: Request, scope: ProjectScope, query: Annotated[ListQuery, Query()]
) -> Response:
    """List services with filters, sorting and paging."""
    check_page(query.offset, query.limit)
    return json_response(await read_in_thread(request, service.list_page, scope, query))


@router.post("/delete")
def delete_services(
    scope: ProjectScope, connection: DbConnection, runtime: RuntimeDep, body: BatchDelete
) -> Response:
    """Delete services; each answers DELETING and disappears when the worker is done."""
    ids = service.delete_many(connection, scope, body.service_ids, runtime)
    objects = [
        service.service_object(connection, service.require(connection, scope, i), runtime) for i in ids
    ]
    return json_response({"service_responses": objects})


@router.get("/{service_id}")
def show_service(
    scope: ProjectScope, connection: DbConnection, runtime: RuntimeDep, service_id: str
) -> Response:
    """Show one service."""
    return json_response(
        service.service_object(connection, service.require(connection, scope, service_id), runtime)
    )


@router.put("/{service_id}")
def update_service(
    scope: ProjectScope, connection: DbConnection, runtime: RuntimeDep, service_id: str, body: ServiceUpdate
) -> Response:
    """Update a service; anything but the description makes a new version and upgrades it."""
    service.update(connection, scope, service_id, body, runtime)
    return json_response(
        service.service_object(connection, service.require(connection, scope, service_id), runtime)
    )


@router.post("/{service_id}/start")
def start_service(
    scope: ProjectScope, connection: DbConnection, runtime: RuntimeDep, service_id: str
) -> Response:
    """Start a stopped or failed service."""
    service.act(connection, scope, service_id, "start", runtime)
    return json_response(
        service.service_object(connection, service.require(connection, scope, service_id), runtime)
    )


@router.post("/{service_id}/stop")
def stop_service(
    scope: ProjectScope, connection: DbConnection, runtime: RuntimeDep, service_id: str
) -> Response:
    """Stop a service."""
    service.act(connection, scope, service_id, "stop", runtime)
    return json_response(
        service.service_object(connection, service.require(connection, scope, service_id), runtime)
    )


@router.get("/{service_id}/deployments")
def list_deployments(scope: ProjectScope, connection: DbConnection, service_id: str) -> Response:
    """A service's deployments (openmaas runs one per service)."""
    return json_response(service.deployments_body(connection, scope, service_id))


@router.get("/{service_id}/deployments/{deployment_id}")
def show_deployment(
    scope: ProjectScope, connection: DbConnection, service_id: str, deployment_id: str
) -> Response:
    """One deployment of a service."""
    return json_response(service.deployment_body(connection, scope, service_id, deployment_id))


@router.get("/{service_id}/deployments/{deployment_id}/versions")
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


@router.get("/{service_id}/deployments/{deployment_id}/versions/{version}")
def show_version(
    scope: ProjectScope, connection: DbConnection, service_id: str, deployment_id: str, version: str
) -> Response:
    """One version of a deployment."""
    return json_response(service.version_body(connection, scope, service_id, deployment_id, version))
