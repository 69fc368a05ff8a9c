"""MaaS reads across regions (CONTRACT 6.1-6.3): the caller's domain's project in another region,
found through IAM's directory, and its workspaces and services asked of their own packages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from openmaas.config import Settings
from openmaas.db.reads import PreparedRead
from openmaas.db.scope import Scope
from openmaas.iam.directory import ProjectDirectory
from openmaas.maas.schemas import MaasWorkspace, RegionListingQuery
from openmaas.names import DEFAULT_WORKSPACE_ID, WORKSPACE_ID
from openmaas.services import listing
from openmaas.wire import fields_of
from openmaas.workspaces import service as workspaces
from openmaas.workspaces.errors import WorkspaceNotFound

EMPTY_LISTING: dict[str, Any] = {"data": [], "pages": 0, "total": 0}
MAAS_WORKSPACE_FIELDS = fields_of(MaasWorkspace)


def region_listing_read(region_scope: Scope, query: RegionListingQuery) -> PreparedRead:
    """Obtaining Inference Service Information (6.3): one page of a region's workspace."""
    # "If no value is specified, the default workspace is queried": `?workspace_id=` specifies none.
    workspace_id = query.workspace_id or DEFAULT_WORKSPACE_ID
    if not WORKSPACE_ID.match(workspace_id):
        raise WorkspaceNotFound()
    return listing.workspace_listing_read(region_scope.in_workspace(workspace_id), query.limit, query.offset)


def region_listing(
    connection: Connection,
    directory: ProjectDirectory,
    domain_id: str,
    region_id: str,
    query: RegionListingQuery,
) -> dict[str, Any]:
    region_scope = directory.scope_in(connection, domain_id, region_id)
    if region_scope is None:
        return EMPTY_LISTING
    read = region_listing_read(region_scope, query)
    return listing.workspace_listing_body(read.rows(connection), query.limit)


def regions_body(settings: Settings) -> dict[str, Any]:
    return {
        "region_items": [
            {"region_id": region.id, "locales": {"en_us": region.en_us, "zh_cn": region.zh_cn}}
            for region in settings.regions
        ]
    }


def region_workspaces(
    connection: Connection, directory: ProjectDirectory, domain_id: str, region_id: str
) -> dict[str, Any]:
    """6.2: the domain's workspaces in ``region_id`` (none where it has no project), "0" first."""
    region_scope = directory.scope_in(connection, domain_id, region_id)
    items = [
        {key: workspace[key] for key in MAAS_WORKSPACE_FIELDS}
        for workspace in workspaces.region_items(connection, region_scope)
    ]
    return workspaces.listing_body(items, len(items))
