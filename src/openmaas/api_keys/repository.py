"""SQL for MaaS API keys. Every query is scoped to one domain, except the lookup by key hash.

Keys belong to the account (domain): labels are unique in it and the quota counts it (data-plane
facts §3). The lookup by hash is how a data-plane call finds its account in the first place, as a
signed request finds its domain from its access key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, exists, func, insert, select, update

from openmaas.api_keys.tables import api_keys
from openmaas.db.reads import PreparedRead

t = api_keys

# What a data-plane call needs of its key, in the order ``service.caller_key`` reads them.
CALLER_COLUMNS = (
    t.c.id,
    t.c.domain_id,
    t.c.project_id,
    t.c.label,
    t.c.allow_all,
    t.c.ip_whitelist,
    t.c.endpoint_whitelist,
    t.c.model_whitelist,
)
# Built once: each call binds only the hash (the unique index on key_hash answers it).
_BY_HASH = select(*CALLER_COLUMNS).where(t.c.key_hash == bindparam("key_hash"))


def key_read(key_hash: str) -> PreparedRead:
    return PreparedRead(_BY_HASH, {"key_hash": key_hash})


def insert_key(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(t).values(**values))


def count_keys(connection: Connection, domain_id: str) -> int:
    statement = select(func.count()).select_from(t).where(t.c.domain_id == domain_id)
    return int(connection.execute(statement).scalar_one())


def label_taken(connection: Connection, domain_id: str, label: str) -> bool:
    statement = select(exists().where(t.c.domain_id == domain_id, t.c.label == label))
    return bool(connection.execute(statement).scalar_one())


def get_key(connection: Connection, domain_id: str, key_id: str) -> Row[Any] | None:
    statement = select(t).where(t.c.domain_id == domain_id, t.c.id == key_id)
    return connection.execute(statement).first()


def page(connection: Connection, domain_id: str, offset: int, limit: int) -> list[Row[Any]]:
    """Newest first, through the (domain, create_at) index; ids break ties in the same direction."""
    statement = (
        select(t)
        .where(t.c.domain_id == domain_id)
        .order_by(t.c.create_at.desc(), t.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(connection.execute(statement).all())


def update_key(connection: Connection, domain_id: str, key_id: str, values: dict[str, Any]) -> None:
    statement = update(t).where(t.c.domain_id == domain_id, t.c.id == key_id).values(**values)
    connection.execute(statement)


def delete_key(connection: Connection, domain_id: str, key_id: str) -> bool:
    """Whether a key was deleted: the row goes, so its label is free again and its hash finds nothing."""
    result = connection.execute(delete(t).where(t.c.domain_id == domain_id, t.c.id == key_id))
    return result.rowcount > 0


def forget_domain(connection: Connection, domain_id: str) -> None:
    connection.execute(delete(t).where(t.c.domain_id == domain_id))
