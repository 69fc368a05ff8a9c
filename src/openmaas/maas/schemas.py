"""MaaS listings (CONTRACT 6.1-6.3): the §6.3 query, and the answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from openmaas.names import MAX_LIMIT, MAX_OFFSET
from openmaas.wire import Answer


class RegionListingQuery(BaseModel):
    """§6.3's query; the route and the fast lane read it with this one model (D-10)."""

    model_config = ConfigDict(extra="ignore")

    # No length bound: any value that names no workspace is 0104, as 6.3 says, however long.
    workspace_id: str = ""
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class Locales(Answer):
    en_us: str
    zh_cn: str


class RegionItem(Answer):
    region_id: str
    locales: Locales


class RegionList(Answer):
    region_items: list[RegionItem]


class MaasWorkspace(Answer):
    """A §6.2 item: these fields of the workspace object (5.1), in this order."""

    id: str
    name: str
    description: str
    owner: str
    create_time: int
    update_time: int
    auth_type: str


class MaasWorkspaceList(Answer):
    total_count: int
    count: int
    workspaces: list[MaasWorkspace]
