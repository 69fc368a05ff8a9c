"""The service listings: the v2 list with its filters, order and pages (CONTRACT 5.2), and one
workspace's page of §6.3. The two unfiltered, newest-first pages are prebuilt reads that the routes
and the fast lane run alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from openmaas.db.reads import PreparedRead, Rows
from openmaas.db.scope import Scope
from openmaas.services import repository, wire
from openmaas.services.schemas import ListQuery
from openmaas.workspaces.errors import WorkspaceNotFound


def list_page(connection: Connection, scope: Scope, query: ListQuery) -> dict[str, Any]:
    """One page of the v2 list: filters, order, and the paging figures."""
    if is_plain(query):
        read = plain_list_read(scope, query.workspace_id, query.limit, query.offset)
        return plain_list_body(read.rows(connection), query.limit, query.offset)
    filters, tags = query.filters(), query.tag_pairs()
    narrowed = scope.in_workspace(query.workspace_id) if query.workspace_id is not None else scope
    rows = repository.page(
        connection,
        narrowed,
        columns=repository.ITEM_COLUMNS,
        filters=filters,
        tags=tags,
        sort_key=query.sort_key,
        descending=query.sort_dir == "DESC",
        offset=query.offset,
        limit=query.limit,
    )
    total = repository.total(connection, narrowed, filters, tags)
    return wire.list_body(rows, total, query.limit, query.offset)


def is_plain(query: ListQuery) -> bool:
    """No filter and the default order (newest first): the prebuilt page serves it."""
    plain_order = (query.sort_key, query.sort_dir) == ("update_at", "DESC")
    return plain_order and not query.filters() and not query.tag_pairs()


def plain_list_read(scope: Scope, workspace_id: str | None, limit: int, offset: int) -> PreparedRead:
    """The v2 list with no filter and the default order: one prebuilt statement."""
    narrowed = scope.in_workspace(workspace_id) if workspace_id is not None else scope
    return repository.item_page(narrowed, offset=offset, limit=limit)


def plain_list_body(rows: Rows, limit: int, offset: int) -> dict[str, Any]:
    """The v2 list body from ``plain_list_read``'s rows of (*ITEM_COLUMNS, total)."""
    return wire.list_body(_page_rows(rows), int(rows[0][-1]), limit, offset)


def workspace_listing_read(scope: Scope, limit: int, offset: int) -> PreparedRead:
    """One workspace's page of §6.3 and the workspace's maintained service count as ``total``
    (no row counting): rows of (*LISTING_COLUMNS, total)."""
    return repository.listing_page(scope, offset=offset, limit=limit)


def workspace_listing_body(rows: Rows, limit: int) -> dict[str, Any]:
    """The §6.3 body from ``workspace_listing_read``'s rows; a NULL total means no such workspace."""
    total = rows[0][-1]
    if total is None:
        raise WorkspaceNotFound()
    return wire.listing_body(_page_rows(rows), int(total), limit)


def _page_rows(rows: Rows) -> Rows:
    """The page's own rows: an empty page comes as one row of NULL columns and the total."""
    return [row for row in rows if row[0] is not None]
