"""SQL for custom endpoints. Endpoint queries go through ``scoped`` on the caller's MaaS project.

A domain has one project in the MaaS home region (CONTRACT 2, D-3), so that project stands for the
domain here; the name ledger and the quota lock are keyed by the domain itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from openmaas.custom_endpoints.errors import EndpointNameTaken
from openmaas.custom_endpoints.tables import custom_endpoint_names, custom_endpoints
from openmaas.db.scope import Scope, scoped

t = custom_endpoints


def _live(scope: Scope) -> Any:
    return scoped(select(t), t, scope).where(t.c.deleted_at.is_(None))


def get_live(connection: Connection, scope: Scope, endpoint_id: str) -> Row[Any] | None:
    return connection.execute(_live(scope).where(t.c.id == endpoint_id)).first()


def live_by_name(connection: Connection, scope: Scope, endpoint_name: str) -> Row[Any] | None:
    return connection.execute(_live(scope).where(t.c.endpoint_name == endpoint_name)).first()


def live_on_preset(connection: Connection, scope: Scope, model_name: str) -> Row[Any] | None:
    """The newest live endpoint on a preset model of that name (``custom_from_maas``)."""
    statement = _live(scope).where(t.c.source == "custom_from_maas", t.c.model_name == model_name)
    return connection.execute(statement.order_by(t.c.create_at.desc(), t.c.id.desc())).first()


def all_live(connection: Connection, scope: Scope) -> list[Row[Any]]:
    """Newest first, as a console lists them."""
    statement = _live(scope).order_by(t.c.create_at.desc(), t.c.id.desc())
    return list(connection.execute(statement).all())


def count_live(connection: Connection, scope: Scope) -> int:
    statement = scoped(select(func.count()).select_from(t), t, scope).where(t.c.deleted_at.is_(None))
    return int(connection.execute(statement).scalar_one())


def reserve_name(connection: Connection, domain_id: str, name: str, now: int) -> None:
    """Take ``name`` for the domain forever; a name held before, even by a deleted endpoint, is refused."""
    try:
        with connection.begin_nested():
            connection.execute(
                insert(custom_endpoint_names).values(domain_id=domain_id, endpoint_name=name, reserved_at=now)
            )
    except IntegrityError:
        raise EndpointNameTaken(name) from None


def insert_endpoint(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(t).values(**values))


def update_live(connection: Connection, scope: Scope, endpoint_id: str, values: dict[str, Any]) -> None:
    statement = (
        scoped(update(t), t, scope).where(t.c.id == endpoint_id, t.c.deleted_at.is_(None)).values(**values)
    )
    connection.execute(statement)


def forget_domain(connection: Connection, domain_id: str) -> list[str]:
    """The domain's endpoints, deleted ones included, and its names ledger; returns their ids."""
    ids = list(connection.execute(select(t.c.id).where(t.c.domain_id == domain_id)).scalars())
    connection.execute(delete(t).where(t.c.domain_id == domain_id))
    connection.execute(delete(custom_endpoint_names).where(custom_endpoint_names.c.domain_id == domain_id))
    return ids
