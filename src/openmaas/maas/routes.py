"""MaaS: regions, workspaces and the founding API, Obtaining Inference Service Information (6.1-6.3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from openmaas.auth.principal import MaasPrincipal, MaasScope
from openmaas.db.session import DbConnection, read_in_thread
from openmaas.errors import check_page, json_response
from openmaas.maas import service
from openmaas.maas.service import ProjectDirectory
from openmaas.names import MAX_LIMIT, MAX_OFFSET

router = APIRouter(prefix="/v1/{project_id}/maas/services", tags=["MaaS"])


def _directory(request: Request) -> ProjectDirectory:
    directory: ProjectDirectory = request.app.state.projects
    return directory


@router.get("/custom-endpoint/regions")
async def list_regions(request: Request, _scope: MaasScope) -> Response:
    """The regions a custom endpoint may front a ModelArts service in."""
    return json_response(service.regions_body(request.app.state.settings))


@router.get("/workspace/{region_id}")
def list_region_workspaces(
    request: Request, _scope: MaasScope, principal: MaasPrincipal, connection: DbConnection, region_id: str
) -> Response:
    """The workspaces of the caller's project in ``region_id``, workspace "0" first."""
    return json_response(
        service.region_workspaces(connection, _directory(request), principal.domain_id, region_id)
    )


@router.get("/custom-endpoint/services/{region_id}")
async def list_region_services(
    request: Request,
    _scope: MaasScope,
    principal: MaasPrincipal,
    region_id: str,
    # No length bound: any value that names no workspace is 0104, as 6.3 says, however long.
    workspace_id: str = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """Obtaining Inference Service Information: the services of one region and workspace."""
    check_page(offset, limit)
    listing = await read_in_thread(
        request,
        service.region_listing,
        _directory(request),
        principal.domain_id,
        region_id,
        workspace_id,
        limit,
        offset,
    )
    return json_response(listing)
