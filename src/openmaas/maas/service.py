"""MaaS reads across regions: the caller's domain's project in another region (CONTRACT 6.1-6.3)."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Connection

from openmaas.config import Settings
from openmaas.db.reads import PreparedRead, Rows
from openmaas.db.scope import Scope
from openmaas.iam import repository as iam_repository
from openmaas.maas.errors import InvalidRegion
from openmaas.names import DEFAULT_WORKSPACE_ID, WORKSPACE_ID
from openmaas.services import repository as services
from openmaas.services.service import listing_item, pages
from openmaas.workspaces import repository as workspaces
from openmaas.workspaces import service as workspace_rules
from openmaas.workspaces.errors import WorkspaceNotFound

EMPTY_LISTING: dict[str, Any] = {"data": [], "pages": 0, "total": 0}


class ProjectDirectory:
    """(domain, region) -> project id, remembered for KEEP_SECONDS: a project deleted or made again
    (by another process too) is seen within that bound, the same as a deleted token subject."""

    KEEP_SECONDS = 5.0

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        # (domain, region) -> (project id, monotonic time it was read)
        self._known: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def known_scope(self, domain_id: str, region_id: str) -> Scope | None:
        """The domain's project in ``region_id`` if it was read lately (no store read), else None."""
        if region_id not in self._settings.region_ids:
            raise InvalidRegion(region_id)
        known = self._known.get((domain_id, region_id))
        if known is None or time.monotonic() - known[1] >= self.KEEP_SECONDS:
            return None
        return Scope(project_id=known[0], region_id=region_id)

    def scope_in(self, connection: Connection, domain_id: str, region_id: str) -> Scope | None:
        """The domain's project in ``region_id`` as a Scope, None if the domain has none there."""
        known = self.known_scope(domain_id, region_id)
        if known is not None:
            return known
        row = iam_repository.domain_project(connection, domain_id, name=region_id)
        if row is None:
            return None
        with self._lock:
            self._known[(domain_id, region_id)] = (row.id, time.monotonic())
        return Scope(project_id=row.id, region_id=region_id)


def region_listing_read(region_scope: Scope, workspace_id: str, limit: int, offset: int) -> PreparedRead:
    """Obtaining Inference Service Information (6.3): one page of a region's workspace, and the
    workspace's maintained service count as `total` (no row counting)."""
    # "If no value is specified, the default workspace is queried": `?workspace_id=` specifies none.
    workspace_id = workspace_id or DEFAULT_WORKSPACE_ID
    if not WORKSPACE_ID.match(workspace_id):
        raise WorkspaceNotFound()
    scope = region_scope.in_workspace(workspace_id)
    return services.listing_page(scope, offset=offset, limit=limit)


def region_listing_body(rows: Rows, limit: int) -> dict[str, Any]:
    """The 6.3 body from ``region_listing_read``'s rows of (*LISTING_COLUMNS, total)."""
    total = rows[0][-1]
    if total is None:
        raise WorkspaceNotFound()
    data = [listing_item(row) for row in rows if row[0] is not None]
    return {"data": data, "pages": pages(int(total), limit), "total": int(total)}


def region_listing(
    connection: Connection,
    directory: ProjectDirectory,
    domain_id: str,
    region_id: str,
    workspace_id: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    region_scope = directory.scope_in(connection, domain_id, region_id)
    if region_scope is None:
        return EMPTY_LISTING
    read = region_listing_read(region_scope, workspace_id, limit, offset)
    return region_listing_body(read.rows(connection), limit)


def regions_body(settings: Settings) -> dict[str, Any]:
    return {
        "region_items": [
            {"region_id": region.id, "locales": {"en_us": region.en_us, "zh_cn": region.zh_cn}}
            for region in settings.regions
        ]
    }


# A 6.2 workspace item: these fields of the workspace object (5.1), in this order.
MAAS_WORKSPACE_KEYS = ("id", "name", "description", "owner", "create_time", "update_time", "auth_type")


def region_workspaces(
    connection: Connection, directory: ProjectDirectory, domain_id: str, region_id: str
) -> dict[str, Any]:
    """6.2: the domain's workspaces in ``region_id`` (none where it has no project), "0" first."""
    region_scope = directory.scope_in(connection, domain_id, region_id)
    rows = workspaces.all_in_project(connection, region_scope) if region_scope else []
    items = [maas_workspace(row) for row in rows]
    return workspace_rules.listing_body(items, len(items))


def maas_workspace(row: Any) -> dict[str, Any]:
    workspace = workspace_rules.to_wire(row)
    return {key: workspace[key] for key in MAAS_WORKSPACE_KEYS}
