"""SQL for access keys. Every query is scoped to one domain, except the lookup that finds a signed
request's key (and so its owner's domain) from its access key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, delete, func, insert, select

from openmaas.credentials.tables import access_keys

PUBLIC_COLUMNS = (
    access_keys.c.user_id,
    access_keys.c.access,
    access_keys.c.status,
    access_keys.c.create_time,
    access_keys.c.description,
)


def count_user_keys(connection: Connection, domain_id: str, user_id: str) -> int:
    statement = (
        select(func.count())
        .select_from(access_keys)
        .where(access_keys.c.domain_id == domain_id, access_keys.c.user_id == user_id)
    )
    return int(connection.execute(statement).scalar_one())


def insert_key(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(access_keys).values(**values))


def domain_keys(connection: Connection, domain_id: str, user_id: str | None) -> list[Row[Any]]:
    statement: Select[Any] = select(*PUBLIC_COLUMNS).where(access_keys.c.domain_id == domain_id)
    if user_id is not None:
        statement = statement.where(access_keys.c.user_id == user_id)
    statement = statement.order_by(access_keys.c.create_time, access_keys.c.access)
    return list(connection.execute(statement).all())


def domain_key(connection: Connection, domain_id: str, access: str) -> Row[Any] | None:
    statement: Select[Any] = select(*PUBLIC_COLUMNS).where(
        access_keys.c.domain_id == domain_id, access_keys.c.access == access
    )
    return connection.execute(statement).first()


def delete_domain_key(connection: Connection, domain_id: str, access: str) -> bool:
    statement = delete(access_keys).where(
        access_keys.c.domain_id == domain_id, access_keys.c.access == access
    )
    return connection.execute(statement).rowcount > 0


def signing_key(connection: Connection, access: str) -> Row[Any] | None:
    """The key a signed request names: its sealed secret, status and owner."""
    statement: Select[Any] = select(
        access_keys.c.access,
        access_keys.c.secret_encrypted,
        access_keys.c.status,
        access_keys.c.user_id,
        access_keys.c.domain_id,
    ).where(access_keys.c.access == access)
    return connection.execute(statement).first()


def forget_domain(connection: Connection, domain_id: str) -> None:
    connection.execute(delete(access_keys).where(access_keys.c.domain_id == domain_id))


def delete_user_keys(connection: Connection, domain_id: str, user_id: str) -> None:
    statement = delete(access_keys).where(
        access_keys.c.domain_id == domain_id, access_keys.c.user_id == user_id
    )
    connection.execute(statement)
