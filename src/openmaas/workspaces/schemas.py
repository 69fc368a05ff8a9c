"""Workspace request bodies (CONTRACT 5.1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openmaas.names import MAX_OFFSET, RESOURCE_NAME, OptionalText, Text
from openmaas.wire import Answer

AuthType = Literal["PUBLIC", "PRIVATE", "INTERNAL"]
SortBy = Literal["name", "update_time", "status"]
Order = Literal["asc", "desc"]


def _check_name(value: str) -> str:
    if not RESOURCE_NAME.match(value):
        raise ValueError("may contain only letters, Chinese characters, digits, hyphens and underscores")
    if value == "default":
        raise ValueError("is reserved")
    return value


class WorkspaceCreate(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    name: str = Field(min_length=4, max_length=64)
    description: Text = Field(default="", max_length=256)
    auth_type: AuthType = "PUBLIC"

    _name = field_validator("name")(_check_name)


class WorkspaceUpdate(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    name: str | None = Field(default=None, min_length=4, max_length=64)
    description: OptionalText = Field(default=None, max_length=256)
    auth_type: AuthType | None = None

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str | None) -> str | None:
        return None if value is None else _check_name(value)


class WorkspaceQuery(BaseModel):
    """The workspace list's query (5.1): a name filter, an order and a page."""

    model_config = ConfigDict(extra="ignore")

    name: OptionalText = Field(default=None, max_length=64)
    sort_by: SortBy = "update_time"
    order: Order = "desc"
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    limit: int = Field(default=1000, ge=1, le=1000)


# ---- answers -------------------------------------------------------------------------------------


class WorkspaceObject(Answer):
    id: str
    name: str
    description: str
    owner: str
    auth_type: str
    enterprise_project_id: str
    enterprise_project_name: str
    create_time: int
    update_time: int
    status: str
    status_info: str


class WorkspaceList(Answer):
    total_count: int
    count: int
    workspaces: list[WorkspaceObject]


class WorkspaceRef(Answer):
    """What an update or delete answers."""

    workspace_id: str
