"""Workspaces: /v1/{project_id}/workspaces (CONTRACT 5.1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from openmaas.http.caller import Caller
from openmaas.http.responses import json_response
from openmaas.http.scopes import ProjectScope
from openmaas.http.state import DbConnection
from openmaas.workspaces import service
from openmaas.workspaces.schemas import (
    WorkspaceCreate,
    WorkspaceList,
    WorkspaceObject,
    WorkspaceQuery,
    WorkspaceRef,
    WorkspaceUpdate,
)

router = APIRouter(prefix="/v1/{project_id}/workspaces", tags=["Workspaces"])


@router.get("", response_model=WorkspaceList)
def list_workspaces(
    scope: ProjectScope, connection: DbConnection, query: Annotated[WorkspaceQuery, Query()]
) -> Response:
    """List the project's workspaces."""
    return json_response(service.page_body(connection, scope, query))


@router.post("", response_model=WorkspaceObject)
def create_workspace(
    scope: ProjectScope, caller: Caller, connection: DbConnection, body: WorkspaceCreate
) -> Response:
    """Create a workspace."""
    return json_response(service.to_wire(service.create(connection, scope, caller.user_name, body)))


@router.get("/{workspace_id}", response_model=WorkspaceObject)
def show_workspace(scope: ProjectScope, connection: DbConnection, workspace_id: str) -> Response:
    """Show one workspace."""
    return json_response(service.to_wire(service.require(connection, scope, workspace_id)))


@router.put("/{workspace_id}", response_model=WorkspaceRef)
def update_workspace(
    scope: ProjectScope, connection: DbConnection, workspace_id: str, body: WorkspaceUpdate
) -> Response:
    """Rename a workspace or change its description or auth_type."""
    service.update(connection, scope, workspace_id, body)
    return json_response({"workspace_id": workspace_id})


@router.delete("/{workspace_id}", response_model=WorkspaceRef)
def delete_workspace(scope: ProjectScope, connection: DbConnection, workspace_id: str) -> Response:
    """Delete an empty workspace."""
    service.delete(connection, scope, workspace_id)
    return json_response({"workspace_id": workspace_id})
