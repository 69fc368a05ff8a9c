"""SQL for services, their versions and tags. Tenant queries go through ``scoped``; the worker's
scan for due transitions is the one query that spans projects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    bindparam,
    delete,
    func,
    insert,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from openmaas.db.reads import PreparedRead
from openmaas.db.scope import Scope, bound_scope, scope_values, scoped
from openmaas.services.errors import ServiceNameTaken
from openmaas.services.tables import lifecycle_rules, service_tags, service_versions, services
from openmaas.services.wire import ITEM_FIELDS, LISTING_FIELDS
from openmaas.workspaces import service as workspaces

t = services

# Exactly what a list item needs, in its answer model's field order (services.wire builds by zip).
LISTING_COLUMNS = tuple(t.c[name] for name in LISTING_FIELDS)
ITEM_COLUMNS = tuple(t.c[name] for name in ITEM_FIELDS)
DUE_COLUMNS: tuple[Any, ...] = (
    t.c.settle_failure,
    t.c.id,
    t.c.project_id,
    t.c.workspace_id,
    t.c.status,
    t.c.row_version,
    t.c.upstream_url,
    t.c.transition_started_at,
    t.c.deploy_timeout_minutes,
)


def get(connection: Connection, scope: Scope, service_id: str, *, lock: bool = False) -> Row[Any] | None:
    """``lock``: hold the row (PostgreSQL FOR UPDATE) until the request commits, so that what a
    write computes from it (the next version number, say) is still true when it lands."""
    statement = scoped(select(t), t, scope).where(t.c.id == service_id)
    if lock:
        statement = statement.with_for_update()
    return connection.execute(statement).first()


def statuses(connection: Connection, scope: Scope, service_ids: Sequence[str]) -> dict[str, str]:
    statement = scoped(select(t.c.id, t.c.status), t, scope).where(t.c.id.in_(service_ids))
    return {row.id: row.status for row in connection.execute(statement)}


def name_taken(connection: Connection, scope: Scope, name: str) -> bool:
    return connection.execute(scoped(select(t.c.id), t, scope).where(t.c.name == name)).first() is not None


def insert_service(connection: Connection, values: dict[str, Any], tags: Sequence[tuple[str, str]]) -> None:
    try:
        with connection.begin_nested():
            connection.execute(insert(t).values(**values))
    except IntegrityError:
        # The unique (project_id, name) index decides races that the pre-check could not see.
        raise ServiceNameTaken(values["name"]) from None
    if tags:
        connection.execute(
            insert(service_tags), [{"service_id": values["id"], "key": k, "value": v} for k, v in tags]
        )


def insert_version(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(service_versions).values(**values))


def version(
    connection: Connection, service_id: str, *, number: int | None = None, name: str | None = None
) -> Row[Any] | None:
    statement = select(service_versions).where(service_versions.c.service_id == service_id)
    if number is not None:
        statement = statement.where(service_versions.c.number == number)
    if name is not None:
        statement = statement.where(service_versions.c.version == name)
    return connection.execute(statement).first()


def versions_page(connection: Connection, service_id: str, offset: int, limit: int) -> list[Row[Any]]:
    statement = (
        select(service_versions)
        .where(service_versions.c.service_id == service_id)
        .order_by(service_versions.c.number.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(connection.execute(statement).all())


def compare_and_set(
    connection: Connection, scope: Scope, service_id: str, row_version: int, values: dict[str, Any]
) -> bool:
    """Apply ``values`` only if nobody changed the row since it was read at ``row_version``."""
    statement = (
        scoped(update(t), t, scope)
        .where(t.c.id == service_id, t.c.row_version == row_version)
        .values(row_version=row_version + 1, **values)
    )
    return connection.execute(statement).rowcount == 1


def remove(connection: Connection, scope: Scope, service_id: str, row_version: int) -> bool:
    """Delete the service, only if it is still at ``row_version``. Its tags and versions go with it
    (ON DELETE CASCADE; SQLite connections enforce foreign keys, see db.engine)."""
    # Claiming the row first (and so locking it) makes a losing remover touch nothing at all.
    if not compare_and_set(connection, scope, service_id, row_version, {}):
        return False
    connection.execute(scoped(delete(t), t, scope).where(t.c.id == service_id))
    return True


def replace_tags(connection: Connection, service_id: str, tags: Sequence[tuple[str, str]]) -> None:
    connection.execute(delete(service_tags).where(service_tags.c.service_id == service_id))
    if tags:
        connection.execute(
            insert(service_tags), [{"service_id": service_id, "key": k, "value": v} for k, v in tags]
        )


def _filtered(statement: Any, filters: dict[str, Any], tags: Sequence[tuple[str, str]]) -> Any:
    for key, value in filters.items():
        column = t.c[key]
        statement = statement.where(
            # Case-insensitive on both stores (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
            column.icontains(value, autoescape=True) if key == "description" else column == value
        )
    if tags:
        statement = statement.where(_holds_all(tags))
    return statement


def _holds_all(tags: Sequence[tuple[str, str]]) -> Any:
    """Whether the row's service holds every pair of ``tags``: one subquery however many pairs
    (one EXISTS per pair grew the statement with the query), correlated to the scoped row so that
    it reads that service's tags through the primary key, never every project's. A service holds
    one value per key, so its matching rows are distinct pairs and counting them suffices."""
    pairs = list(dict.fromkeys(tags))
    held = (
        select(func.count())
        .select_from(service_tags)
        .where(
            service_tags.c.service_id == t.c.id, tuple_(service_tags.c.key, service_tags.c.value).in_(pairs)
        )
        .scalar_subquery()
    )
    return held == len(pairs)


def page(
    connection: Connection,
    scope: Scope,
    *,
    columns: Sequence[Any] = LISTING_COLUMNS,
    filters: dict[str, Any] | None = None,
    tags: Sequence[tuple[str, str]] = (),
    sort_key: str = "update_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 10,
) -> list[Row[Any]]:
    """One page, read through the (project, workspace, update_at, id) index: only the rows returned."""
    statement = _filtered(scoped(select(*columns), t, scope), filters or {}, tags)
    order = (t.c[sort_key].desc(), t.c.id.desc()) if descending else (t.c[sort_key].asc(), t.c.id.asc())
    rows: list[Row[Any]] = list(
        connection.execute(statement.order_by(*order).offset(offset).limit(limit)).all()
    )
    return rows


def total(
    connection: Connection,
    scope: Scope,
    filters: dict[str, Any] | None = None,
    tags: Sequence[tuple[str, str]] = (),
) -> int:
    """Unfiltered totals come from the maintained per-workspace count, not from counting rows."""
    if not filters and not tags:
        counted = _PLAIN_TOTALS[scope.workspace_id is not None]
        return int(connection.execute(counted, scope_values(scope)).scalar_one())
    statement = _filtered(scoped(select(func.count()).select_from(t), t, scope), filters or {}, tags)
    return int(connection.execute(statement).scalar_one())


# The unfiltered newest-first page, by far the most called read (CONTRACT 5.2, 6.3), prebuilt so a
# call only binds values. It returns the page's columns with the total after them in every row, and
# one row of NULL columns and the total when the page is empty: a single statement reads page and
# total from one snapshot in one round trip.
def _count(scope: Scope, *, missing_as_zero: bool) -> Any:
    count = workspaces.service_count_of(scope)
    return func.coalesce(count, 0) if missing_as_zero else count


def _page_with_total(columns: Sequence[Any], *, in_workspace: bool, missing_as_zero: bool) -> Select[Any]:
    scope = bound_scope(workspace=in_workspace)
    head = select(_count(scope, missing_as_zero=missing_as_zero).label("total")).subquery("head")
    page = (
        scoped(select(*columns), t, scope)
        .order_by(t.c.update_at.desc(), t.c.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .subquery("page")
    )
    return (
        select(*page.c, head.c.total)
        .select_from(head.outerjoin(page, true()))
        .order_by(page.c.update_at.desc(), page.c.id.desc())
    )


# 6.3: one workspace's own count, NULL when there is no such workspace ("workspace not found").
_LISTING_PAGE = _page_with_total(LISTING_COLUMNS, in_workspace=True, missing_as_zero=False)
# 5.2: the sum over the scope's workspaces, 0 when there are none.
_ITEM_PAGES = {
    in_workspace: _page_with_total(ITEM_COLUMNS, in_workspace=in_workspace, missing_as_zero=True)
    for in_workspace in (False, True)
}
_PLAIN_TOTALS = {
    in_workspace: select(_count(bound_scope(workspace=in_workspace), missing_as_zero=True))
    for in_workspace in (False, True)
}


def listing_page(scope: Scope, *, offset: int, limit: int) -> PreparedRead:
    """One workspace's page of LISTING_COLUMNS (6.3) and its count: rows of (*columns, total)."""
    assert scope.workspace_id is not None, "6.3 lists one workspace"
    return PreparedRead(_LISTING_PAGE, _page_values(scope, offset, limit))


def item_page(scope: Scope, *, offset: int, limit: int) -> PreparedRead:
    """A project's or workspace's page of ITEM_COLUMNS (5.2) and its total: rows of (*columns, total)."""
    statement = _ITEM_PAGES[scope.workspace_id is not None]
    return PreparedRead(statement, _page_values(scope, offset, limit))


def _page_values(scope: Scope, offset: int, limit: int) -> dict[str, Any]:
    return {**scope_values(scope), "offset": offset, "limit": limit}


def due_transitions(connection: Connection, now: int, limit: int) -> list[Row[Any]]:
    """Services whose pending transition is due, across all projects (the lifecycle worker's scan)."""
    statement = (
        select(*DUE_COLUMNS)
        .where(t.c.transition_due_at.is_not(None), t.c.transition_due_at <= now)
        .order_by(t.c.transition_due_at)
        .limit(limit)
    )
    return list(connection.execute(statement).all())


# ---- lifecycle control (D-40) ---------------------------------------------------------------------

rules = lifecycle_rules


def lifecycle_rule(connection: Connection, service_id: str, action: str) -> Row[Any] | None:
    """The service's own rule for ``action``, else the rule for every service ("*")."""
    statement = (
        select(rules)
        .where(rules.c.action == action, rules.c.target.in_([service_id, "*"]))
        .order_by((rules.c.target == "*").asc())
    )
    return connection.execute(statement).first()


def all_lifecycle_rules(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(rules).order_by(rules.c.target, rules.c.action)).all())


def put_lifecycle_rule(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(
        delete(rules).where(rules.c.target == values["target"], rules.c.action == values["action"])
    )
    connection.execute(insert(rules).values(**values))


def delete_lifecycle_rule(connection: Connection, target: str, action: str) -> bool:
    statement = delete(rules).where(rules.c.target == target, rules.c.action == action)
    return connection.execute(statement).rowcount > 0


def delete_rules_of(connection: Connection, service_ids: Sequence[str]) -> None:
    connection.execute(delete(rules).where(rules.c.target.in_(service_ids)))


def get_any(connection: Connection, service_id: str) -> Row[Any] | None:
    """A service of any project, by id: for the operator's settle (the admin API)."""
    return connection.execute(select(t).where(t.c.id == service_id).with_for_update()).first()


def ids_in_project(connection: Connection, scope: Scope) -> list[str]:
    return list(connection.execute(scoped(select(t.c.id), t, scope)).scalars())


def forget_project(connection: Connection, scope: Scope) -> None:
    """Every service of the project, with their tags and versions (ON DELETE CASCADE)."""
    connection.execute(scoped(delete(t), t, scope))
