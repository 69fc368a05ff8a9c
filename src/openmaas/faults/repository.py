"""SQL for fault rules: rules are the operator's, not a tenant's (the admin API alone writes them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select, update

from openmaas.faults.tables import fault_rules as t


def insert_rule(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(t).values(**values))


def live_rules(connection: Connection, now: int) -> list[Row[Any]]:
    """Rules not expired and not used up, oldest first (the first that matches a request fires)."""
    statement = (
        select(t)
        .where(
            or_(t.c.expires_at.is_(None), t.c.expires_at > now),
            or_(t.c.remaining.is_(None), t.c.remaining > 0),
        )
        .order_by(t.c.created_at, t.c.id)
    )
    return list(connection.execute(statement).all())


def all_rules(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(t).order_by(t.c.created_at, t.c.id)).all())


def take_one(connection: Connection, rule_id: str) -> bool:
    """Use one of a counted rule's firings, if any is left: the store decides for every process."""
    statement = update(t).where(t.c.id == rule_id, t.c.remaining > 0).values(remaining=t.c.remaining - 1)
    return connection.execute(statement).rowcount == 1


def delete_rule(connection: Connection, rule_id: str) -> bool:
    return connection.execute(delete(t).where(t.c.id == rule_id)).rowcount > 0


def delete_all(connection: Connection) -> int:
    return int(connection.execute(delete(t)).rowcount)


def forget_expired(connection: Connection, now: int) -> None:
    connection.execute(delete(t).where(t.c.expires_at.is_not(None), t.c.expires_at <= now))
