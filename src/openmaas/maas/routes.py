"""MaaS: regions, workspaces and the founding API, Obtaining Inference Service Information (6.1-6.3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from openmaas.errors import check_page
from openmaas.http.caller import Caller
from openmaas.http.responses import json_response
from openmaas.http.scopes import MaasScope
from openmaas.http.state import DbConnection, State
from openmaas.maas import service
from openmaas.maas.schemas import MaasWorkspaceList, RegionList, RegionListingQuery
from openmaas.services.schemas import InferServerList

PREFIX = "/v1/{project_id}/maas/services"
# §6.3's path, which the fast lane matches too.
REGION_SERVICES = "/custom-endpoint/services/{region_id}"
router = APIRouter(prefix=PREFIX, tags=["MaaS"])


@router.get("/custom-endpoint/regions", response_model=RegionList)
async def list_regions(_scope: MaasScope, state: State) -> Response:
    """The regions a custom endpoint may front a ModelArts service in."""
    return json_response(service.regions_body(state.settings))


@router.get("/workspace/{region_id}", response_model=MaasWorkspaceList)
def list_region_workspaces(
    _scope: MaasScope, caller: Caller, connection: DbConnection, state: State, region_id: str
) -> Response:
    """The workspaces of the caller's project in ``region_id``, workspace "0" first."""
    return json_response(service.region_workspaces(connection, state.directory, caller.domain_id, region_id))


@router.get(REGION_SERVICES, response_model=InferServerList)
async def list_region_services(
    _scope: MaasScope,
    caller: Caller,
    state: State,
    region_id: str,
    query: Annotated[RegionListingQuery, Query()],
) -> Response:
    """Obtaining Inference Service Information: the services of one region and workspace."""
    check_page(query.offset, query.limit)
    listing = await state.store.run(
        service.region_listing, state.directory, caller.domain_id, region_id, query
    )
    return json_response(listing)
