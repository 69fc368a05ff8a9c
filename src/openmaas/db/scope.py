"""The one place a tenant filter is applied: every repository query goes through ``scoped``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.sql import Delete, Select, Update

Statement = TypeVar("Statement", Select[Any], Update, Delete)


@dataclass(frozen=True, slots=True)
class Scope:
    """A project (and so a region), optionally narrowed to one workspace."""

    project_id: str
    region_id: str
    workspace_id: str | None = None

    def in_workspace(self, workspace_id: str) -> Scope:
        return Scope(self.project_id, self.region_id, workspace_id)


def scoped(statement: Statement, table: Table, scope: Scope) -> Statement:
    """Filter ``statement`` on ``table`` to ``scope``'s project and, when set, its workspace."""
    statement = statement.where(table.c.project_id == scope.project_id)
    workspace_column = table.info.get("workspace_column", "workspace_id")
    if scope.workspace_id is not None and workspace_column in table.c:
        statement = statement.where(table.c[workspace_column] == scope.workspace_id)
    return statement


def bound_scope(*, workspace: bool) -> Scope:
    """A Scope whose ids are the bind parameters ``project_id`` (and ``workspace_id``).

    A hot statement is built once through ``scoped`` with it; each call then only binds
    ``scope_values`` of the real scope, instead of building and caching a new statement.
    """
    return Scope(
        project_id=cast(str, bindparam("project_id")),
        region_id="",
        workspace_id=cast(str, bindparam("workspace_id")) if workspace else None,
    )


def scope_values(scope: Scope) -> dict[str, str]:
    """The values a statement built with ``bound_scope`` takes for ``scope``."""
    values = {"project_id": scope.project_id}
    if scope.workspace_id is not None:
        values["workspace_id"] = scope.workspace_id
    return values
