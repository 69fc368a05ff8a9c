"""SQL for workspaces; every statement goes through ``scoped``."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Connection, Row, ScalarSelect, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from openmaas.db.scope import Scope, scoped
from openmaas.workspaces.errors import WorkspaceNameTaken
from openmaas.workspaces.schemas import WorkspaceQuery
from openmaas.workspaces.tables import workspaces as table

SORT_COLUMNS = {"name": table.c.name, "update_time": table.c.update_time, "status": table.c.id}


# Row locks (PostgreSQL; SQLite serializes writers anyway and renders none). A service create holds
# "key_share" so the workspace cannot vanish under it; a workspace delete takes "update" so that its
# emptiness check and the delete see the same row. The two kinds conflict; creates do not.
Lock = Literal["key_share", "update"]


def get(connection: Connection, scope: Scope, workspace_id: str, lock: Lock | None = None) -> Row[Any] | None:
    statement = scoped(select(table), table, scope).where(table.c.id == workspace_id)
    if lock is not None:
        statement = statement.with_for_update(read=lock == "key_share", key_share=lock == "key_share")
    return connection.execute(statement).first()


def page(connection: Connection, scope: Scope, query: WorkspaceQuery) -> tuple[int, list[Row[Any]]]:
    statement = scoped(select(table), table, scope)
    count = scoped(select(func.count()).select_from(table), table, scope)
    if query.name:
        # Case-insensitive on both stores (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
        matches = table.c.name.icontains(query.name, autoescape=True)
        statement, count = statement.where(matches), count.where(matches)
    column = SORT_COLUMNS[query.sort_by]
    ordering = column.desc() if query.order == "desc" else column.asc()
    page = statement.order_by(ordering, table.c.id).offset(query.offset).limit(query.limit)
    rows = connection.execute(page).all()
    return int(connection.execute(count).scalar_one()), list(rows)


def all_in_project(connection: Connection, scope: Scope) -> list[Row[Any]]:
    """Workspace "0" first, then by creation (CONTRACT 6.2)."""
    statement = scoped(select(table), table, scope).order_by(
        (table.c.id != "0"), table.c.create_time, table.c.id
    )
    return list(connection.execute(statement).all())


def insert_workspace(connection: Connection, scope: Scope, values: dict[str, Any]) -> None:
    try:
        with connection.begin_nested():
            connection.execute(insert(table).values(project_id=scope.project_id, service_count=0, **values))
    except IntegrityError:
        raise WorkspaceNameTaken(values["name"]) from None


def update_workspace(connection: Connection, scope: Scope, workspace_id: str, values: dict[str, Any]) -> None:
    statement = scoped(update(table), table, scope).where(table.c.id == workspace_id).values(**values)
    try:
        with connection.begin_nested():
            connection.execute(statement)
    except IntegrityError:
        raise WorkspaceNameTaken(values.get("name", "")) from None


def delete_workspace(connection: Connection, scope: Scope, workspace_id: str) -> None:
    connection.execute(scoped(delete(table), table, scope).where(table.c.id == workspace_id))


def change_service_count(connection: Connection, scope: Scope, workspace_id: str, delta: int) -> None:
    statement = scoped(update(table), table, scope).where(table.c.id == workspace_id)
    connection.execute(statement.values(service_count=table.c.service_count + delta))


def service_count_subquery(scope: Scope) -> ScalarSelect[Any]:
    # A sum even for one workspace: NULL when no row is in scope, which says "no such workspace".
    return scoped(select(func.sum(table.c.service_count)), table, scope).scalar_subquery()


def forget_project(connection: Connection, scope: Scope) -> None:
    connection.execute(scoped(delete(table), table, scope))
