"""SQL for custom endpoints. Endpoint queries go through ``scoped`` on the caller's MaaS project.

A domain has one project in the MaaS home region (CONTRACT 2, D-3), so that project stands for the
domain here; the name ledger and the quota lock are keyed by the domain itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from openmaas.custom_endpoints.errors import EndpointNameTaken
from openmaas.custom_endpoints.tables import custom_endpoint_names, custom_endpoints
from openmaas.db.scope import Scope, scoped
from openmaas.iam.tables import domains, projects
from openmaas.services.tables import services

t = custom_endpoints

# The linked service's project: the domain's project named after the endpoint's region.
_linked_project = projects.alias("linked_project")
_with_service = t.outerjoin(
    _linked_project,
    and_(_linked_project.c.domain_id == t.c.domain_id, _linked_project.c.name == t.c.region),
).outerjoin(
    services,
    and_(services.c.project_id == _linked_project.c.id, services.c.id == t.c.infer_service_id),
)
# The fronted service's status, NULL when it is gone (or when the endpoint fronts a preset model).
_ENDPOINT_COLUMNS = (*t.c, services.c.status.label("linked_status"))


def _live(scope: Scope) -> Any:
    statement = scoped(select(*_ENDPOINT_COLUMNS).select_from(_with_service), t, scope)
    return statement.where(t.c.deleted_at.is_(None))


def get_live(connection: Connection, scope: Scope, endpoint_id: str) -> Row[Any] | None:
    return connection.execute(_live(scope).where(t.c.id == endpoint_id)).first()


def all_live(connection: Connection, scope: Scope) -> list[Row[Any]]:
    """Newest first, as a console lists them."""
    statement = _live(scope).order_by(t.c.create_at.desc(), t.c.id.desc())
    return list(connection.execute(statement).all())


def count_live(connection: Connection, scope: Scope) -> int:
    statement = scoped(select(func.count()).select_from(t), t, scope).where(t.c.deleted_at.is_(None))
    return int(connection.execute(statement).scalar_one())


def lock_domain(connection: Connection, domain_id: str) -> None:
    """Serialize quota decisions of one domain: PostgreSQL row lock (SQLite writers already queue)."""
    statement = select(literal(1)).select_from(domains).where(domains.c.id == domain_id).with_for_update()
    connection.execute(statement)


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
