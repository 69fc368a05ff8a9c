"""SQL for endpoint usage: batched upserts of per-minute counts, and reads of one endpoint's range."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from openmaas.usage.tables import endpoint_usage as t

COUNTERS = ("calls", "errors", "prompt_tokens", "completion_tokens")


def add_counts(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add each row's counters to its (endpoint, minute): one statement for the whole batch, which
    creates the minutes not seen yet. Both stores take the same INSERT ... ON CONFLICT DO UPDATE."""
    if not rows:
        return
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(t)
    added = {name: t.c[name] + statement.excluded[name] for name in COUNTERS}
    connection.execute(
        statement.on_conflict_do_update(index_elements=[t.c.endpoint_id, t.c.minute], set_=added), rows
    )


def minutes(connection: Connection, endpoint_id: str, start: int, end: int) -> list[Row[Any]]:
    """The endpoint's minutes from ``start`` (included) to ``end`` (excluded), oldest first."""
    statement = (
        select(t.c.minute, *(t.c[name] for name in COUNTERS))
        .where(t.c.endpoint_id == endpoint_id, t.c.minute >= start, t.c.minute < end)
        .order_by(t.c.minute)
    )
    return list(connection.execute(statement).all())


def forget_before(connection: Connection, minute: int) -> int:
    """Drop every endpoint's minutes older than ``minute``; returns how many went."""
    return int(connection.execute(delete(t).where(t.c.minute < minute)).rowcount)


def forget_endpoints(connection: Connection, endpoint_ids: Sequence[str]) -> None:
    connection.execute(delete(t).where(t.c.endpoint_id.in_(endpoint_ids)))
