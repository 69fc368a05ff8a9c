"""Workspace wire errors (CONTRACT 5.1)."""

from __future__ import annotations

from openmaas.errors import ApiError


class WorkspaceNotFound(ApiError):
    error_code = "ModelArts.0104"

    def __init__(self) -> None:
        super().__init__("Invalid workspace ID.")


class WorkspaceNameTaken(ApiError):
    error_code = "ModelArts.0103"

    def __init__(self, name: str) -> None:
        super().__init__(f"Workspace name {name} already exists.")


class WorkspaceNotEmpty(ApiError):
    error_code = "ModelArts.0105"

    def __init__(self, workspace_id: str) -> None:
        super().__init__(f"Workspace {workspace_id} still holds services; delete them first.")


class DefaultWorkspaceProtected(ApiError):
    error_code = "ModelArts.0105"

    def __init__(self, action: str) -> None:
        super().__init__(f"The default workspace cannot be {action}.")
