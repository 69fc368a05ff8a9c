"""Workspace rules (CONTRACT 5.1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from openmaas.clock import hex_id, now_ms
from openmaas.db.scope import Scope
from openmaas.names import DEFAULT_WORKSPACE_ID, WORKSPACE_ID
from openmaas.workspaces import repository
from openmaas.workspaces.errors import DefaultWorkspaceProtected, WorkspaceNotEmpty, WorkspaceNotFound
from openmaas.workspaces.repository import Lock
from openmaas.workspaces.schemas import WorkspaceCreate, WorkspaceQuery, WorkspaceUpdate


def require(connection: Connection, scope: Scope, workspace_id: str, lock: Lock | None = None) -> Row[Any]:
    # An id of the wrong shape cannot exist; not asking the store keeps odd bytes away from it.
    found = WORKSPACE_ID.match(workspace_id)
    row = repository.get(connection, scope, workspace_id, lock) if found else None
    if row is None:
        raise WorkspaceNotFound()
    return row


def create(connection: Connection, scope: Scope, owner: str, body: WorkspaceCreate) -> Row[Any]:
    workspace_id = hex_id()
    now = now_ms()
    values = {
        "id": workspace_id,
        "name": body.name,
        "description": body.description,
        "owner": owner,
        "auth_type": body.auth_type,
        "create_time": now,
        "update_time": now,
    }
    repository.insert_workspace(connection, scope, values)
    return require(connection, scope, workspace_id)


def create_default(connection: Connection, scope: Scope, owner: str) -> None:
    """Workspace "0" (name ``default``), which every project has from its creation (CONTRACT 2)."""
    now = now_ms()
    values = {
        "id": DEFAULT_WORKSPACE_ID,
        "name": "default",
        "description": "",
        "owner": owner,
        "auth_type": "PUBLIC",
        "create_time": now,
        "update_time": now,
    }
    repository.insert_workspace(connection, scope, values)


def update(connection: Connection, scope: Scope, workspace_id: str, body: WorkspaceUpdate) -> None:
    require(connection, scope, workspace_id)
    changes = body.model_dump(exclude_none=True)
    if workspace_id == DEFAULT_WORKSPACE_ID and "name" in changes:
        raise DefaultWorkspaceProtected("renamed")
    repository.update_workspace(connection, scope, workspace_id, {**changes, "update_time": now_ms()})


def delete(connection: Connection, scope: Scope, workspace_id: str) -> None:
    row = require(connection, scope, workspace_id, lock="update")
    if workspace_id == DEFAULT_WORKSPACE_ID:
        raise DefaultWorkspaceProtected("deleted")
    if row.service_count > 0:
        raise WorkspaceNotEmpty(workspace_id)
    repository.delete_workspace(connection, scope, workspace_id)


def page_body(connection: Connection, scope: Scope, query: WorkspaceQuery) -> dict[str, Any]:
    """One page of the project's workspaces (5.1), with the total that matches the name filter."""
    total, rows = repository.page(connection, scope, query)
    return listing_body([to_wire(row) for row in rows], total)


def listing_body(items: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """The workspace listing shape 5.1 and 6.2 share."""
    return {"total_count": total, "count": len(items), "workspaces": items}


def to_wire(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "owner": row.owner,
        "auth_type": row.auth_type,
        "enterprise_project_id": "0",
        "enterprise_project_name": "default",
        "create_time": row.create_time,
        "update_time": row.update_time,
        "status": "NORMAL",
        "status_info": "",
    }


def region_items(connection: Connection, region_scope: Scope | None) -> list[dict[str, Any]]:
    """A project's workspaces as wire objects, "0" first, then by creation (CONTRACT 6.2); none for
    a region where the caller has no project."""
    rows = repository.all_in_project(connection, region_scope) if region_scope else []
    return [to_wire(row) for row in rows]


# ---- the service count, which services keep here -------------------------------------------------


def count_services(connection: Connection, scope: Scope, workspace_id: str, delta: int) -> None:
    """Add ``delta`` to the workspace's count of services, in the caller's transaction: a service
    create and final delete change it in the same commit as the service row."""
    repository.change_service_count(connection, scope, workspace_id, delta)


def service_count_of(scope: Scope) -> Any:
    """The services in the scope's workspace (or, for a Scope without one, in all the project's
    workspaces) as a scalar subquery, for a listing to read its page and its total in one statement.
    NULL when there is no such workspace."""
    return repository.service_count_subquery(scope)


def forget_project(connection: Connection, scope: Scope) -> None:
    """Every workspace of the project, "0" included (its account's deletion, after its services)."""
    repository.forget_project(connection, scope)
